import type { ExifFields } from './fields';
import { cleanText, decodeText, latin1, meaningfulDescription, normaliseOffset, pad2, splitKeywords, utf16, validCoordinate } from './normalise';

/*
 * TIFF/EXIF IFDs: an EXIF payload (JPEG APP1, HEIF, WebP, PNG eXIf, as sharp returns it) or a whole TIFF file.
 * Every read is bounds-checked, every count is capped and every IFD is visited at most once.
 */

const TAG = {
  imageDescription: 0x010e,
  make: 0x010f,
  model: 0x0110,
  orientation: 0x0112,
  dateTime: 0x0132,
  exifIfd: 0x8769,
  gpsIfd: 0x8825,
  xpTitle: 0x9c9b,
  xpComment: 0x9c9c,
  xpKeywords: 0x9c9e,
  xpSubject: 0x9c9f,
  dateTimeOriginal: 0x9003,
  dateTimeDigitized: 0x9004,
  offsetTime: 0x9010,
  offsetTimeOriginal: 0x9011,
  offsetTimeDigitized: 0x9012,
  userComment: 0x9286,
  makerNote: 0x927c,
  gpsLatRef: 1,
  gpsLat: 2,
  gpsLonRef: 3,
  gpsLon: 4,
} as const;

/** Bytes per value of each TIFF field type (1 BYTE ... 13 IFD). */
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8 };

/** More entries than any real IFD has; a bigger count is garbage and is cut to what fits in the block anyway. */
const MAX_IFD_ENTRIES = 1000;
/** Longest string value read (descriptions, keywords); longer values are cut. */
const MAX_STRING_BYTES = 64 * 1024;

interface Entry {
  type: number;
  count: number;
  /** Offset of the value's bytes in the TIFF block (inline or pointed to); -1 when it lies outside the block. */
  at: number;
  /** Offset of the entry's 4-byte value/offset field. */
  field: number;
}

class TiffReader {
  readonly little: boolean;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.little = bytes[0] === 0x49;
  }

  get length(): number {
    return this.bytes.length;
  }

  u16(at: number): number | undefined {
    return at >= 0 && at + 2 <= this.bytes.length ? this.view.getUint16(at, this.little) : undefined;
  }

  u32(at: number): number | undefined {
    return at >= 0 && at + 4 <= this.bytes.length ? this.view.getUint32(at, this.little) : undefined;
  }

  /** The entries of the IFD at `offset`, by tag (first wins); empty when the offset is unusable. */
  ifd(offset: number): Map<number, Entry> {
    const entries = new Map<number, Entry>();
    const declared = this.u16(offset);
    if (declared === undefined || offset < 8) return entries;
    // A count past the end of the block is damage: read the entries that are there.
    const count = Math.min(declared, MAX_IFD_ENTRIES, Math.floor((this.bytes.length - offset - 2) / 12));
    for (let i = 0; i < count; i++) {
      const e = offset + 2 + i * 12;
      const tag = this.u16(e)!;
      const type = this.u16(e + 2)!;
      const valueCount = this.u32(e + 4)!;
      if (entries.has(tag)) continue;
      const size = TYPE_SIZE[type];
      let at = -1;
      if (size !== undefined) {
        const bytes = size * valueCount;
        if (bytes <= 4) at = e + 8;
        else {
          const pointer = this.u32(e + 8)!;
          // A value reaching past the block (huge counts, bad offsets) is skipped, not followed.
          if (pointer + bytes <= this.bytes.length) at = pointer;
        }
      }
      entries.set(tag, { type, count: valueCount, at, field: e + 8 });
    }
    return entries;
  }

  string(entry: Entry | undefined): string | null {
    if (!entry || entry.at < 0) return null;
    const size = TYPE_SIZE[entry.type] ?? 1;
    if (size !== 1) return null;
    const bytes = this.bytes.subarray(entry.at, entry.at + Math.min(entry.count, MAX_STRING_BYTES));
    return cleanText(decodeText(bytes));
  }

  /** Windows XP* tags: UCS-2 little-endian in BYTE fields, whatever the block's byte order. */
  ucs2(entry: Entry | undefined): string | null {
    if (!entry || entry.at < 0 || (TYPE_SIZE[entry.type] ?? 0) !== 1) return null;
    const bytes = this.bytes.subarray(entry.at, entry.at + Math.min(entry.count, MAX_STRING_BYTES));
    return cleanText(utf16(bytes, true));
  }

  /** EXIF UserComment: an 8-byte character code, then the text. */
  userComment(entry: Entry | undefined): string | null {
    if (!entry || entry.at < 0 || entry.count <= 8 || (TYPE_SIZE[entry.type] ?? 0) !== 1) return null;
    const code = latin1.decode(this.bytes.subarray(entry.at, entry.at + 8)).replace(/\0+$/, '');
    const body = this.bytes.subarray(entry.at + 8, entry.at + Math.min(entry.count, MAX_STRING_BYTES));
    if (code === 'UNICODE') return cleanText(utf16(body, this.little));
    if (code === 'ASCII' || code === '') return cleanText(decodeText(body));
    return null;
  }

  /** Numeric values of any numeric type; NaN for a rational with a zero denominator (unless 0/0, which is 0). */
  numbers(entry: Entry | undefined, max = 8): number[] {
    if (!entry || entry.at < 0) return [];
    const out: number[] = [];
    const n = Math.min(entry.count, max);
    const v = this.view;
    const le = this.little;
    for (let i = 0; i < n; i++) {
      const size = TYPE_SIZE[entry.type];
      if (size === undefined) return [];
      const at = entry.at + i * size;
      switch (entry.type) {
        case 1:
        case 7:
          out.push(v.getUint8(at));
          break;
        case 6:
          out.push(v.getInt8(at));
          break;
        case 3:
          out.push(v.getUint16(at, le));
          break;
        case 8:
          out.push(v.getInt16(at, le));
          break;
        case 4:
        case 13:
          out.push(v.getUint32(at, le));
          break;
        case 9:
          out.push(v.getInt32(at, le));
          break;
        case 5:
        case 10: {
          const signed = entry.type === 10;
          const num = signed ? v.getInt32(at, le) : v.getUint32(at, le);
          const den = signed ? v.getInt32(at + 4, le) : v.getUint32(at + 4, le);
          out.push(den !== 0 ? num / den : num === 0 ? 0 : Number.NaN);
          break;
        }
        case 11:
          out.push(v.getFloat32(at, le));
          break;
        case 12:
          out.push(v.getFloat64(at, le));
          break;
        default:
          return [];
      }
    }
    return out;
  }

  /**
   * An IFD pointer. Broken writers store it with the wrong type (SHORT, or even ASCII): like exiftool, take the
   * 4-byte field as the offset whenever the value fits in it.
   */
  pointer(entry: Entry | undefined): number | null {
    if (!entry || entry.count < 1) return null;
    if (entry.type === 3 || entry.type === 8) return this.u16(entry.field) ?? null;
    const size = (TYPE_SIZE[entry.type] ?? 0) * entry.count;
    if (entry.type === 4 || entry.type === 13 || entry.type === 9 || (size > 0 && size <= 4)) return this.u32(entry.field) ?? null;
    return null;
  }
}

