/*
 * Photo metadata from the blocks sharp hands back (`metadata().exif`, `.xmp`, `.iptc`) and, for the few places sharp
 * does not look, from the file itself (a TIFF file's own IFDs, pre-EXIF JPEG segments of late-1990s cameras).
 *
 * Everything here reads untrusted bytes: every read is bounds-checked, every count is capped, pointers are followed
 * at most once, and nothing throws. A damaged block yields whatever could be read before the damage.
 */

import type { MetadataSources, PhotoMetadata } from './fields';
import { parseIptc } from './iptc';
import { legacyJpegDate } from './legacy-jpeg';
import { meaningfulDescription, normaliseDate, uniqueKeywords, validPosition } from './normalise';
import { parseExif } from './tiff';
import { parseXmp } from './xmp';

export type { ExifFields, MetadataSources, PhotoMetadata, SidecarFields } from './fields';
export { cameraLabel, normaliseDate, normaliseOffset } from './normalise';
export { parseIptc } from './iptc';
export { parseExif } from './tiff';
export { parseXmp } from './xmp';

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
