import { open, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { KernelEnum, Metadata, OutputInfo } from 'sharp';
import type { PreprocessConfig } from './preprocess-config';
import { ImageDecodeError, classifyDecodeFailure } from './image-errors';

export { ImageDecodeError } from './image-errors';
export type { ImageDecodeErrorCode } from './image-errors';

/*
 * CLIP image preprocessing, faithful to the reference (openai/CLIP `_transform`, PIL):
 *   EXIF orientation -> RGB -> resize shortest side to `size` (long side = int(size*long/short)) with PIL's filter
 *   -> centre crop with Python round() -> ToTensor -> Normalize(mean, std).
 *
 * Decoding is libvips (sharp). The resize takes one of two routes:
 *  - Small images (either axis shrinks by less than 2x, which includes every enlargement): sharp decodes at full
 *    size and `resampleRegion` below reproduces PIL's resampling exactly (same filters, same 22-bit fixed-point
 *    arithmetic), computing only the pixels inside the crop. libvips' enlargement differs from PIL's by up to
 *    9 levels on average, so this route is what keeps small pictures faithful.
 *  - Larger images: one sharp resize with the matching libvips kernel and fastShrinkOnLoad off. libvips still uses
 *    JPEG shrink-on-load but leaves at least 2x for the kernel, which is nearly as fast as full shrink-on-load
 *    (12 MP JPEG: ~40 ms vs ~35 ms) and much closer to PIL (worst MAD 0.7 vs 3.1 levels, cosine 0.9997 vs 0.9966).
 *
 * Colour policy (PIL's .convert('RGB') ignores all of this; we do what a viewer shows the user instead):
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
 * and stitched panoramas like the 20000 x 14000 (280 MP) fixture, which JPEG shrink-on-load decodes in well
 * under a second. It refuses decompression bombs (a 65536 x 65536 PNG is 4.3 gigapixels, 13 GB as RGB) from the
 * header alone, before any pixel is decoded. Most formats are decoded in strips, so memory stays bounded (a 96 MP
 * PNG: +60 MB, 1.3 s); interlaced PNG and WebP are decoded whole, so one near the limit can take ~1 GB for a moment.
 */
export const DEFAULT_MAX_INPUT_PIXELS = 300_000_000;

/** Transparent pixels are composited onto this (see the colour policy above). */
export const ALPHA_BACKGROUND = { r: 255, g: 255, b: 255 } as const;

export interface PreparedImage {
  /** HWC RGB uint8, size*size*3. */
  pixels: Uint8Array;
  size: number;
  /** Upright size, after EXIF orientation. */
  sourceWidth: number;
  sourceHeight: number;
  /** Decoder name: jpeg, png, webp, gif, tiff, avif, svg, ... */
  format: string;
}

export interface PreprocessOptions {
  /** Refuse images with more pixels than this (width x height). Default DEFAULT_MAX_INPUT_PIXELS; Infinity = no limit. */
  maxInputPixels?: number;
}

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
  format: string;
}

export interface DecodeOptions extends PreprocessOptions {
  /**
   * Size to resize to while decoding, given the upright source size; undefined (or no function) = full size.
   * Large JPEGs are then decoded with shrink-on-load, which is what makes 12-megapixel photos cheap.
   */
  resizeTo?: (upright: ImageSize) => ImageSize | undefined;
  /** Filter for that resize. Default bicubic. */
  interpolation?: PreprocessConfig['interpolation'];
}

/** Where the model's square comes from: the resized size and the crop's top-left corner in it. */
export interface ResizePlan {
  width: number;
  height: number;
  left: number;
  top: number;
}

const SHARP_KERNEL: Record<PreprocessConfig['interpolation'], keyof KernelEnum> = {
  bicubic: 'cubic',
  bilinear: 'linear',
  nearest: 'nearest',
  lanczos: 'lanczos3',
};