/** The TIFF block inside an EXIF payload: after 'Exif\0\0' (JPEG, HEIF, sharp) or bare (WebP, PNG eXIf, TIFF). */
function tiffBlock(block: Uint8Array): Uint8Array | null {
  const isHeader = (at: number): boolean =>
    (block[at] === 0x49 && block[at + 1] === 0x49 && block[at + 2] === 0x2a && block[at + 3] === 0x00) ||
    (block[at] === 0x4d && block[at + 1] === 0x4d && block[at + 2] === 0x00 && block[at + 3] === 0x2a);
  if (block.length >= 8 && isHeader(0)) return block;
  // 'Exif\0\0', or a few other separators seen in the wild ('Exif\0\xff').
  if (block.length >= 14 && block[0] === 0x45 && block[1] === 0x78 && block[2] === 0x69 && block[3] === 0x66 && isHeader(6)) {
    return block.subarray(6);
  }
  return null;
}

function emptyExif(): ExifFields {
  return {
    dateTimeOriginal: null,
    dateTimeDigitized: null,
    dateTime: null,
    make: null,
    model: null,
    gpsLat: null,
    gpsLon: null,
    orientation: null,
    description: null,
    keywords: [],
  };
}

function gpsCoordinate(reader: TiffReader, value: Entry | undefined, ref: Entry | undefined, negative: string): number | null {
  const parts = reader.numbers(value, 3);
  if (parts.length === 0 || parts.some((p) => !Number.isFinite(p))) return null;
  const [deg = 0, min = 0, sec = 0] = parts;
  // Components are magnitudes; a few writers store a signed degree value (SRATIONAL) instead of a reference.
  const magnitude = Math.abs(deg) + Math.abs(min) / 60 + Math.abs(sec) / 3600;
  const refText = reader.string(ref)?.toUpperCase() ?? null;
  const sign = refText !== null ? (refText.startsWith(negative) ? -1 : 1) : deg < 0 ? -1 : 1;
  return sign * magnitude;
}

/**
 * Reads an EXIF payload (sharp's `metadata().exif`: 'Exif\0\0' + TIFF header) or a whole TIFF file. Never throws:
 * damage anywhere yields the fields read before it.
 */
