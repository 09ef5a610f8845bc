/*
 * Photo metadata from the blocks sharp hands back (`metadata().exif`, `.xmp`, `.iptc`) and, for the few places sharp
 * does not look, from the file itself (a TIFF file's own IFDs, pre-EXIF JPEG segments of late-1990s cameras).
 *
 * Everything here reads untrusted bytes: every read is bounds-checked, every count is capped, pointers are followed
 * at most once, and nothing throws. A damaged block yields whatever could be read before the damage.
 */

/** What the catalog and the search text take from a photo's metadata. */
export interface PhotoMetadata {
  /** ISO 8601 wall-clock time: '2019-07-14T16:03:22', with '+02:00' only when the file records an offset. */
  takenAt: string | null;
  cameraMake: string | null;
  cameraModel: string | null;
  /** Signed decimal degrees (south and west negative). */
  gpsLat: number | null;
  gpsLon: number | null;
  description: string | null;
  keywords: string[];
}

/** The fields read from an EXIF/TIFF block, before sources are merged. */
export interface ExifFields {
  dateTimeOriginal: string | null;
  dateTimeDigitized: string | null;
  dateTime: string | null;
  make: string | null;
  model: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
  orientation: number | null;
  description: string | null;
  keywords: string[];
}

/** The fields read from XMP or IPTC. */
export interface SidecarFields {
  takenAt: string | null;
  description: string | null;
  keywords: string[];
  gpsLat: number | null;
  gpsLon: number | null;
}

export interface MetadataSources {
  exif?: Uint8Array | undefined;
  xmp?: Uint8Array | string | undefined;
  iptc?: Uint8Array | undefined;
  /** The whole file, for metadata sharp does not return (TIFF files' own tags, old JPEG maker segments). */
  file?: Uint8Array | undefined;
  /** sharp's format name for `file` ('jpeg', 'tiff', ...). */
  format?: string | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Text and date helpers

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** UTF-8 when the bytes are valid UTF-8 (most modern writers), else Latin-1 (what old cameras meant by "ASCII"). */
function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

const utf16le = new TextDecoder('utf-16le');

/** UTF-16 text; big-endian is swapped by hand (not every ICU build has a 'utf-16be' decoder). */
function utf16(bytes: Uint8Array, little: boolean): string {
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  if (little) return utf16le.decode(even);
  const swapped = new Uint8Array(even.length);
  for (let i = 0; i < even.length; i += 2) {
    swapped[i] = even[i + 1]!;
    swapped[i + 1] = even[i]!;
  }
  return utf16le.decode(swapped);
}

/** Trimmed text up to the first NUL (EXIF strings are NUL-terminated and often NUL- or space-padded); null if blank. */
function cleanText(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const nul = raw.indexOf('\0');
  const text = (nul >= 0 ? raw.slice(0, nul) : raw)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .trim();
  return text.length > 0 ? text : null;
}

/** Descriptions cameras write by themselves; they say nothing about the picture. */
const JUNK_DESCRIPTIONS = [
  /^([\w.,-]+ ){0,3}digital (still )?camera$/i,
  /^(sony |nikon |samsung |pentax |fuji(film)? )?dsc\b/i,
  /^exif[_ ]jpeg[_ ](picture|422)$/i,
  /^(default|image|picture|photo|untitled|camera|dcim|jpeg|description|no description|title|none|null|unknown)$/i,
  /^image[-_ ]?description$/i,
  /^lead technologies/i,
  /^file written by /i,
  /^converted \w+ file$/i,
  /^created with (the )?gimp$/i,
  /^(ascii|unicode|jis)$/i,
];

/** A description worth keeping: has letters, is not camera boilerplate, is not just the camera's name. */
function meaningfulDescription(raw: string | null, make?: string | null, model?: string | null): string | null {
  const text = cleanText(raw)?.replace(/\s+/g, ' ') ?? null;
  if (!text) return null;
  if (!/\p{L}/u.test(text)) return null;
  if (JUNK_DESCRIPTIONS.some((pattern) => pattern.test(text))) return null;
  const lower = text.toLowerCase();
  if ((make && lower === make.toLowerCase()) || (model && lower === model.toLowerCase())) return null;
  if (make && model && lower === `${make} ${model}`.toLowerCase()) return null;
  return text.length > 2000 ? text.slice(0, 2000) : text;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** '+02:00' from an offset text ('+02:00', '-0400', 'Z'); null when absent or implausible. */
export function normaliseOffset(raw: string | null | undefined): string | null {
  const text = cleanText(raw);
  if (!text) return null;
  if (text === 'Z' || text === 'z') return '+00:00';
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!match) return null;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 14 || minutes > 59) return null;
  return `${match[1]}${match[2]}:${match[3]}`;
}