/** Below this shrink factor (on either axis) the resize is done by the exact PIL resampler here, not by libvips. */
const EXACT_RESAMPLE_BELOW_SCALE = 2;
/** ...unless the full-size decode would be bigger than this (only absurd aspect ratios get there). */
const EXACT_RESAMPLE_MAX_PIXELS = 16_000_000;

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The reference resize and crop geometry for an upright width x height image. */
export function planResize(width: number, height: number, config: PreprocessConfig): ResizePlan {
  const size = config.size;
  if (config.resizeMode === 'squash') return { width: size, height: size, left: 0, top: 0 };
  // torchvision Resize(int): the short side becomes `size`, the long side int(size * long / short).
  const resizedWidth = width <= height ? size : Math.trunc((size * width) / height);
  const resizedHeight = width <= height ? Math.trunc((size * height) / width) : size;
  // torchvision center_crop: int(round((h - size) / 2.0)).
  return {
    width: resizedWidth,
    height: resizedHeight,
    left: roundHalfEven((resizedWidth - size) / 2),
    top: roundHalfEven((resizedHeight - size) / 2),
  };
}

/** What prepareImage asks the decoder for: the final resized size when libvips may do the resize, else full size. */
export function modelDecodeSize(upright: ImageSize, config: PreprocessConfig): ImageSize | undefined {
  const plan = planResize(upright.width, upright.height, config);
  const smallestShrink = Math.min(upright.width / plan.width, upright.height / plan.height);
  const fullPixels = upright.width * upright.height;
  if (smallestShrink < EXACT_RESAMPLE_BELOW_SCALE && fullPixels <= EXACT_RESAMPLE_MAX_PIXELS) return undefined;
  return { width: plan.width, height: plan.height };
}

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

/** The first bytes, to name the format when the decoder refuses it. */
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
      const bare = error instanceof Error && /^unknown error$/i.test(error.message.trim());
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

/**
 * The model's square from a decoded image of any size (full size, already resized to the plan, or an intermediate
 * the caller also uses for a thumbnail). Resizes with the exact PIL resampler when the sizes differ.
 */
export function prepareFromDecoded(decoded: DecodedImage, config: PreprocessConfig): PreparedImage {
  const plan = planResize(decoded.sourceWidth, decoded.sourceHeight, config);
  const region = { left: plan.left, top: plan.top, width: config.size, height: config.size };
  const pixels =
    decoded.width === plan.width && decoded.height === plan.height
      ? cropRgb(decoded.pixels, decoded.width, region)
      : resampleRegion(decoded.pixels, decoded.width, decoded.height, plan.width, plan.height, region, config.interpolation);
  return { pixels, size: config.size, sourceWidth: decoded.sourceWidth, sourceHeight: decoded.sourceHeight, format: decoded.format };
}

/** Decodes, orients, converts, resizes and centre-crops one image for the CLIP image encoder. Throws ImageDecodeError. */
export async function prepareImage(input: string | Buffer, config: PreprocessConfig, options: PreprocessOptions = {}): Promise<PreparedImage> {
  const decoded = await decodeImage(input, {
    ...options,
    interpolation: config.interpolation,
    resizeTo: (upright) => modelDecodeSize(upright, config),
  });
  return prepareFromDecoded(decoded, config);
}

/** ToTensor + Normalize per byte value, in float32 steps like torch: ((v / 255) - mean) / std. */
function normalisationTable(config: PreprocessConfig): Float32Array {
  const table = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(config.mean[c] ?? 0);
    const std = Math.fround(config.std[c] ?? 1);
    for (let v = 0; v < 256; v++) table[c * 256 + v] = Math.fround(Math.fround(Math.fround(v / 255) - mean) / std);
  }
  return table;
}

