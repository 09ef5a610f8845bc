import type { SidecarFields } from './fields';
import { cleanText, decodeText, meaningfulDescription, normaliseDate, uniqueKeywords } from './normalise';

/* IPTC (IIM), as sharp returns it: the Photoshop APP13 resources ('Photoshop 3.0\0' + 8BIM blocks) or bare IIM. */

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
