import { open, stat } from 'node:fs/promises';
import { errorMessage } from '@shared/errors';
import sharp from 'sharp';
import type { KernelEnum, Metadata, OutputInfo } from 'sharp';
import { ImageDecodeError, classifyDecodeFailure } from './image-errors';

/*
 * General image decoding: any format sharp (libvips) opens, into upright, sRGB, 8-bit RGB pixels, optionally resized
 * on the way. The model's crop (clip/preprocess.ts) and the thumbnails (thumbnails.ts) are both cut from this.
 *
 * Colour policy (what a viewer shows the user, not what PIL's .convert('RGB') does):
 *  - ICC: an embedded profile is honoured: pixels are converted to sRGB (sharp's default for 8-bit; 16-bit RGB needs
 *    an explicit output profile, or sharp would hand back Display P3 values). No profile = assumed sRGB.
 *  - CMYK: converted with its embedded profile, else libvips' default CMYK profile. Lab, grayscale and
 *    1/16-bit images are converted/expanded to 8-bit sRGB.
 *  - Alpha: flattened onto white, like a photo viewer or web page shows transparent pictures; dark logos, line art
 *    and signatures (the common transparent images) stay visible, where black would swallow them.
 *  - Multi-page/animated files: the first page/frame (HEIF: the primary image).
 */

/**
 * Default pixel limit: 300 megapixels. It admits every camera and phone photo (the largest sensors are 100-200 MP)
 * and stitched panoramas like the 20000 x 14000 (280 MP) fixture, which JPEG shrink-on-load decodes cheaply.
 * It refuses decompression bombs (a 65536 x 65536 PNG is 4.3 gigapixels, 13 GB as RGB) from the
 * header alone, before any pixel is decoded. Most formats are decoded in strips, so memory stays bounded; interlaced
 * PNG and WebP are decoded whole, so one near the limit takes a lot of memory for a moment.
 */
export const DEFAULT_MAX_INPUT_PIXELS = 300_000_000;

/** Transparent pixels are composited onto this (see the colour policy above). */
export const ALPHA_BACKGROUND = { r: 255, g: 255, b: 255 } as const;

/** Resampling filter of a resize. */
export type ResizeFilter = 'bicubic' | 'bilinear' | 'nearest' | 'lanczos';

export interface ImageSize {
  width: number;
  height: number;
}

/** Oriented, sRGB, 8-bit RGB pixels straight out of the decoder, possibly resized. */
export interface DecodedImage {
  /** HWC RGB uint8, width*height*3. */
  pixels: Uint8Array;
  width: number;
  height: number;
  /** Upright size of the original, after EXIF orientation. */
  sourceWidth: number;
  sourceHeight: number;
  /** Decoder name: jpeg, png, webp, gif, tiff, avif, svg, ... */
  format: string;
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this (width x height). Default DEFAULT_MAX_INPUT_PIXELS; Infinity = no limit. */
  maxInputPixels?: number;
  /**
   * Size to resize to while decoding, given the upright source size; undefined (or no function) = full size.
   * Large JPEGs are then decoded with shrink-on-load, which is what makes 12-megapixel photos cheap.
   */
  resizeTo?: (upright: ImageSize) => ImageSize | undefined;
  /** Filter for that resize. Default bicubic. */
  interpolation?: ResizeFilter;
}

const SHARP_KERNEL: Record<ResizeFilter, keyof KernelEnum> = {
  bicubic: 'cubic',
  bilinear: 'linear',
  nearest: 'nearest',
  lanczos: 'lanczos3',
};

function formatName(meta: Metadata): string {
  if (meta.format === 'heif') return meta.compression === 'av1' ? 'avif' : meta.compression === 'hevc' ? 'heic' : 'heif';
  return meta.format;
}

async function checkReadable(input: string | Buffer, source: string): Promise<void> {
  if (typeof input !== 'string') {
    if (input.length === 0) throw new ImageDecodeError('empty', source, 'the data is empty (0 bytes)');
    return;
  }
  let info;
  try {
    info = await stat(input);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ImageDecodeError('not-found', source, 'file not found', { cause: error });
    throw new ImageDecodeError('unreadable', source, `the file cannot be read (${code ?? 'I/O error'})`, { cause: error });
  }
  if (!info.isFile()) throw new ImageDecodeError('unreadable', source, info.isDirectory() ? 'this is a folder, not a file' : 'not a regular file');
  if (info.size === 0) throw new ImageDecodeError('empty', source, 'the file is empty (0 bytes)');
}

