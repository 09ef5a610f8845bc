import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  planResize,
  prepareFromDecoded,
  prepareImage,
  toModelInput,
  writeCropPng,
} from '../../../electron/engine/clip/preprocess';
import type { PreparedImage } from '../../../electron/engine/clip/preprocess';
import { CLIP_DEFAULT_PREPROCESS } from '../../../electron/engine/clip/preprocess-config';
import type { PreprocessConfig } from '../../../electron/engine/clip/preprocess-config';
import { decodeImage } from '../../../electron/engine/media/image-decoder';
import { ImageDecodeError } from '../../../electron/engine/media/image-errors';
import type { ImageDecodeErrorCode } from '../../../electron/engine/media/image-errors';
import { hasShared, sharedPath } from '../../support/shared-data';
import { cosine, meanAbsDiff } from '../../support/math';

const CLIP = CLIP_DEFAULT_PREPROCESS;
const robustness = (...parts: string[]): string => sharedPath('data', 'robustness', ...parts);

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

describe.skipIf(!hasShared('data/robustness/size_extremes'))('the model crop of any image', () => {
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

describe('pixel limit through prepareImage', () => {
  it('the limit is configurable both ways', async () => {
    const png = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#808080' } }).png().toBuffer();
    await expectDecodeError(prepareImage(png, CLIP, { maxInputPixels: 19_999 }), 'too-large');
    await expect(prepareImage(png, CLIP, { maxInputPixels: 20_000 })).resolves.toMatchObject({ sourceWidth: 200 });
    await expect(prepareImage(png, CLIP, { maxInputPixels: Infinity })).resolves.toMatchObject({ sourceWidth: 200 });
    await expect(prepareImage(png, CLIP, { maxInputPixels: 0 })).rejects.toThrow(RangeError);
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
