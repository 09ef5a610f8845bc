import sharp from 'sharp';
import { decodeImage } from '../media/image-decoder';
import type { DecodedImage, DecodeOptions, ImageSize } from '../media/image-decoder';
import type { ModelImageInput } from '../media/photo-decoder';
import type { PreprocessConfig } from './preprocess-config';

/*
 * CLIP image preprocessing, faithful to the reference (openai/CLIP `_transform`, PIL):
 *   EXIF orientation -> RGB -> resize shortest side to `size` (long side = int(size*long/short)) with PIL's filter
 *   -> centre crop with Python round() -> ToTensor -> Normalize(mean, std).
 *
 * Decoding is media/image-decoder.ts (libvips through sharp; its colour policy is documented there). The resize
 * takes one of two routes:
 *  - Small images (either axis shrinks by less than 2x, which includes every enlargement): sharp decodes at full
 *    size and `resampleRegion` below reproduces PIL's resampling exactly (same filters, same 22-bit fixed-point
 *    arithmetic), computing only the pixels inside the crop. libvips' enlargement differs from PIL's by up to
 *    9 levels on average, so this route is what keeps small pictures faithful.
 *  - Larger images: one sharp resize with the matching libvips kernel and fastShrinkOnLoad off. libvips still uses
 *    JPEG shrink-on-load but leaves at least 2x for the kernel, which is nearly as fast as full shrink-on-load
 *    (see `npm run bench -- preprocess`) and much closer to PIL (see the parity tests in test/engine/clip/preprocess.test.ts).
 */

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

export type PreprocessOptions = Pick<DecodeOptions, 'maxInputPixels'>;

/** Where the model's square comes from: the resized size and the crop's top-left corner in it. */
export interface ResizePlan {
  width: number;
  height: number;
  left: number;
  top: number;
}

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

/** The model's needs, as the photo decoder (which decodes once for the crop and the thumbnail) takes them. */
export function modelImageInput(config: PreprocessConfig): ModelImageInput {
  return {
    decodeSize: (upright) => modelDecodeSize(upright, config),
    keepsAspectRatio: config.resizeMode === 'crop',
    interpolation: config.interpolation,
    fromDecoded: (decoded) => prepareFromDecoded(decoded, config),
  };
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
