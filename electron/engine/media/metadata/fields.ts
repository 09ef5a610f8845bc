/** The shapes metadata takes between the readers (tiff.ts, xmp.ts, iptc.ts) and their merge (index.ts). */

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
