import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_INPUT_PIXELS,
  ImageDecodeError,
  decodeImage,
  planResize,
  prepareFromDecoded,
  prepareImage,
  toModelInput,
  writeCropPng,
} from '../../../electron/engine/clip/preprocess';
import type { ImageDecodeErrorCode, PreparedImage } from '../../../electron/engine/clip/preprocess';
import { CLIP_DEFAULT_PREPROCESS } from '../../../electron/engine/clip/preprocess-config';
import type { PreprocessConfig } from '../../../electron/engine/clip/preprocess-config';
import { hasShared, sharedPath } from '../../support/shared-data';
import { cosine, meanAbsDiff } from '../../support/math';

const CLIP = CLIP_DEFAULT_PREPROCESS;
const robustness = (...parts: string[]): string => sharedPath('data', 'robustness', ...parts);



function maxValue(pixels: Uint8Array): number {
  let max = 0;
  for (const v of pixels) if (v > max) max = v;
  return max;
}

function channelMeans(pixels: Uint8Array): [number, number, number] {
  const sums = [0, 0, 0];
  for (let i = 0; i < pixels.length; i++) sums[i % 3]! += pixels[i]!;
  const n = pixels.length / 3;
  return [sums[0]! / n, sums[1]! / n, sums[2]! / n];
}

/** The 8 rotations/mirrorings of a square HWC RGB image; index 0 is the identity. */
function dihedral(pixels: Uint8Array, size: number, k: number): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sx = k >= 4 ? size - 1 - x : x;
      let sy = y;
      for (let r = 0; r < k % 4; r++) [sx, sy] = [sy, size - 1 - sx];
      const from = (sy * size + sx) * 3;
      out.set(pixels.subarray(from, from + 3), (y * size + x) * 3);
    }
  }
  return out;
}

async function expectDecodeError(promise: Promise<unknown>, code: ImageDecodeErrorCode, message?: RegExp): Promise<ImageDecodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageDecodeError);
  const decodeError = error as ImageDecodeError;
  expect(decodeError.code).toBe(code);
  if (message) expect(decodeError.message).toMatch(message);
  return decodeError;
}

/** A real decompression bomb: a valid 65536 x 65536 1-bit PNG (4.3 gigapixels) in about 0.5 MB. */
function decompressionBombPng(): Buffer {
  const side = 65536;
  const rowBytes = 1 + side / 8;
  const rowsPerBlock = 1024;
  // All-zero rows deflate to the same byte-aligned block; repeating it is a valid stream (no references across blocks).
  const block = zlib.deflateRawSync(Buffer.alloc(rowBytes * rowsPerBlock), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const total = rowBytes * side;
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((total % 65521) << 16) | 1) >>> 0);
  const idat = Buffer.concat([Buffer.from([0x78, 0x01]), ...Array<Buffer>(side / rowsPerBlock).fill(block), Buffer.from([0x03, 0x00]), adler]);
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'shoebox-preprocess-'));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('planResize (torchvision Resize + CenterCrop geometry)', () => {
  it('resizes the short side to size, truncates the long side, and centres the crop', () => {
    expect(planResize(500, 375, CLIP)).toEqual({ width: 298, height: 224, left: 37, top: 0 });
    expect(planResize(375, 500, CLIP)).toEqual({ width: 224, height: 298, left: 0, top: 37 });
    expect(planResize(224, 224, CLIP)).toEqual({ width: 224, height: 224, left: 0, top: 0 });
    // 224 * 1000 / 3 = 74666.67 -> 74666
    expect(planResize(1000, 3, CLIP).width).toBe(74666);
  });

  it("rounds the crop offset like Python's round(): halves to even", () => {
    // 299 - 224 = 75 -> 37.5 -> 38; 297 - 224 = 73 -> 36.5 -> 36
    expect(planResize(299, 224, CLIP).left).toBe(38);
    expect(planResize(297, 224, CLIP).left).toBe(36);
    expect(planResize(224, 301, CLIP).top).toBe(38); // 38.5 -> 38
  });

  it('squash ignores the aspect ratio', () => {
    expect(planResize(500, 375, { ...CLIP, resizeMode: 'squash' })).toEqual({ width: 224, height: 224, left: 0, top: 0 });
  });
});

