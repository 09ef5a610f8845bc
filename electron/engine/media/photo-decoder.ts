import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import sharp from 'sharp';
import type { Metadata } from 'sharp';
import type { PhotoDetails } from '../catalog/photo-repository';
import type { DecodedPhoto, PhotoDecoder, PhotoText } from '../indexing/types';
import { hashBuffer } from '../library/content-hash';
import { decodeImage } from './image-decoder';
import type { DecodedImage, ImageSize, ResizeFilter } from './image-decoder';
import { ImageDecodeError } from './image-errors';
import { readPhotoMetadata } from './metadata';
import type { ThumbnailStore } from './thumbnails';
import { THUMBNAIL_SIZE, thumbnailSize } from './thumbnails';

/** Files larger than this are refused before reading: no photo is this big, and the whole file is held in memory. */
export const DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024;

/**
 * What the model needs from each photo's decode, described without naming the model (clip/preprocess.ts'
 * modelImageInput gives the CLIP one), so one decode can serve the model and the thumbnail.
 */
export interface ModelImageInput {
  /** The decode size the model's input is cut from exactly (its own resize); undefined = full size. */
  decodeSize(upright: ImageSize): ImageSize | undefined;
  /** Whether the model's resize keeps the aspect ratio (a centre crop) rather than squashing both sides. */
  keepsAspectRatio: boolean;
  /** The filter the model resizes with. */
  interpolation: ResizeFilter;
  /** The model's input from a decoded image of any size. */
  fromDecoded(decoded: DecodedImage): DecodedPhoto['image'];
}

export interface SharpPhotoDecoderOptions {
  /** The model's input: crop size, resize mode and filter, as one description. */
  modelInput: ModelImageInput;
  thumbnails: ThumbnailStore;
  /** Refuse images with more pixels than this (default: decodeImage's, 300 megapixels). */
  maxInputPixels?: number;
  /** Refuse files bigger than this, in bytes (default 512 MiB). */
  maxFileBytes?: number;
}

/**
 * The size to decode at so one decode serves both the model's crop and the thumbnail.
 *
 *  - undefined (full size) when the model wants it: small images go through the model's exact PIL resampler,
 *    which must see the original pixels. The thumbnail is then resized from the full-size pixels.
 *  - The model's own resize (exactly what prepareImage decodes, so the crop is identical) when it is at least the
 *    thumbnail's size on both axes: any picture at least 8:7 wide or tall, with a 224 px model.
 *  - Otherwise (near-square pictures, where the model's 224 px short side is smaller than the thumbnail's 256, and
 *    `squash` models, whose resize distorts): an aspect-preserving size of at least twice the model's size and at
 *    least the thumbnail's. The model's input is resampled from it with PIL's filter, which stays within a level of the
 *    direct crop, where a thumbnail-sized decode or an upscaled thumbnail would not (photo-decoder.test.ts).
 */
export function decodeSizeFor(
  upright: ImageSize,
  modelInput: Pick<ModelImageInput, 'decodeSize' | 'keepsAspectRatio'>,
  thumbnailMax = THUMBNAIL_SIZE,
): ImageSize | undefined {
  const model = modelInput.decodeSize(upright);
  if (!model) return undefined;
  const thumb = thumbnailSize(upright.width, upright.height, thumbnailMax);
  if (modelInput.keepsAspectRatio && model.width >= thumb.width && model.height >= thumb.height) return model;
  const scale = Math.max(
    (2 * model.width) / upright.width,
    (2 * model.height) / upright.height,
    thumb.width / upright.width,
    thumb.height / upright.height,
  );
  if (scale >= 1) return undefined;
  // Rounded up (less a rounding error's worth, so 3000 x 448/3000 stays 448): never below the sizes asked for.
  const side = (length: number): number => Math.min(length, Math.max(1, Math.ceil(length * scale - 1e-6)));
  return { width: side(upright.width), height: side(upright.height) };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** The file-system error of opening or reading `source`, in words. */
function fileError(error: unknown, source: string): ImageDecodeError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new ImageDecodeError('not-found', source, 'file not found', { cause: error });
  if (code === 'EISDIR') return new ImageDecodeError('unreadable', source, 'this is a folder, not a file', { cause: error });
  if (code === 'EACCES' || code === 'EPERM') {
    return new ImageDecodeError('unreadable', source, 'the file cannot be read (permission denied)', { cause: error });
  }
  return new ImageDecodeError('unreadable', source, `the file cannot be read (${code ?? 'I/O error'})`, { cause: error });
}

interface FileBytes {
  buffer: Buffer;
  size: number;
  mtimeMs: number;
}