/** Batch of crops -> [batch, 3, size, size] float32, normalised, channel planes contiguous (NCHW). */
export function toModelInput(images: readonly PreparedImage[] | readonly Uint8Array[], config: PreprocessConfig): Float32Array {
  const size = config.size;
  const plane = size * size;
  const out = new Float32Array(images.length * 3 * plane);
  const table = normalisationTable(config);
  for (let n = 0; n < images.length; n++) {
    const image = images[n];
    if (image === undefined) continue;
    const pixels = image instanceof Uint8Array ? image : image.pixels;
    if (!(image instanceof Uint8Array) && image.size !== size) {
      throw new RangeError(`image ${n} is ${image.size}px square, the model wants ${size}px`);
    }
    if (pixels.length !== plane * 3) throw new RangeError(`image ${n} has ${pixels.length} bytes, expected ${plane * 3} (${size}x${size} RGB)`);
    const r = n * 3 * plane;
    const g = r + plane;
    const b = g + plane;
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      out[r + i] = table[pixels[p]!]!;
      out[g + i] = table[256 + pixels[p + 1]!]!;
      out[b + i] = table[512 + pixels[p + 2]!]!;
    }
  }
  return out;
}

/** Writes the model's uint8 crop as a PNG (what `shoebox preprocess` shows). */
export async function writeCropPng(image: PreparedImage, outPath: string): Promise<void> {
  if (image.pixels.length !== image.size * image.size * 3) throw new RangeError(`crop has ${image.pixels.length} bytes, expected ${image.size * image.size * 3}`);
  await sharp(image.pixels, { raw: { width: image.size, height: image.size, channels: 3 } }).png().toFile(outPath);
}

interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

function cropRgb(src: Uint8Array, srcWidth: number, region: Region): Uint8Array {
  const out = new Uint8Array(region.width * region.height * 3);
  const rowBytes = region.width * 3;
  for (let y = 0; y < region.height; y++) {
    const from = ((region.top + y) * srcWidth + region.left) * 3;
    out.set(src.subarray(from, from + rowBytes), y * rowBytes);
  }
  return out;
}

// ---- PIL-exact resampling (Pillow src/libImaging/Resample.c, 8 bits per channel) ----