/** The last `count` bytes of a file or buffer (empty when unreadable). */
async function readTail(input: string | Buffer, count: number): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.subarray(Math.max(0, input.length - count));
  try {
    const handle = await open(input, 'r');
    try {
      const { size } = await handle.stat();
      const buffer = Buffer.alloc(Math.min(count, size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, size - buffer.length);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * Why a decode failed, from libvips's message and, for JPEG, the file's end: a JPEG that does not end with its EOI
 * marker (FF D9, allowing a little trailing padding) was cut short, whatever message libvips left (its error text is
 * shared between threads and can name another file's problem when decodes run side by side).
 */
async function decodeFailure(error: unknown, source: string, input: string | Buffer): Promise<ImageDecodeError> {
  const head = await readHead(input);
  const classified = classifyDecodeFailure(error, source, head);
  if (classified.code === 'corrupt' && head[0] === 0xff && head[1] === 0xd8) {
    const tail = await readTail(input, 64);
    let endsWithEoi = false;
    for (let i = tail.length - 2; i >= 0 && !endsWithEoi; i--) endsWithEoi = tail[i] === 0xff && tail[i + 1] === 0xd9;
    if (tail.length > 0 && !endsWithEoi) {
      return new ImageDecodeError('truncated', source, 'the file is truncated (it ends before the image data does)', { detail: classified.detail, cause: error });
    }
  }
  return classified;
}

/** The first bytes, to name the format when the decoder refuses it. */
async function readHead(input: string | Buffer): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.subarray(0, 32);
  try {
    const handle = await open(input, 'r');
    try {
      const buffer = Buffer.alloc(32);
      const { bytesRead } = await handle.read(buffer, 0, 32, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return new Uint8Array(0);
  }
}

function megapixels(pixels: number): string {
  return (pixels / 1e6).toFixed(pixels < 1e7 ? 1 : 0);
}

/**
 * Runs a sharp operation; when it fails with a bare "Unknown error", runs it again (a few times at most) to learn why.
 * libvips keeps its error text in a buffer shared between threads, so with decodes running side by side a failure
 * can lose its message to another thread. The file is bad either way; this only recovers the reason people read.
 */
async function withReason<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const bare = /^unknown error$/i.test(errorMessage(error).trim());
      if (!bare || attempt >= 4) throw error;
    }
  }
}

/**
 * Decodes any image sharp can open into upright, sRGB, 8-bit RGB pixels, optionally resized on the way (see
 * DecodeOptions.resizeTo). Refuses oversized images from their header, before decoding anything.
 * Throws ImageDecodeError.
 */
export async function decodeImage(input: string | Buffer, options: DecodeOptions = {}): Promise<DecodedImage> {
  const source = typeof input === 'string' ? input : '<buffer>';
  const limit = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  if (!(limit > 0)) throw new RangeError(`maxInputPixels must be positive, got ${limit}`);
  await checkReadable(input, source);

  let meta: Metadata;
  try {
    // Header only; the limit is checked below with a message that gives the size.
    meta = await withReason(() => sharp(input, { limitInputPixels: false }).metadata());
  } catch (error) {
    throw await decodeFailure(error, source, input);
  }
  const format = formatName(meta);
  if (format === 'heic') {
    throw new ImageDecodeError('unsupported-format', source,
      'HEIC (HEVC-coded) images cannot be decoded by this build: its libvips has no HEVC decoder');
  }
  const upright = meta.autoOrient;
  if (!(upright.width > 0 && upright.height > 0)) throw new ImageDecodeError('corrupt', source, 'the image header gives no size');
  const pixelCount = upright.width * upright.height;
  if (pixelCount > limit) {
    throw new ImageDecodeError('too-large', source,
      `the image is ${upright.width} x ${upright.height} pixels (${megapixels(pixelCount)} megapixels), ` +
      `over the limit of ${megapixels(limit)} megapixels`);
  }

  let pipeline = sharp(input, {
    autoOrient: true,
    // Abort on decode errors and truncation; tolerate warnings (stray bytes between JPEG markers), as PIL does.
    failOn: 'error',
    limitInputPixels: Number.isFinite(limit) ? Math.floor(limit) : false,
  });
  const target = options.resizeTo?.(upright);
  if (target && (target.width !== upright.width || target.height !== upright.height)) {
    pipeline = pipeline.resize(target.width, target.height, {
      fit: 'fill',
      kernel: SHARP_KERNEL[options.interpolation ?? 'bicubic'],
      fastShrinkOnLoad: false,
    });
  }
  pipeline = pipeline.flatten({ background: ALPHA_BACKGROUND }).toColourspace('srgb');
  // sharp processes 16-bit RGB with a profile in Display P3; ask for sRGB out explicitly.
  if (meta.space === 'rgb16' && meta.hasProfile) pipeline = pipeline.withIccProfile('srgb');

  let data: Buffer;
  let info: OutputInfo;
  try {
    ({ data, info } = await withReason(() => pipeline.clone().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })));
  } catch (error) {
    throw await decodeFailure(error, source, input);
  }
  if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
    throw new Error(`${source}: decoder returned ${info.channels} channels of ${info.width} x ${info.height}, expected RGB`);
  }
  return {
    pixels: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    sourceWidth: upright.width,
    sourceHeight: upright.height,
    format,
  };
}