describe('toModelInput', () => {
  // A 2x2 image: red, green / blue, white (HWC).
  const quad = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
  const tiny: PreprocessConfig = { ...CLIP, size: 2 };
  // ((v / 255) - mean) / std by hand, for v = 0 and v = 255.
  const R0 = -1.7922625;
  const R1 = 1.9303361;
  const G0 = -1.7520971;
  const G1 = 2.0748837;
  const B0 = -1.4802197;
  const B1 = 2.1458969;

  it('normalises with mean/std into NCHW planes', () => {
    const out = toModelInput([quad], tiny);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.length).toBe(3 * 4);
    const expected = [R1, R0, R0, R1, /* G */ G0, G1, G0, G1, /* B */ B0, B0, B1, B1];
    expected.forEach((value, i) => expect(out[i]).toBeCloseTo(value, 5));
  });

  it('lays a batch out image after image', () => {
    const black = new Uint8Array(12);
    const out = toModelInput([black, quad], tiny);
    expect(out.length).toBe(2 * 3 * 4);
    for (let i = 0; i < 4; i++) expect(out[i]).toBeCloseTo(R0, 5);
    for (let i = 8; i < 12; i++) expect(out[i]).toBeCloseTo(B0, 5);
    expect(out[12]).toBeCloseTo(R1, 5); // image 1, R plane, pixel (0,0)
    expect(out[12 + 4 + 1]).toBeCloseTo(G1, 5); // image 1, G plane, pixel (1,0)
    expect(out[12 + 8 + 2]).toBeCloseTo(B1, 5); // image 1, B plane, pixel (0,1)
  });

  it('keeps the layout through prepareImage of a generated PNG', async () => {
    const png = await sharp(Buffer.from(quad), { raw: { width: 2, height: 2, channels: 3 } }).png().toBuffer();
    const prepared = await prepareImage(png, tiny);
    expect(prepared).toMatchObject({ size: 2, sourceWidth: 2, sourceHeight: 2, format: 'png' });
    expect(Array.from(prepared.pixels)).toEqual(Array.from(quad));
    expect(Array.from(toModelInput([prepared], tiny))).toEqual(Array.from(toModelInput([quad], tiny)));
  });

  it('a solid colour made by sharp normalises to its hand-computed value everywhere', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 0, g: 255, b: 0 } } }).png().toBuffer();
    const input = toModelInput([await prepareImage(png, CLIP)], CLIP);
    const plane = 224 * 224;
    for (const i of [0, 1234, plane - 1]) {
      expect(input[i]).toBeCloseTo(R0, 5);
      expect(input[plane + i]).toBeCloseTo(G1, 5);
      expect(input[2 * plane + i]).toBeCloseTo(B0, 5);
    }
  });

  it('refuses crops of the wrong size', () => {
    expect(() => toModelInput([new Uint8Array(11)], tiny)).toThrow(RangeError);
    const wrong: PreparedImage = { pixels: new Uint8Array(27), size: 3, sourceWidth: 3, sourceHeight: 3, format: 'png' };
    expect(() => toModelInput([wrong], tiny)).toThrow(/3px square/);
  });
});

describe('resize modes and filters', () => {
  // 400 x 200, the left fifth red and the rest blue.
  async function redStripe(): Promise<Buffer> {
    const raw = Buffer.alloc(400 * 200 * 3);
    for (let y = 0; y < 200; y++) {
      for (let x = 0; x < 400; x++) raw.set(x < 80 ? [255, 0, 0] : [0, 0, 255], (y * 400 + x) * 3);
    }
    return sharp(raw, { raw: { width: 400, height: 200, channels: 3 } }).png().toBuffer();
  }
  const pixelAt = (image: PreparedImage, x: number, y: number): number[] => Array.from(image.pixels.subarray((y * image.size + x) * 3, (y * image.size + x) * 3 + 3));

  it('crop keeps the centre (no red); squash keeps everything (the red stripe)', async () => {
    const png = await redStripe();
    const cropped = await prepareImage(png, CLIP);
    expect(channelMeans(cropped.pixels)[0]).toBe(0);
    const squashed = await prepareImage(png, { ...CLIP, resizeMode: 'squash' });
    expect(pixelAt(squashed, 10, 100)).toEqual([255, 0, 0]);
    expect(pixelAt(squashed, 200, 100)).toEqual([0, 0, 255]);
  });

  it.each(['bicubic', 'bilinear', 'nearest', 'lanczos'] as const)('%s keeps a solid colour solid, small and large', async (interpolation) => {
    for (const [width, height] of [[150, 100], [3000, 2000]] as const) {
      const jpeg = await sharp({ create: { width, height, channels: 3, background: { r: 30, g: 160, b: 90 } } }).png().toBuffer();
      const prepared = await prepareImage(jpeg, { ...CLIP, interpolation });
      for (const v of channelMeans(prepared.pixels).map((m, c) => Math.abs(m - [30, 160, 90][c]!))) expect(v).toBeLessThan(0.5);
    }
  });
});

