// The seams between the library service (what files exist), the photo decoder (what a file holds) and the indexer
// (turning pending photos into vectors). Each side is written and tested against these types alone.
import type { PhotoDetails } from '../catalog/photo-repository';
import type { PreparedImage } from '../clip/preprocess';

/** Text a photo carries itself: EXIF ImageDescription, XMP dc:description / IPTC caption, keywords. */
export interface PhotoText {
  description: string | null;
  keywords: string[];
}

/** One photo read from disk and ready for the image encoder: what the decode stage hands to the inference stage. */
export interface DecodedPhoto {
  /** The model's input crop (oriented, sRGB, resized, centre-cropped). */
  image: PreparedImage;
  /** What the catalog records: content hash, upright size, EXIF date, camera, GPS, format, thumbnail key. */
  details: PhotoDetails;
  text: PhotoText;
  /** File size and mtime that were actually read (the catalog refuses a result for an older version of the file). */
  size: number;
  mtimeMs: number;
}

export interface PhotoDecoder {
  /**
   * Reads the file once: hashes it, decodes it for the model, writes its thumbnail, reads its metadata.
   * Bad input throws ImageDecodeError (electron/engine/media/image-errors.ts) whose message a person can read.
   */
  decode(path: string, signal?: AbortSignal): Promise<DecodedPhoto>;
}

/** What the library service asks of the indexer. */
export interface IndexScheduler {
  /** New pending work exists (new or changed files): start, or keep going. */
  wake(): void;
  /** A folder is being removed: drop its queued work, and never save a result for it. */
  cancelFolder(folderId: number): void;
}