/** Reads the whole file through one handle, refusing non-files, empty files and files over the cap before reading. */
async function readWholeFile(source: string, maxBytes: number, signal: AbortSignal | undefined): Promise<FileBytes> {
  let handle: FileHandle;
  try {
    handle = await open(source, 'r');
  } catch (error) {
    throw fileError(error, source);
  }
  try {
    let before;
    try {
      before = await handle.stat();
    } catch (error) {
      throw fileError(error, source);
    }
    if (before.isDirectory()) throw new ImageDecodeError('unreadable', source, 'this is a folder, not a file');
    if (!before.isFile()) throw new ImageDecodeError('unreadable', source, 'not a regular file');
    if (before.size === 0) throw new ImageDecodeError('empty', source, 'the file is empty (0 bytes)');
    if (before.size > maxBytes) {
      throw new ImageDecodeError('too-large', source, `the file is ${formatBytes(before.size)}, over the ${formatBytes(maxBytes)} limit for a photo`);
    }
    let buffer: Buffer;
    try {
      buffer = await handle.readFile(signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw fileError(error, source);
    }
    const after = await handle.stat().catch(() => before);
    // A file still being copied in: its bytes are not the version the catalog would record. The watcher sees the
    // next change and the photo is retried then.
    if (buffer.length !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      throw new ImageDecodeError('unreadable', source, 'the file changed while it was being read (is it still being copied?)');
    }
    return { buffer, size: before.size, mtimeMs: before.mtimeMs };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** decodeImage names a buffer '<buffer>'; people need the file's path. */
function withSource(error: unknown, source: string): unknown {
  if (!(error instanceof ImageDecodeError) || error.source === source) return error;
  const prefix = `${error.source}: `;
  const reason = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new ImageDecodeError(error.code, source, reason, { ...(error.detail !== undefined ? { detail: error.detail } : {}), cause: error });
}

/**
 * Decodes photos for the indexer with sharp: one read, one hash, one decode shared by the model's crop and the
 * thumbnail, and the metadata from the same bytes. The JS thread only hashes, parses metadata blocks and cuts the
 * crop; decoding, resizing and encoding run in libvips' threads.
 */
export class SharpPhotoDecoder implements PhotoDecoder {
  private readonly modelInput: ModelImageInput;
  private readonly thumbnails: ThumbnailStore;
  private readonly maxInputPixels: number | undefined;
  private readonly maxFileBytes: number;

  constructor(options: SharpPhotoDecoderOptions) {
    this.modelInput = options.modelInput;
    this.thumbnails = options.thumbnails;
    this.maxInputPixels = options.maxInputPixels;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  async decode(path: string, signal?: AbortSignal): Promise<DecodedPhoto> {
    signal?.throwIfAborted();
    const file = await readWholeFile(path, this.maxFileBytes, signal);
    signal?.throwIfAborted();
    const contentHash = hashBuffer(file.buffer);

    const modelInput = this.modelInput;
    const [decoded, meta] = await Promise.all([
      decodeImage(file.buffer, {
        ...(this.maxInputPixels !== undefined ? { maxInputPixels: this.maxInputPixels } : {}),
        interpolation: modelInput.interpolation,
        resizeTo: (upright) => decodeSizeFor(upright, modelInput),
      }).catch((error: unknown) => {
        throw withSource(error, path);
      }),
      // Metadata is optional: a file whose header sharp cannot read fails in decodeImage with the reason.
      sharp(file.buffer, { limitInputPixels: false })
        .metadata()
        .catch((): Metadata | undefined => undefined),
    ]);
    signal?.throwIfAborted();

    // The thumbnail is resized and encoded in libvips' threads while this thread cuts the model's crop.
    const thumbnail = this.writeThumbnail(contentHash, decoded);
    const image = modelInput.fromDecoded(decoded);
    const metadata = readPhotoMetadata({ exif: meta?.exif, xmp: meta?.xmp, iptc: meta?.iptc, file: file.buffer, format: meta?.format });

    const details: PhotoDetails = {
      contentHash,
      width: decoded.sourceWidth,
      height: decoded.sourceHeight,
      takenAt: metadata.takenAt,
      cameraMake: metadata.cameraMake,
      cameraModel: metadata.cameraModel,
      gpsLat: metadata.gpsLat,
      gpsLon: metadata.gpsLon,
      format: decoded.format,
      thumbnail: await thumbnail,
    };
    const text: PhotoText = { description: metadata.description, keywords: metadata.keywords };
    return { image, details, text, size: file.size, mtimeMs: file.mtimeMs };
  }

  /**
   * The thumbnail's key, or null when it could not be written (disk full, permissions): the photo is still worth
   * indexing, and the next change of the file tries again.
   */
  private async writeThumbnail(key: string, decoded: DecodedImage): Promise<string | null> {
    try {
      await this.thumbnails.write(key, decoded);
      return key;
    } catch {
      return null;
    }
  }
}