/**
 * EXIF/XMP/ISO date text ('2019:07:14 16:03:22', '2019-07-14T16:03:22.123+02:00', '2019:07:14 16:03') to
 * '2019-07-14T16:03:22[+02:00]'. `offset` is used when the text carries none. Impossible dates (zeros, blank
 * placeholders, 31 February, hour 25) give null. Years before 1826 (the first photograph) are placeholders.
 */
export function normaliseDate(raw: string | null | undefined, offset?: string | null, options: { allowDateOnly?: boolean } = {}): string | null {
  const text = cleanText(raw);
  if (!text) return null;
  const match =
    /^(\d{4})[:\-/.](\d{1,2})[:\-/.](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, zone] = match;
  if (h === undefined && !options.allowDateOnly) return null;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (year < 1826 || year > 2200 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const zoneText = zone !== undefined ? normaliseOffset(zone) : normaliseOffset(offset);
  return `${y}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}${zoneText ?? ''}`;
}

function validCoordinate(value: number | null, limit: number): number | null {
  if (value === null || !Number.isFinite(value) || Math.abs(value) > limit) return null;
  return value;
}

/** Drops (0, 0): phones write it when they had no fix, and nobody photographs that spot in the Gulf of Guinea. */
function validPosition(lat: number | null, lon: number | null): { gpsLat: number | null; gpsLon: number | null } {
  const la = validCoordinate(lat, 90);
  const lo = validCoordinate(lon, 180);
  if (la === null || lo === null || (la === 0 && lo === 0)) return { gpsLat: null, gpsLon: null };
  return { gpsLat: la, gpsLon: lo };
}

/** 'Canon EOS 40D' for make 'Canon' + model 'Canon EOS 40D'; 'NIKON D70' for 'NIKON CORPORATION' + 'NIKON D70'. */
export function cameraLabel(make: string | null | undefined, model: string | null | undefined): string | null {
  const m = cleanText(make);
  const n = cleanText(model);
  if (!m) return n;
  if (!n) return m;
  const brand = m.split(/[\s,]+/)[0]!.toLowerCase();
  const lowerModel = n.toLowerCase();
  if (lowerModel.startsWith(m.toLowerCase()) || (brand.length > 1 && lowerModel.startsWith(brand))) return n;
  return `${m} ${n}`;
}

// ---------------------------------------------------------------------------------------------------------------
// TIFF/EXIF

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

function splitKeywords(text: string | null): string[] {
  if (!text) return [];
  return uniqueKeywords(text.split(/[;,]/));
}

function uniqueKeywords(values: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    const keyword = cleanText(value)?.replace(/\s+/g, ' ');
    if (!keyword || keyword.length > 200) continue;
    const key = keyword.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(keyword);
    if (out.length >= 200) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// XMP

/** XMP larger than this is only read this far (descriptive properties come first in every writer we know). */
const MAX_XMP_CHARS = 1024 * 1024;

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, code: string) => {
    const lower = code.toLowerCase();
    if (lower === 'amp') return '&';
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    const point = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return Number.isFinite(point) && point > 0 && point <= 0x10ffff ? String.fromCodePoint(point) : whole;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Text with tags removed; `[^<>]` keeps it linear even on a run of unclosed '<'. */
function stripTags(text: string): string {
  return decodeEntities(text.replace(/<[^<>]*>/g, ''));
}

/**
 * The elements named `name` in `xml`, in order: [attributes of the opening tag, content]. Scans with indexOf, so
 * the cost stays linear whatever the packet holds (a regular expression with a lazy `[\s\S]*?` would rescan the
 * rest of a 1 MB packet for every unclosed tag).
 */
function elements(xml: string, name: string, limit: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const open = `<${name}`;
  const close = `</${name}>`;
  let from = 0;
  while (out.length < limit) {
    const start = xml.indexOf(open, from);
    if (start < 0) break;
    const after = xml.charCodeAt(start + open.length);
    // '<dc:titleFoo' is another element.
    if (!(after === 0x3e || after === 0x2f || after === 0x20 || after === 0x09 || after === 0x0a || after === 0x0d)) {
      from = start + open.length;
      continue;
    }
    const tagEnd = xml.indexOf('>', start);
    if (tagEnd < 0) break;
    const attributes = xml.slice(start + open.length, tagEnd);
    if (attributes.endsWith('/')) {
      out.push([attributes.slice(0, -1), '']);
      from = tagEnd + 1;
      continue;
    }
    const end = xml.indexOf(close, tagEnd);
    if (end < 0) break;
    out.push([attributes, xml.slice(tagEnd + 1, end)]);
    from = end + close.length;
  }
  return out;
}

/** Values of an XMP property, written either as an attribute or as an element (simple, Alt, Bag or Seq). */
function xmpValues(xml: string, name: string): string[] {
  const attribute = new RegExp(`\\s${escapeRegExp(name)}\\s*=\\s*(["'])`).exec(xml);
  if (attribute) {
    const from = attribute.index + attribute[0].length;
    const end = xml.indexOf(attribute[1]!, from);
    if (end >= 0) return [decodeEntities(xml.slice(from, end))];
  }
  const element = elements(xml, name, 1)[0];
  if (!element) return [];
  const items = elements(element[1], 'rdf:li', 500);
  if (items.length === 0) return [stripTags(element[1])];
  // Language alternatives: the default language first.
  const isDefault = ([attributes]: [string, string]): boolean => /xml:lang\s*=\s*["']x-default["']/.test(attributes);
  const ordered = [...items.filter(isDefault), ...items.filter((item) => !isDefault(item))];
  return ordered.map(([, content]) => stripTags(content));
}

/** XMP GPS text: 'DDD,MM.mmmmN' or 'DDD,MM,SSN' (or plain signed decimal). */
function xmpCoordinate(raw: string | undefined, negative: string): number | null {
  const text = cleanText(raw);
  if (!text) return null;
  const match = /^(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])$/i.exec(text);
  if (match) {
    const value = Number(match[1]) + Number(match[2]) / 60 + Number(match[3] ?? 0) / 3600;
    return match[4]!.toUpperCase() === negative ? -value : value;
  }
  const decimal = Number(text);
  return /^[+-]?\d+(\.\d+)?$/.test(text) && Number.isFinite(decimal) ? decimal : null;
}

/** dc:description (or dc:title), dc:subject keywords, the capture date and GPS from an XMP packet. */
export function parseXmp(packet: Uint8Array | string | null | undefined): SidecarFields {
  const out: SidecarFields = { takenAt: null, description: null, keywords: [], gpsLat: null, gpsLon: null };
  if (!packet || packet.length === 0) return out;
  try {
    const full = typeof packet === 'string' ? packet : decodeText(packet.subarray(0, MAX_XMP_CHARS));
    const xml = full.length > MAX_XMP_CHARS ? full.slice(0, MAX_XMP_CHARS) : full;
    const first = (name: string): string | undefined => xmpValues(xml, name)[0];
    out.description =
      meaningfulDescription(first('dc:description') ?? null) ??
      meaningfulDescription(first('dc:title') ?? null) ??
      meaningfulDescription(first('photoshop:Headline') ?? null);
    out.keywords = uniqueKeywords(xmpValues(xml, 'dc:subject').flatMap((value) => value.split(/[;,]/)));
    for (const name of ['exif:DateTimeOriginal', 'photoshop:DateCreated', 'xmp:CreateDate', 'exif:DateTimeDigitized']) {
      out.takenAt = normaliseDate(first(name), null, { allowDateOnly: true });
      if (out.takenAt) break;
    }
    const position = validPosition(xmpCoordinate(first('exif:GPSLatitude'), 'S'), xmpCoordinate(first('exif:GPSLongitude'), 'W'));
    out.gpsLat = position.gpsLat;
    out.gpsLon = position.gpsLon;
  } catch {
    // Regular expressions over text cannot fail on content; this only guards against the unexpected.
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// IPTC (IIM), as sharp returns it: the Photoshop APP13 resources ('Photoshop 3.0\0' + 8BIM blocks) or bare IIM

function iimRecords(block: Uint8Array): Uint8Array {
  // Find the IPTC resource (8BIM, id 0x0404) inside Photoshop image resources; bare IIM starts with 0x1c.
  if (block[0] === 0x1c) return block;
  const sig = [0x38, 0x42, 0x49, 0x4d]; // '8BIM'
  for (let i = 0; i + 12 <= block.length; i++) {
    if (block[i] !== sig[0] || block[i + 1] !== sig[1] || block[i + 2] !== sig[2] || block[i + 3] !== sig[3]) continue;
    const id = (block[i + 4]! << 8) | block[i + 5]!;
    const nameLength = block[i + 6]!;
    let at = i + 6 + 1 + nameLength;
    if ((1 + nameLength) % 2 === 1) at++; // Pascal string padded to even length
    if (at + 4 > block.length) break;
    const size = ((block[at]! << 24) | (block[at + 1]! << 16) | (block[at + 2]! << 8) | block[at + 3]!) >>> 0;
    at += 4;
    if (id === 0x0404) return block.subarray(at, Math.min(block.length, at + size));
    i = at + size + (size % 2) - 1;
  }
  return new Uint8Array(0);
}

/** Caption (2:120), headline (2:105), object name (2:05), keywords (2:25), date and time created (2:55, 2:60). */
export function parseIptc(block: Uint8Array | null | undefined): SidecarFields {
  const out: SidecarFields = { takenAt: null, description: null, keywords: [], gpsLat: null, gpsLon: null };
  if (!block || block.length === 0) return out;
  try {
    const iim = iimRecords(block);
    const values = new Map<number, Uint8Array[]>();
    let utf8Declared = false;
    for (let i = 0; i + 5 <= iim.length; ) {
      if (iim[i] !== 0x1c) break;
      const record = iim[i + 1]!;
      const dataset = iim[i + 2]!;
      let size = (iim[i + 3]! << 8) | iim[i + 4]!;
      let at = i + 5;
      if (size & 0x8000) {
        // Extended dataset: the low bits give the length of the length field.
        const lengthBytes = size & 0x7fff;
        if (lengthBytes > 4 || at + lengthBytes > iim.length) break;
        size = 0;
        for (let k = 0; k < lengthBytes; k++) size = size * 256 + iim[at + k]!;
        at += lengthBytes;
      }
      if (at + size > iim.length) break;
      const data = iim.subarray(at, at + size);
      if (record === 1 && dataset === 90) utf8Declared = data.length >= 3 && data[0] === 0x1b && data[1] === 0x25 && data[2] === 0x47;
      if (record === 2) {
        const list = values.get(dataset) ?? [];
        if (list.length < 500) list.push(data);
        values.set(dataset, list);
      }
      i = at + size;
    }
    const text = (bytes: Uint8Array): string => (utf8Declared ? new TextDecoder('utf-8').decode(bytes) : decodeText(bytes));
    const firstText = (dataset: number): string | null => {
      const bytes = values.get(dataset)?.[0];
      return bytes ? text(bytes) : null;
    };
    out.description =
      meaningfulDescription(firstText(120)) ?? meaningfulDescription(firstText(105)) ?? meaningfulDescription(firstText(5));
    out.keywords = uniqueKeywords((values.get(25) ?? []).map(text));
    const date = cleanText(firstText(55));
    if (date && /^\d{8}$/.test(date)) {
      const time = cleanText(firstText(60));
      const t = time ? /^(\d{2})(\d{2})(\d{2})([+-]\d{4})?$/.exec(time) : null;
      const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
      out.takenAt = t ? normaliseDate(`${iso} ${t[1]}:${t[2]}:${t[3]}`, t[4] ?? null) : normaliseDate(iso, null, { allowDateOnly: true });
    }
  } catch {
    // Bounds are checked above; never let captions fail a photo.
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Pre-EXIF JPEG segments (cameras of the late 1990s that exiftool still dates)

/** JPEG segments before the image data, capped so a damaged file cannot make this slow. */
function* jpegSegments(file: Uint8Array): Generator<{ marker: number; body: Uint8Array }> {
  if (file[0] !== 0xff || file[1] !== 0xd8) return;
  let at = 2;
  for (let n = 0; n < 64 && at + 4 <= file.length; n++) {
    if (file[at] !== 0xff) return;
    const marker = file[at + 1]!;
    if (marker === 0xda || marker === 0xd9) return;
    const length = (file[at + 2]! << 8) | file[at + 3]!;
    if (length < 2 || at + 2 + length > file.length) return;
    yield { marker, body: file.subarray(at + 4, at + 2 + length) };
    at += 2 + length;
  }
}

/** Unix seconds that hold local wall-clock time (how these cameras kept time) as an ISO date. */
function wallClockFromSeconds(seconds: number): string | null {
  if (!(seconds > 0)) return null;
  const iso = new Date(seconds * 1000).toISOString();
  return normaliseDate(iso.slice(0, 19));
}

/** Olympus APP12 "[picture info]" text: `TimeDate=<unix seconds>`. */
function olympusApp12Date(body: Uint8Array): string | null {
  const text = latin1.decode(body.subarray(0, 4096));
  if (!text.includes('[picture info]')) return null;
  const match = /TimeDate=(\d{6,12})/.exec(text);
  return match ? wallClockFromSeconds(Number(match[1])) : null;
}

/** Canon CIFF ('HEAPJPGM' in APP0): the CapturedTime record (0x180e, first value unix seconds). */
function ciffDate(body: Uint8Array): string | null {
  if (body.length < 26 || latin1.decode(body.subarray(6, 14)) !== 'HEAPJPGM') return null;
  const little = body[0] === 0x49;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const u16 = (at: number): number | undefined => (at >= 0 && at + 2 <= body.length ? view.getUint16(at, little) : undefined);
  const u32 = (at: number): number | undefined => (at >= 0 && at + 4 <= body.length ? view.getUint32(at, little) : undefined);
  const headerLength = u32(2);
  if (headerLength === undefined) return null;
  // Sub-heaps can point anywhere, even at themselves: cap the depth and the total records examined.
  let budget = 2000;
  const search = (start: number, end: number, depth: number): string | null => {
    if (depth > 4 || start < 0 || end > body.length || end - start < 6) return null;
    const table = u32(end - 4);
    if (table === undefined) return null;
    const count = u16(start + table);
    if (count === undefined) return null;
    for (let i = 0; i < Math.min(count, 256) && budget-- > 0; i++) {
      const e = start + table + 2 + i * 10;
      const tag = u16(e);
      if (tag === undefined) return null;
      const size = u32(e + 2) ?? 0;
      const offset = u32(e + 6) ?? 0;
      const id = tag & 0x3fff;
      const inEntry = (tag & 0xc000) === 0x4000;
      if (id === 0x180e) return wallClockFromSeconds(u32(inEntry ? e + 2 : start + offset) ?? 0);
      const kind = tag & 0x3800;
      if (!inEntry && (kind === 0x2800 || kind === 0x3000)) {
        const found = search(start + offset, start + offset + size, depth + 1);
        if (found) return found;
      }
    }
    return null;
  };
  return search(headerLength, body.length, 0);
}

function legacyJpegDate(file: Uint8Array): string | null {
  for (const { marker, body } of jpegSegments(file)) {
    const date = marker === 0xec ? olympusApp12Date(body) : marker === 0xe0 ? ciffDate(body) : null;
    if (date) return date;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// All sources together

/**
 * Merges EXIF, XMP and IPTC (and the file's own TIFF tags or old JPEG segments) into what the catalog records.
 * Capture date preference: EXIF DateTimeOriginal, DateTimeDigitized, XMP/IPTC creation date, EXIF DateTime
 * (which editors overwrite on save, so it is the last resort).
 */
export function readPhotoMetadata(sources: MetadataSources): PhotoMetadata {
  let exif = parseExif(sources.exif);
  // TIFF files carry their tags in the file itself, which sharp does not return as `exif`.
  if (!sources.exif && sources.format === 'tiff' && sources.file) exif = parseExif(sources.file.subarray(0, 64 * 1024 * 1024));
  const xmp = parseXmp(sources.xmp);
  const iptc = parseIptc(sources.iptc);

  const candidates = [
    normaliseDate(exif.dateTimeOriginal),
    normaliseDate(exif.dateTimeDigitized),
    xmp.takenAt,
    iptc.takenAt,
    normaliseDate(exif.dateTime),
  ];
  let takenAt = candidates.find((date) => date !== null) ?? null;
  if (takenAt === null && sources.format === 'jpeg' && sources.file && !sources.exif) takenAt = legacyJpegDate(sources.file);
  // A time without an offset borrows one from another source that records the same wall-clock time with one
  // (EXIF without OffsetTime*, IPTC with TimeCreated '151544-0400'). Not +00:00: editors write it when they do not
  // know the zone (a Swiss October photo's IPTC time says +0000 in the corpus).
  if (takenAt !== null && takenAt.length === 19) {
    const zoned = candidates.find((date) => date !== null && date.length > 19 && date.startsWith(takenAt!) && !date.endsWith('+00:00'));
    if (zoned) takenAt = zoned;
  }

  const position =
    exif.gpsLat !== null || exif.gpsLon !== null ? validPosition(exif.gpsLat, exif.gpsLon) : { gpsLat: null, gpsLon: null };
  const gps = position.gpsLat !== null ? position : { gpsLat: xmp.gpsLat, gpsLon: xmp.gpsLon };

  return {
    takenAt,
    cameraMake: exif.make,
    cameraModel: exif.model,
    gpsLat: gps.gpsLat,
    gpsLon: gps.gpsLon,
    description: xmp.description ?? iptc.description ?? meaningfulDescription(exif.description, exif.make, exif.model),
    keywords: uniqueKeywords([...xmp.keywords, ...iptc.keywords, ...exif.keywords]),
  };
}
