import { latin1, normaliseDate } from './normalise';

/* Pre-EXIF JPEG segments: cameras of the late 1990s that kept the capture time in segments of their own. */

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

/** The capture date a pre-EXIF camera left in its own JPEG segment (Olympus APP12, Canon CIFF); null if none. */
export function legacyJpegDate(file: Uint8Array): string | null {
  for (const { marker, body } of jpegSegments(file)) {
    const date = marker === 0xec ? olympusApp12Date(body) : marker === 0xe0 ? ciffDate(body) : null;
    if (date) return date;
  }
  return null;
}
