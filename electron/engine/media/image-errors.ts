import { errorMessage } from '@shared/errors';

/**
 * Why an image could not be turned into pixels. `code` is for programs (the indexer records it, the UI groups by it);
 * `message` is for people and names the file.
 */
export type ImageDecodeErrorCode =
  /** No file at that path. */
  | 'not-found'
  /** The path exists but cannot be read (permissions, a folder, an I/O error). */
  | 'unreadable'
  /** Zero bytes. */
  | 'empty'
  /** The bytes are not any image format we know (a text file named .jpg, random data). */
  | 'not-an-image'
  /** A real image format this build cannot decode (HEIC/HEVC, BMP, JPEG XL, JPEG 2000, PPM, PSD, ...). */
  | 'unsupported-format'
  /** The image data is damaged. */
  | 'corrupt'
  /** The file ends before the image data does (an interrupted copy or download). */
  | 'truncated'
  /** More pixels than the configured limit: refused before decoding (a decompression bomb, or an enormous scan). */
  | 'too-large';

export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
  readonly code: ImageDecodeErrorCode;
  /** The file path, or '<buffer>'. */
  readonly source: string;
  /** The decoder's own words, when it said something (for logs, not for people). */
  readonly detail: string | undefined;

  constructor(code: ImageDecodeErrorCode, source: string, reason: string, options: { detail?: string; cause?: unknown } = {}) {
    super(`${source}: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.source = source;
    this.detail = options.detail;
  }
}

/** Formats people meet in photo folders that this build of libvips (sharp's prebuilt) has no decoder for. */
const KNOWN_UNSUPPORTED: ReadonlyArray<{ name: string; test: (head: Uint8Array) => boolean }> = [
  { name: 'BMP', test: (h) => h[0] === 0x42 && h[1] === 0x4d },
  { name: 'JPEG XL', test: (h) => (h[0] === 0xff && h[1] === 0x0a) || ascii(h, 4, 8) === 'JXL ' },
  { name: 'JPEG 2000', test: (h) => ascii(h, 4, 8) === 'jP  ' || (h[0] === 0xff && h[1] === 0x4f && h[2] === 0xff && h[3] === 0x51) },
  { name: 'Photoshop (PSD)', test: (h) => ascii(h, 0, 4) === '8BPS' },
  { name: 'Netpbm (PPM/PGM/PBM)', test: (h) => h[0] === 0x50 && h[1] !== undefined && h[1] >= 0x31 && h[1] <= 0x37 && isSpace(h[2]) },
  { name: 'HEIF', test: (h) => ascii(h, 4, 8) === 'ftyp' && /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(ascii(h, 8, 12)) },
];

function ascii(head: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...head.subarray(start, end));
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Signatures of formats libvips does read: if it refuses one of these, the file is damaged, not foreign. */
const KNOWN_SUPPORTED: ReadonlyArray<{ name: string; test: (head: Uint8Array) => boolean }> = [
  { name: 'JPEG', test: (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff },
  { name: 'PNG', test: (h) => h[0] === 0x89 && ascii(h, 1, 4) === 'PNG' },
  { name: 'GIF', test: (h) => ascii(h, 0, 4) === 'GIF8' },
  { name: 'WebP', test: (h) => ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 12) === 'WEBP' },
  { name: 'TIFF', test: (h) => ascii(h, 0, 4) === 'II*\0' || ascii(h, 0, 4) === 'MM\0*' },
  { name: 'BigTIFF', test: (h) => ascii(h, 0, 4) === 'II+\0' || ascii(h, 0, 4) === 'MM\0+' },
  { name: 'AVIF', test: (h) => ascii(h, 4, 8) === 'ftyp' && /^avi[fs]$/.test(ascii(h, 8, 12)) },
];

/** Names the format of bytes libvips refused, when it is a known image format it cannot decode; else undefined. */
export function sniffUnsupportedFormat(head: Uint8Array): string | undefined {
  return KNOWN_UNSUPPORTED.find((f) => f.test(head))?.name;
}

function sniffSupportedFormat(head: Uint8Array): string | undefined {
  return KNOWN_SUPPORTED.find((f) => f.test(head))?.name;
}

/** Whether the first bytes look like text (so "not an image" can say so). */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let printable = 0;
  for (const b of head) if (b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f) || b >= 0x80) printable++;
  return printable / head.length > 0.95;
}

/**
 * Turns an error thrown by sharp/libvips into an ImageDecodeError. `head` is the first bytes of the input, used to
 * tell "a format we cannot decode" from "not an image".
 */
export function classifyDecodeFailure(error: unknown, source: string, head: Uint8Array): ImageDecodeError {
  if (error instanceof ImageDecodeError) return error;
  const detail = errorMessage(error);
  const fail = (code: ImageDecodeErrorCode, reason: string): ImageDecodeError =>
    new ImageDecodeError(code, source, reason, { detail, cause: error });

  if (/unsupported image format/i.test(detail)) {
    const readable = sniffSupportedFormat(head);
    if (readable) return fail('corrupt', `the file starts like a ${readable} image but its structure is damaged`);
    const known = sniffUnsupportedFormat(head);
    if (known) return fail('unsupported-format', `${known} images cannot be decoded by this build (no ${known} decoder)`);
    return fail('not-an-image', looksLikeText(head) ? 'not an image (the file contains text)' : 'not an image (unrecognised file contents)');
  }
  if (/exceeds pixel limit|exceed 32767x32767/i.test(detail)) return fail('too-large', 'the image has more pixels than the configured limit');
  if (/Input file is missing/i.test(detail)) return fail('not-found', 'file not found');
  // A file that ends early says so in words of its own ("Premature end of JPEG file", "... of input file"); libvips
  // may report a "Corrupt JPEG data" warning in the same message, so the ending is checked first.
  if (/premature end of (jpeg |input )?file|unexpected end of file|file truncated/i.test(detail)) {
    return fail('truncated', 'the file is truncated (it ends before the image data does)');
  }
  // libjpeg says "Corrupt JPEG data: premature end of data segment" for damage in the middle.
  if (/Corrupt JPEG data/i.test(detail)) return fail('corrupt', 'the JPEG data is damaged');
  if (/premature end|truncated|unexpected end|end of (file|stream|data)|Read error at scanline|out of data/i.test(detail)) {
    return fail('truncated', 'the file is truncated (it ends before the image data does)');
  }
  if (/corrupt header/i.test(detail)) return fail('corrupt', 'the image header is damaged');
  return fail('corrupt', 'the image data is damaged or cannot be decoded');
}