interface Filter {
  support: number;
  weight: (x: number) => number;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

const PIL_FILTERS: Record<Exclude<PreprocessConfig['interpolation'], 'nearest'>, Filter> = {
  bilinear: { support: 1, weight: (x) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0) },
  bicubic: {
    support: 2,
    // Keys cubic with a = -0.5, as PIL.
    weight: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, weight: (x) => (x > -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

const PRECISION_BITS = 32 - 8 - 2;

interface Coefficients {
  /** First source index of each output sample. */
  start: Int32Array;
  /** Number of taps of each output sample. */
  count: Int32Array;
  /** Fixed-point weights, `stride` per output sample. */
  weights: Int32Array;
  stride: number;
}

/** PIL's precompute_coeffs + normalize_coeffs_8bpc, for outputs [first, first + length) of an inSize -> outSize resize. */
function coefficients(inSize: number, outSize: number, first: number, length: number, filter: Filter): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(length);
  const count = new Int32Array(length);
  const weights = new Int32Array(length * stride);
  const raw = new Float64Array(stride);
  for (let i = 0; i < length; i++) {
    const center = (first + i + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const min = Math.max(0, Math.trunc(center - support + 0.5));
    const max = Math.min(inSize, Math.trunc(center + support + 0.5)) - min;
    let sum = 0;
    for (let x = 0; x < max; x++) {
      const w = filter.weight((x + min - center + 0.5) / filterScale);
      raw[x] = w;
      sum += w;
    }
    for (let x = 0; x < max; x++) {
      const w = sum !== 0 ? raw[x]! / sum : raw[x]!;
      const fixed = w * (1 << PRECISION_BITS);
      weights[i * stride + x] = fixed < 0 ? Math.trunc(fixed - 0.5) : Math.trunc(fixed + 0.5);
    }
    start[i] = min;
    count[i] = Math.max(0, max);
  }
  return { start, count, weights, stride };
}

function clip8(accumulator: number): number {
  const v = accumulator >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Resizes HWC RGB `src` (srcWidth x srcHeight) to outWidth x outHeight exactly as PIL's Image.resize does, but
 * computes only `region` of the output (the crop), so the cost does not depend on the resized size.
 */
export function resampleRegion(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  outWidth: number,
  outHeight: number,
  region: Region,
  interpolation: PreprocessConfig['interpolation'],
): Uint8Array {
  if (interpolation === 'nearest') return nearestRegion(src, srcWidth, srcHeight, outWidth, outHeight, region);
  const filter = PIL_FILTERS[interpolation];
  const half = 1 << (PRECISION_BITS - 1);

  // Horizontal pass over just the source rows the vertical pass will read (PIL skips a pass whose size is unchanged).
  const vertical = outHeight !== srcHeight ? coefficients(srcHeight, outHeight, region.top, region.height, filter) : undefined;
  let rowFirst = region.top;
  let rowEnd = region.top + region.height;
  if (vertical) {
    rowFirst = vertical.start[0]!;
    rowEnd = vertical.start[region.height - 1]! + vertical.count[region.height - 1]!;
  }
  const rows = rowEnd - rowFirst;
  const width = region.width;
  let temp: Uint8Array;
  if (outWidth !== srcWidth) {
    const h = coefficients(srcWidth, outWidth, region.left, width, filter);
    temp = new Uint8Array(rows * width * 3);
    for (let y = 0; y < rows; y++) {
      const srcRow = (rowFirst + y) * srcWidth * 3;
      const outRow = y * width * 3;
      for (let x = 0; x < width; x++) {
        let r = half;
        let g = half;
        let b = half;
        const k = x * h.stride;
        let p = srcRow + h.start[x]! * 3;
        for (let t = 0, n = h.count[x]!; t < n; t++, p += 3) {
          const w = h.weights[k + t]!;
          r += src[p]! * w;
          g += src[p + 1]! * w;
          b += src[p + 2]! * w;
        }
        const o = outRow + x * 3;
        temp[o] = clip8(r);
        temp[o + 1] = clip8(g);
        temp[o + 2] = clip8(b);
      }
    }
  } else {
    temp = cropRgb(src, srcWidth, { left: region.left, top: rowFirst, width, height: rows });
  }
  if (!vertical) return temp;

  const out = new Uint8Array(region.height * width * 3);
  const rowBytes = width * 3;
  // Row at a time (sequential memory); the sums are exact in float64, so the order does not change the result.
  const acc = new Float64Array(rowBytes);
  for (let y = 0; y < region.height; y++) {
    acc.fill(half);
    const k = y * vertical.stride;
    let p = (vertical.start[y]! - rowFirst) * rowBytes;
    for (let t = 0, n = vertical.count[y]!; t < n; t++, p += rowBytes) {
      const w = vertical.weights[k + t]!;
      for (let x = 0; x < rowBytes; x++) acc[x]! += temp[p + x]! * w;
    }
    const outRow = y * rowBytes;
    for (let x = 0; x < rowBytes; x++) out[outRow + x] = clip8(acc[x]!);
  }
  return out;
}

/** PIL's NEAREST resize: the source pixel under each output pixel's centre. */
function nearestRegion(src: Uint8Array, srcWidth: number, srcHeight: number, outWidth: number, outHeight: number, region: Region): Uint8Array {
  const out = new Uint8Array(region.width * region.height * 3);
  const sx = srcWidth / outWidth;
  const sy = srcHeight / outHeight;
  for (let y = 0; y < region.height; y++) {
    const from = Math.min(srcHeight - 1, Math.floor((region.top + y + 0.5) * sy));
    for (let x = 0; x < region.width; x++) {
      const col = Math.min(srcWidth - 1, Math.floor((region.left + x + 0.5) * sx));
      const p = (from * srcWidth + col) * 3;
      const o = (y * region.width + x) * 3;
      out[o] = src[p]!;
      out[o + 1] = src[p + 1]!;
      out[o + 2] = src[p + 2]!;
    }
  }
  return out;
}