describe.skipIf(!hasShared('reference/preprocess/index.json'))('parity with the CLIP reference crops (PIL)', () => {
  interface Entry {
    original: string;
    crop: string;
    upright_size: [number, number];
  }
  const root = sharedPath('reference', 'preprocess');
  const entries = hasShared('reference/preprocess/index.json')
    ? (JSON.parse(readFileSync(path.join(root, 'index.json'), 'utf8')) as Entry[])
    : [];
  const results: Record<string, { upright: string; mad: string; cosine: string }> = {};
  const mads: number[] = [];
  afterAll(() => {
    console.table(results);
  });

  it.each(entries.map((e) => [path.basename(e.original), e] as const))('%s', async (_name, entry) => {
    const ours = await prepareImage(path.join(root, entry.original), CLIP);
    expect([ours.sourceWidth, ours.sourceHeight]).toEqual(entry.upright_size);
    const reference = await sharp(path.join(root, entry.crop)).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    expect(reference.info).toMatchObject({ width: 224, height: 224, channels: 3 });
    const mad = meanAbsDiff(ours.pixels, new Uint8Array(reference.data));
    const cos = cosine(toModelInput([ours], CLIP), toModelInput([new Uint8Array(reference.data)], CLIP));
    results[path.basename(entry.original)] = { upright: entry.upright_size.join('x'), mad: mad.toFixed(3), cosine: cos.toFixed(6) };
    mads.push(mad);
    const grey = /gray|grey|potter/.test(entry.original);
    expect(cos).toBeGreaterThanOrEqual(grey ? 0.99 : 0.999);
    if (!grey) expect(mad).toBeLessThanOrEqual(2.0);
  });

  it('stays close on average (regression guard: measured mean MAD 0.1)', () => {
    expect(mads.length).toBe(entries.length);
    expect(mads.reduce((a, b) => a + b, 0) / mads.length).toBeLessThan(0.3);
  });
});

