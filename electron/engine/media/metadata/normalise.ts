/*
 * Normalisation shared by every metadata reader: text (encodings, padding, boilerplate), dates, GPS positions and
 * camera names. Everything takes untrusted values and returns null rather than throwing.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });
export const latin1 = new TextDecoder('latin1');

/** UTF-8 when the bytes are valid UTF-8 (most modern writers), else Latin-1 (what old cameras meant by "ASCII"). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

const utf16le = new TextDecoder('utf-16le');

/** UTF-16 text; big-endian is swapped by hand (not every ICU build has a 'utf-16be' decoder). */
export function utf16(bytes: Uint8Array, little: boolean): string {
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
export function cleanText(raw: string | null | undefined): string | null {
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
export function meaningfulDescription(raw: string | null, make?: string | null, model?: string | null): string | null {
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

export function pad2(n: number): string {
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

export function validCoordinate(value: number | null, limit: number): number | null {
  if (value === null || !Number.isFinite(value) || Math.abs(value) > limit) return null;
  return value;
}

/** Drops (0, 0): phones write it when they had no fix, and nobody photographs that spot in the Gulf of Guinea. */
export function validPosition(lat: number | null, lon: number | null): { gpsLat: number | null; gpsLon: number | null } {
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

export function splitKeywords(text: string | null): string[] {
  if (!text) return [];
  return uniqueKeywords(text.split(/[;,]/));
}

export function uniqueKeywords(values: Iterable<string>): string[] {
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
