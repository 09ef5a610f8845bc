import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_INPUT_PIXELS, decodeImage } from '../../../electron/engine/media/image-decoder';
import type { DecodedImage, DecodeOptions, ImageSize } from '../../../electron/engine/media/image-decoder';
import { ImageDecodeError } from '../../../electron/engine/media/image-errors';
import type { ImageDecodeErrorCode } from '../../../electron/engine/media/image-errors';
import { hasShared, sharedPath } from '../../support/shared-data';
import { meanAbsDiff } from '../../support/math';

const robustness = (...parts: string[]): string => sharedPath('data', 'robustness', ...parts);

/** Shrinks so the short side is 224 px (never enlarges): what a model or a thumbnail asks of a large photo. */
function shortSide224(upright: ImageSize): ImageSize | undefined {
  const scale = 224 / Math.min(upright.width, upright.height);
  if (scale >= 1) return undefined;
  return { width: Math.max(1, Math.round(upright.width * scale)), height: Math.max(1, Math.round(upright.height * scale)) };
}

function decodeSmall(input: string | Buffer, options: DecodeOptions = {}): Promise<DecodedImage> {
  return decodeImage(input, { ...options, resizeTo: shortSide224 });
}

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
  scratch = await mkdtemp(path.join(tmpdir(), 'shoebox-image-decoder-'));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.skipIf(!hasShared('data/robustness/formats', 'data/robustness/colour'))('decoding many kinds of file', () => {
  it('CMYK TIFF (0/100/100/0) comes out red via its ICC profile', async () => {
    const image = await decodeSmall(robustness('colour', 'sharp', 'fogra-0-100-100-0.tif'));
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
    const image = await decodeSmall(robustness(...file.split('/')));
    expect(image.pixels.length).toBe(image.width * image.height * 3);
    for (let i = 0; i < image.pixels.length; i += 3) {
      if (image.pixels[i] !== image.pixels[i + 1] || image.pixels[i] !== image.pixels[i + 2]) throw new Error(`pixel ${i / 3} is not grey`);
    }
  });

  it('16-bit images are scaled to 8 bits, not truncated to their low byte', async () => {
    // A chessboard stored as 0 and 255 in 16-bit samples: properly scaled that is black and (255/257 =) 1.
    const board = await decodeSmall(robustness('misc', 'skimage_debian', 'chessboard_GRAY_U16.tif'));
    expect(maxValue(board.pixels)).toBeLessThanOrEqual(1);
    const rgb16 = await decodeSmall(robustness('formats', 'sharp', 'tbgn2c16.png'));
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
    const webp = await decodeSmall(robustness('formats', 'pillow', 'transparent.webp'));
    expect(Array.from(webp.pixels.subarray(0, 3))).toEqual([255, 255, 255]);
    const greyAlpha = await decodeSmall(robustness('formats', 'sharp', 'bgbn4a08.png'));
    expect(Array.from(greyAlpha.pixels.subarray(0, 3))).toEqual([255, 255, 255]);
    // A fully transparent generated image is white, whatever colour hides under the alpha.
    const hidden = await sharp({ create: { width: 50, height: 50, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect(channelMeans((await decodeSmall(hidden)).pixels)).toEqual([255, 255, 255]);
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
    const image = await decodeSmall(robustness(...file.split('/')));
    expect(image.format).toBe(format);
    expect(image.pixels.length).toBe(image.width * image.height * 3);
  });

  it('lossless copies of one picture agree across formats (PNG, TIFF, GIF first frame)', async () => {
    const png = await decodeSmall(robustness('formats', 'pillow', 'hopper.png'));
    expect(meanAbsDiff(png.pixels, (await decodeSmall(robustness('formats', 'pillow', 'hopper.tif'))).pixels)).toBe(0);
    expect(meanAbsDiff(png.pixels, (await decodeSmall(robustness('formats', 'pillow', 'hopper.gif'))).pixels)).toBeLessThan(8);
  });

  it('animated files use their first frame; HEIF files their primary image', async () => {
    const gif = await decodeSmall(robustness('formats', 'sharp', 'animated-loop-3.gif'));
    const webp = await decodeSmall(robustness('formats', 'sharp', 'animated-loop-3.webp'));
    expect(meanAbsDiff(gif.pixels, webp.pixels)).toBeLessThan(3);
    const firstFrame = await sharp(robustness('formats', 'sharp', 'animated-loop-3.gif'), { pages: 1 }).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer();
    const decoded = await decodeImage(robustness('formats', 'sharp', 'animated-loop-3.gif'));
    expect(decoded.height).toBe(285);
    expect(meanAbsDiff(decoded.pixels, new Uint8Array(firstFrame))).toBe(0);
    const primary = await decodeSmall(robustness('formats', 'sharp', 'pitm.avif'));
    expect([primary.sourceWidth, primary.sourceHeight]).toEqual([4096, 800]);
  });


});

describe.skipIf(!hasShared('data/robustness/size_extremes'))('pixel limit', () => {
  it('indexes the 20000 x 14000 panorama under the default limit (JPEG shrink-on-load)', async () => {
    const image = await decodeSmall(robustness('size_extremes', 'sharp', 'giant-image.jpg'));
    expect([image.sourceWidth, image.sourceHeight]).toEqual([20000, 14000]);
    expect(20000 * 14000).toBeLessThan(DEFAULT_MAX_INPUT_PIXELS);
  });

  it('refuses it with a lower configured limit, saying why', async () => {
    const error = await expectDecodeError(
      decodeSmall(robustness('size_extremes', 'sharp', 'giant-image.jpg'), { maxInputPixels: 100_000_000 }),
      'too-large',
      /20000 x 14000 pixels \(280 megapixels\), over the limit of 100 megapixels/,
    );
    expect(error.source).toBe(robustness('size_extremes', 'sharp', 'giant-image.jpg'));
  });

  it('refuses a 65536 x 65536 PNG bomb from its header, without allocating gigabytes', async () => {
    // ../shared does not contain this file (the README lists it), so the test builds a real one.
    const file = path.join(scratch, 'bomb-65536.png');
    await writeFile(file, decompressionBombPng());
    const rssBefore = process.memoryUsage().rss;
    await expectDecodeError(decodeSmall(file), 'too-large', /65536 x 65536 pixels \(4295 megapixels\)/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });

  it('the limit is configurable both ways', async () => {
    const png = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#808080' } }).png().toBuffer();
    await expectDecodeError(decodeSmall(png, { maxInputPixels: 19_999 }), 'too-large');
    await expect(decodeSmall(png, { maxInputPixels: 20_000 })).resolves.toMatchObject({ sourceWidth: 200 });
    await expect(decodeSmall(png, { maxInputPixels: Infinity })).resolves.toMatchObject({ sourceWidth: 200 });
    await expect(decodeSmall(png, { maxInputPixels: 0 })).rejects.toThrow(RangeError);
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
    const error = await expectDecodeError(decodeSmall(robustness(...file.split('/'))), code, message);
    expect(error.message.startsWith(robustness(...file.split('/')))).toBe(true);
  });

  it.each(['corrupt/pillow/junk_jpeg_header.jpg', 'corrupt/pillow/truncated_app14.jpg', 'corrupt/ianare/image01551.jpg'])(
    '%s has only recoverable flaws and decodes (as in PIL)',
    async (file) => {
      await expect(decodeSmall(robustness(...file.split('/')))).resolves.toMatchObject({ format: 'jpeg' });
    },
  );

  it('missing, empty, folder, text and random-bytes inputs', async () => {
    await expectDecodeError(decodeSmall(path.join(scratch, 'nope.jpg')), 'not-found', /nope\.jpg: file not found/);
    await writeFile(path.join(scratch, 'empty.jpg'), '');
    await expectDecodeError(decodeSmall(path.join(scratch, 'empty.jpg')), 'empty', /empty/);
    await expectDecodeError(decodeSmall(Buffer.alloc(0)), 'empty', /^<buffer>: /);
    await mkdir(path.join(scratch, 'folder.jpg'));
    await expectDecodeError(decodeSmall(path.join(scratch, 'folder.jpg')), 'unreadable', /folder/);
    await writeFile(path.join(scratch, 'notes.jpg'), 'Shopping list:\n- eggs\n- milk\n');
    await expectDecodeError(decodeSmall(path.join(scratch, 'notes.jpg')), 'not-an-image', /not an image \(the file contains text\)/);
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    await expectDecodeError(decodeSmall(noise), 'not-an-image', /not an image/);
  });

  it('errors carry a code for programs and the decoder detail for logs', async () => {
    const error = await expectDecodeError(decodeSmall(robustness('corrupt', 'sharp', 'truncated.jpg')), 'truncated');
    expect(error.name).toBe('ImageDecodeError');
    expect(error.detail).toMatch(/premature end/);
    expect(error.cause).toBeInstanceOf(Error);
  });
});