describe.skipIf(!hasShared('data/robustness/orientation'))('EXIF orientation', () => {
  const size = CLIP.size;
  /** Asserts `file` comes out as `upright` would: the nearest of the 8 rotations/mirrorings, and near in absolute terms. */
  async function expectUpright(file: string, upright: PreparedImage, maxMad: number): Promise<void> {
    const ours = await prepareImage(file, CLIP);
    expect([ours.sourceWidth, ours.sourceHeight]).toEqual([upright.sourceWidth, upright.sourceHeight]);
    const distances = Array.from({ length: 8 }, (_, k) => meanAbsDiff(ours.pixels, dihedral(upright.pixels, size, k)));
    const best = distances.indexOf(Math.min(...distances));
    expect(best, `distances to the 8 orientations: ${distances.map((d) => d.toFixed(1)).join(' ')}`).toBe(0);
    expect(distances[0]).toBeLessThan(maxMad);
    // The wrong orientations are far away, so "nearest" means something.
    expect(Math.min(...distances.slice(1))).toBeGreaterThan(3 * distances[0]!);
  }

  for (const kind of ['Landscape', 'Portrait'] as const) {
    const numbers = kind === 'Landscape' ? [2, 3, 4, 5, 6, 7, 8] : [2, 4, 5, 6, 7, 8]; // there is no Portrait_3
    it.each(numbers)(`${kind}_%i.jpg matches ${kind}_1.jpg`, async (n) => {
      const upright = await prepareImage(robustness('orientation', 'recurser_1800x1200', `${kind}_1.jpg`), CLIP);
      expect(upright.sourceWidth > upright.sourceHeight).toBe(kind === 'Landscape');
      await expectUpright(robustness('orientation', 'recurser_1800x1200', `${kind}_${n}.jpg`), upright, 2);
    });
  }

  it.each(['hopper_orientation_2.jpg', 'hopper_orientation_4.jpg', 'hopper_orientation_6.jpg', 'hopper_orientation_7.jpg', 'hopper_orientation_4.webp', 'hopper_orientation_8.webp'])(
    '%s matches hopper.png',
    async (name) => {
      const upright = await prepareImage(robustness('formats', 'pillow', 'hopper.png'), CLIP);
      await expectUpright(robustness('orientation', 'pillow_hopper', name), upright, 6);
    },
  );

  it.each(['rot0mir1', 'rot1mir0', 'rot1mir1', 'rot2mir0', 'rot2mir1'])('AVIF irot/imir %s matches rot0mir0', async (name) => {
    const upright = await prepareImage(robustness('orientation', 'pillow_avif_irot_imir', 'rot0mir0.avif'), CLIP);
    await expectUpright(robustness('orientation', 'pillow_avif_irot_imir', `${name}.avif`), upright, 9);
  });

  it('a greyscale JPEG with orientation 6 matches its colour upright twin', async () => {
    const upright = await prepareImage(robustness('orientation', 'immich', 'portrait.jpg'), CLIP);
    const rotated = await prepareImage(robustness('orientation', 'immich', 'portrait-orientation-6.jpg'), CLIP);
    expect([rotated.sourceWidth, rotated.sourceHeight]).toEqual([840, 700]);
    const luma = (p: Uint8Array): Uint8Array => Uint8Array.from({ length: p.length / 3 }, (_, i) => Math.round((p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]!) / 3));
    const grey = (p: Uint8Array): Uint8Array => Uint8Array.from(Array.from(luma(p)).flatMap((v) => [v, v, v]));
    const distances = Array.from({ length: 8 }, (_, k) => meanAbsDiff(luma(rotated.pixels), luma(dihedral(grey(upright.pixels), size, k))));
    expect(distances.indexOf(Math.min(...distances))).toBe(0);
    expect(distances[0]).toBeLessThan(4);
  });
});