export function parseExif(block: Uint8Array | null | undefined): ExifFields {
  const out = emptyExif();
  if (!block) return out;
  const tiff = tiffBlock(block);
  if (!tiff) return out;
  try {
    readTiff(new TiffReader(tiff), out);
  } catch {
    // Every read above is bounds-checked; this is a last line of defence so metadata can never fail a photo.
  }
  return out;
}

function readTiff(reader: TiffReader, out: ExifFields): void {
  const visited = new Set<number>();
  const open = (offset: number | null | undefined): Map<number, Entry> | null => {
    // An IFD is read once: pointers back to an IFD already read (loops) are ignored.
    if (offset == null || offset < 8 || offset >= reader.length || visited.has(offset)) return null;
    visited.add(offset);
    return reader.ifd(offset);
  };

  const ifd0Offset = reader.u32(4);
  const ifd0 = open(ifd0Offset);
  if (!ifd0) return;
  out.make = reader.string(ifd0.get(TAG.make));
  out.model = reader.string(ifd0.get(TAG.model));
  out.dateTime = reader.string(ifd0.get(TAG.dateTime));
  const orientation = reader.numbers(ifd0.get(TAG.orientation), 1)[0];
  out.orientation = orientation !== undefined && orientation >= 1 && orientation <= 8 ? orientation : null;

  const exif = open(reader.pointer(ifd0.get(TAG.exifIfd)));
  let offsetTime: string | null = null;
  if (exif) {
    out.dateTimeOriginal = joinOffset(reader.string(exif.get(TAG.dateTimeOriginal)), reader.string(exif.get(TAG.offsetTimeOriginal)));
    out.dateTimeDigitized = joinOffset(reader.string(exif.get(TAG.dateTimeDigitized)), reader.string(exif.get(TAG.offsetTimeDigitized)));
    offsetTime = reader.string(exif.get(TAG.offsetTime));
    out.dateTimeOriginal ??= reconyxDate(reader, exif.get(TAG.makerNote));
  }
  out.dateTime = joinOffset(out.dateTime, offsetTime);

  // GPS pointer belongs in IFD0; some writers put it in the EXIF IFD.
  const gps = open(reader.pointer(ifd0.get(TAG.gpsIfd) ?? exif?.get(TAG.gpsIfd)));
  if (gps) {
    out.gpsLat = validCoordinate(gpsCoordinate(reader, gps.get(TAG.gpsLat), gps.get(TAG.gpsLatRef), 'S'), 90);
    out.gpsLon = validCoordinate(gpsCoordinate(reader, gps.get(TAG.gpsLon), gps.get(TAG.gpsLonRef), 'W'), 180);
  }

  out.description =
    meaningfulDescription(reader.string(ifd0.get(TAG.imageDescription)), out.make, out.model) ??
    meaningfulDescription(reader.ucs2(ifd0.get(TAG.xpTitle)), out.make, out.model) ??
    meaningfulDescription(reader.ucs2(ifd0.get(TAG.xpSubject)), out.make, out.model) ??
    meaningfulDescription(reader.userComment(exif?.get(TAG.userComment)), out.make, out.model) ??
    meaningfulDescription(reader.ucs2(ifd0.get(TAG.xpComment)), out.make, out.model);
  out.keywords = splitKeywords(reader.ucs2(ifd0.get(TAG.xpKeywords)));
}

/**
 * Reconyx HyperFire trail cameras keep the capture time only in their maker note (version word 0xF101, then at word
 * 11: seconds, minutes, hours, month, day, year), as exiftool reads it.
 */
function reconyxDate(reader: TiffReader, entry: Entry | undefined): string | null {
  if (!entry || entry.at < 0 || entry.count < 34) return null;
  const b = reader.bytes;
  const little = b[entry.at] === 0x01 && b[entry.at + 1] === 0xf1;
  if (!little && !(b[entry.at] === 0xf1 && b[entry.at + 1] === 0x01)) return null;
  const view = new DataView(b.buffer, b.byteOffset + entry.at, 34);
  const [sec, min, hour, month, day, year] = [11, 12, 13, 14, 15, 16].map((word) => view.getUint16(word * 2, little));
  return `${year}:${pad2(month!)}:${pad2(day!)} ${pad2(hour!)}:${pad2(min!)}:${pad2(sec!)}`;
}

/** Keeps an EXIF date and its separate offset tag together until the date is normalised. */
function joinOffset(date: string | null, offset: string | null): string | null {
  if (!date) return null;
  const zone = normaliseOffset(offset);
  return zone && !/(Z|[+-]\d{2}:?\d{2})$/i.test(date) ? `${date}${zone}` : date;
}