describe.skipIf(!hasShared('data/robustness/formats', 'data/robustness/colour'))('decoding many kinds of file', () => {
  it('CMYK TIFF (0/100/100/0) comes out red via its ICC profile', async () => {
    const image = await prepareImage(robustness('colour', 'sharp', 'fogra-0-100-100-0.tif'), CLIP);
    expect(image.format).toBe('tiff');
    const [r, g, b] = channelMeans(image.pixels);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(40);
    expect(b).toBeLessThan(60);
  });

  it.each([
    ['colour/pillow/hopper_gray.jpg'],
    ['colour/sharp/concert.jpg'], // greyscale with a grey ICC profile
    ['formats/sharp/8bit_depth.tiff'],
    ['formats/sharp/G31D.TIF'], // 1-bit fax TIFF, 8 MP
    ['size_extremes/sharp/giant-image.jpg'], // 20000 x 14000 greyscale panorama
  ])('greyscale %s expands to equal R, G, B', async (file) => {
    const image = await prepareImage(robustness(...file.split('/')), CLIP);
    expect(image.pixels.length).toBe(224 * 224 * 3);
    for (let i = 0; i < image.pixels.length; i += 3) {
      if (image.pixels[i] !== image.pixels[i + 1] || image.pixels[i] !== image.pixels[i + 2]) throw new Error(`pixel ${i / 3} is not grey`);
    }
  });

  it('16-bit images are scaled to 8 bits, not truncated to their low byte', async () => {
    // A chessboard stored as 0 and 255 in 16-bit samples: properly scaled that is black and (255/257 =) 1.
    const board = await prepareImage(robustness('misc', 'skimage_debian', 'chessboard_GRAY_U16.tif'), CLIP);
    expect(maxValue(board.pixels)).toBeLessThanOrEqual(1);
    const rgb16 = await prepareImage(robustness('formats', 'sharp', 'tbgn2c16.png'), CLIP);
    expect(maxValue(rgb16.pixels)).toBe(255);
  });

  it('16-bit RGB with an ICC profile is converted to sRGB (not left in Display P3)', async () => {
    const file = robustness('formats', 'sharp', 'tifftag-photoshop.tiff');
    const decoded = await decodeImage(file);
    expect(decoded.format).toBe('tiff');
    const toSrgb = await sharp(file).withIccProfile('srgb').raw({ depth: 'uchar' }).toBuffer();
    expect(meanAbsDiff(decoded.pixels, new Uint8Array(toSrgb))).toBeLessThan(0.5);
    // sharp's plain route hands back its Display P3 working space for 16-bit input, visibly different.
    const p3 = await sharp(file).toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer();
    expect(meanAbsDiff(decoded.pixels, new Uint8Array(p3))).toBeGreaterThan(1);
  });

  it('alpha is flattened onto white', async () => {
    const webp = await prepareImage(robustness('formats', 'pillow', 'transparent.webp'), CLIP);
    expect(Array.from(webp.pixels.subarray(0, 3))).toEqual([255, 255, 255]);
    const greyAlpha = await prepareImage(robustness('formats', 'sharp', 'bgbn4a08.png'), CLIP);
    expect(Array.from(greyAlpha.pixels.subarray(0, 3))).toEqual([255, 255, 255]);
    // A fully transparent generated image is white, whatever colour hides under the alpha.
    const hidden = await sharp({ create: { width: 50, height: 50, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect(channelMeans((await prepareImage(hidden, CLIP)).pixels)).toEqual([255, 255, 255]);
  });

  it.each([
    ['formats/sharp/swiss.png', 'png'], // palette
    ['formats/sharp/16-bit-grey-alpha.png', 'png'],
    ['formats/sharp/p3.png', 'png'], // Display P3 profile
    ['formats/pillow/delay.png', 'png'], // APNG
    ['formats/immich/8bit-sRGB.avif', 'avif'],
    ['formats/pillow/exif.avif', 'avif'],
    ['formats/pillow/transparency.avif', 'avif'],
    ['formats/sharp/4.webp', 'webp'],
    ['formats/immich/denali.webp', 'webp'],
    ['formats/pillow/iss634.webp', 'webp'], // animated, 42 frames
    ['formats/sharp/animated-loop-3.webp', 'webp'],
    ['formats/sharp/animated-loop-3.gif', 'gif'],
    ['formats/pillow/hopper.gif', 'gif'],
    ['formats/pillow/hopper.tif', 'tiff'],
    ['formats/tiff_ianare/Tless0.tiff', 'tiff'], // RGBA with a profile
    ['formats/sharp/cielab-dagams.tiff', 'tiff'], // CIE Lab, 16-bit
    ['formats/sharp/check.svg', 'svg'],
    ['formats/sharp/gain-map.jpg', 'jpeg'], // Ultra HDR: the SDR base image
    ['size_extremes/sharp/2x2_fdcce6.png', 'png'],
    ['size_extremes/sharp/big-height.webp', 'webp'], // 13 x 169, animated
  ])('%s decodes (%s)', async (file, format) => {
    const image = await prepareImage(robustness(...file.split('/')), CLIP);
    expect(image.format).toBe(format);
    expect(image.size).toBe(224);
    expect(image.pixels.length).toBe(224 * 224 * 3);
  });

  it('lossless copies of one picture agree across formats (PNG, TIFF, GIF first frame)', async () => {
    const png = await prepareImage(robustness('formats', 'pillow', 'hopper.png'), CLIP);
    expect(meanAbsDiff(png.pixels, (await prepareImage(robustness('formats', 'pillow', 'hopper.tif'), CLIP)).pixels)).toBe(0);
    expect(meanAbsDiff(png.pixels, (await prepareImage(robustness('formats', 'pillow', 'hopper.gif'), CLIP)).pixels)).toBeLessThan(8);
  });

  it('animated files use their first frame; HEIF files their primary image', async () => {
    const gif = await prepareImage(robustness('formats', 'sharp', 'animated-loop-3.gif'), CLIP);
    const webp = await prepareImage(robustness('formats', 'sharp', 'animated-loop-3.webp'), CLIP);
    expect(meanAbsDiff(gif.pixels, webp.pixels)).toBeLessThan(3);
    const firstFrame = await sharp(robustness('formats', 'sharp', 'animated-loop-3.gif'), { pages: 1 }).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer();
    const decoded = await decodeImage(robustness('formats', 'sharp', 'animated-loop-3.gif'));
    expect(decoded.height).toBe(285);
    expect(meanAbsDiff(decoded.pixels, new Uint8Array(firstFrame))).toBe(0);
    const primary = await prepareImage(robustness('formats', 'sharp', 'pitm.avif'), CLIP);
    expect([primary.sourceWidth, primary.sourceHeight]).toEqual([4096, 800]);
  });

  it('a solid 2x2 PNG enlarges to the same solid colour', async () => {
    const image = await prepareImage(robustness('size_extremes', 'sharp', '2x2_fdcce6.png'), CLIP);
    expect(channelMeans(image.pixels)).toEqual([253, 204, 110]);
  });

  it('a Buffer decodes exactly like the file it came from', async () => {
    const file = robustness('exif_gps_dates', 'ianare_gps', 'DSCN0010.jpg');
    const fromFile = await prepareImage(file, CLIP);
    const fromBuffer = await prepareImage(await readFile(file), CLIP);
    expect(fromBuffer).toEqual(fromFile);
  });
});

describe.skipIf(!hasShared('data/robustness/size_extremes'))('pixel limit', () => {
  it('indexes the 20000 x 14000 panorama under the default limit, cheaply (JPEG shrink-on-load)', async () => {
    const started = performance.now();
    const image = await prepareImage(robustness('size_extremes', 'sharp', 'giant-image.jpg'), CLIP);
    expect([image.sourceWidth, image.sourceHeight]).toEqual([20000, 14000]);
    expect(20000 * 14000).toBeLessThan(DEFAULT_MAX_INPUT_PIXELS);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses it with a lower configured limit, saying why', async () => {
    const error = await expectDecodeError(
      prepareImage(robustness('size_extremes', 'sharp', 'giant-image.jpg'), CLIP, { maxInputPixels: 100_000_000 }),
      'too-large',
      /20000 x 14000 pixels \(280 megapixels\), over the limit of 100 megapixels/,
    );
    expect(error.source).toBe(robustness('size_extremes', 'sharp', 'giant-image.jpg'));
  });

  it('refuses a 65536 x 65536 PNG bomb quickly, without allocating gigabytes', async () => {
    // ../shared does not contain this file (the README lists it), so the test builds a real one.
    const file = path.join(scratch, 'bomb-65536.png');
    await writeFile(file, decompressionBombPng());
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    await expectDecodeError(prepareImage(file, CLIP), 'too-large', /65536 x 65536 pixels \(4295 megapixels\)/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });

  it('the limit is configurable both ways', async () => {
    const png = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#808080' } }).png().toBuffer();
    await expectDecodeError(prepareImage(png, CLIP, { maxInputPixels: 19_999 }), 'too-large');
    await expect(prepareImage(png, CLIP, { maxInputPixels: 20_000 })).resolves.toMatchObject({ sourceWidth: 200 });
    await expect(prepareImage(png, CLIP, { maxInputPixels: Infinity })).resolves.toMatchObject({ sourceWidth: 200 });
    await expect(prepareImage(png, CLIP, { maxInputPixels: 0 })).rejects.toThrow(RangeError);
  });
});

describe.skipIf(!hasShared('data/robustness/corrupt'))('files that cannot be decoded', () => {
  it.each([
    ['corrupt/ianare/corrupted.jpg', 'corrupt', /JPEG data is damaged/],
    ['corrupt/pillow/broken.png', 'corrupt', /header is damaged/],
    ['corrupt/pillow/broken_data_stream.png', 'corrupt', /damaged/],
    ['corrupt/pillow/crash-2020-10-test.tif', 'corrupt', /damaged/],
    ['corrupt/pillow/seek_too_large.tif', 'corrupt', /starts like a BigTIFF image but its structure is damaged/],
    ['corrupt/sharp/truncated.jpg', 'truncated', /truncated/],
    ['misc/skimage_debian/truncated.jpg', 'truncated', /truncated/],
    ['formats/pillow/ultrahdr.jpg', 'truncated', /truncated/], // 48 KB of a 1512 x 2688 JPEG
    ['formats/pillow/hopper.bmp', 'unsupported-format', /BMP images cannot be decoded/],
    ['formats/pillow/hopper.ppm', 'unsupported-format', /Netpbm/],
    ['formats/immich/8bit-sRGB.jxl', 'unsupported-format', /JPEG XL/],
    ['formats/sharp/relax.jp2', 'unsupported-format', /JPEG 2000/],
    // sharp's prebuilt libvips has no HEVC decoder.
    ['formats/heic_ianare/iphone_13_pro_max.HEIC', 'unsupported-format', /HEIC \(HEVC-coded\)/],
    ['formats/heic_ianare/samplefilehub.heif', 'unsupported-format', /HEIC/],
    ['formats/immich/IMG_2682.heic', 'unsupported-format', /HEIC/],
    ['formats/immich/samsung-one-ui-6.heic', 'unsupported-format', /HEIC/],
    ['formats/pillow/hopper.heif', 'unsupported-format', /HEIC/],
  ] as const)('%s -> %s', async (file, code, message) => {
    const error = await expectDecodeError(prepareImage(robustness(...file.split('/')), CLIP), code, message);
    expect(error.message.startsWith(robustness(...file.split('/')))).toBe(true);
  });

  it.each(['corrupt/pillow/junk_jpeg_header.jpg', 'corrupt/pillow/truncated_app14.jpg', 'corrupt/ianare/image01551.jpg'])(
    '%s has only recoverable flaws and decodes (as in PIL)',
    async (file) => {
      await expect(prepareImage(robustness(...file.split('/')), CLIP)).resolves.toMatchObject({ size: 224 });
    },
  );

  it('missing, empty, folder, text and random-bytes inputs', async () => {
    await expectDecodeError(prepareImage(path.join(scratch, 'nope.jpg'), CLIP), 'not-found', /nope\.jpg: file not found/);
    await writeFile(path.join(scratch, 'empty.jpg'), '');
    await expectDecodeError(prepareImage(path.join(scratch, 'empty.jpg'), CLIP), 'empty', /empty/);
    await expectDecodeError(prepareImage(Buffer.alloc(0), CLIP), 'empty', /^<buffer>: /);
    await mkdir(path.join(scratch, 'folder.jpg'));
    await expectDecodeError(prepareImage(path.join(scratch, 'folder.jpg'), CLIP), 'unreadable', /folder/);
    await writeFile(path.join(scratch, 'notes.jpg'), 'Shopping list:\n- eggs\n- milk\n');
    await expectDecodeError(prepareImage(path.join(scratch, 'notes.jpg'), CLIP), 'not-an-image', /not an image \(the file contains text\)/);
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    await expectDecodeError(prepareImage(noise, CLIP), 'not-an-image', /not an image/);
  });

  it('errors carry a code for programs and the decoder detail for logs', async () => {
    const error = await expectDecodeError(prepareImage(robustness('corrupt', 'sharp', 'truncated.jpg'), CLIP), 'truncated');
    expect(error.name).toBe('ImageDecodeError');
    expect(error.detail).toMatch(/premature end/);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe.skipIf(!hasShared('data/robustness/exif_gps_dates'))('decode once, use twice (indexer)', () => {
  it('prepareFromDecoded on a larger intermediate matches prepareImage closely', async () => {
    const file = robustness('exif_gps_dates', 'ianare_exifpy_bug_repros', '36-memory_error.jpg'); // 1600 x 1200
    const direct = await prepareImage(file, CLIP);
    // E.g. the indexer decodes once at 512 px for its thumbnail, then derives the model crop.
    const decoded = await decodeImage(file, { resizeTo: ({ width, height }) => ({ width: Math.round((width * 512) / height), height: 512 }) });
    expect([decoded.width, decoded.height, decoded.sourceWidth, decoded.sourceHeight]).toEqual([683, 512, 1600, 1200]);
    const fromIntermediate = prepareFromDecoded(decoded, CLIP);
    expect(meanAbsDiff(direct.pixels, fromIntermediate.pixels)).toBeLessThan(1);
  });

  it('writeCropPng writes the crop losslessly', async () => {
    const image = await prepareImage(robustness('exif_gps_dates', 'ianare_gps', 'DSCN0010.jpg'), CLIP);
    const out = path.join(scratch, 'crop.png');
    await writeCropPng(image, out);
    const back = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect(back.info).toMatchObject({ width: 224, height: 224, channels: 3 });
    expect(meanAbsDiff(new Uint8Array(back.data), image.pixels)).toBe(0);
  });
});
