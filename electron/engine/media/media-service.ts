import type { MediaKind } from '@shared/media-urls';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Catalog } from '../catalog/catalog';
import type { Photo } from '../catalog/photo-repository';
import { extensionOf, LIBRARY_PHOTO_EXTENSIONS } from '../library/file-types';
import { DEFAULT_MAX_INPUT_PIXELS } from './image-decoder';
import { DEFAULT_MAX_FILE_BYTES } from './photo-decoder';
import { THUMBNAIL_CONTENT_TYPE, type ThumbnailStore } from './thumbnails';

/*
 * The one way bytes of a photo leave the engine for display (web mode's /media routes, the desktop app's
 * shoebox-media:// scheme) and the one way a photo's path is handed to the OS (open, reveal). Everything is asked for
 * by photo id only; a path never comes in from outside. Before any byte of an original is read:
 *
 *  1. the id must be a photo row of the catalog, and its path absolute and normalised (no `..`, no NUL);
 *  2. its real path (every symlink followed) must lie inside the real path of one of the library's folders;
 *  3. the file is opened at that real path without following a final symlink, and the opened file must be the very
 *     file (device and inode) now at that real path - so a symlink or folder swapped in between the check and the
 *     open is caught, and the bytes served are read from that handle;
 *  4. it must be a regular file whose size and mtime are the catalog row's: a file replaced since it was indexed
 *     (say, by a symlink to /etc/passwd) is refused;
 *  5. originals are served as they are only when their own bytes (not their name) say they are a format browsers
 *     display safely (JPEG, PNG, GIF, WebP, AVIF; never SVG, which is a document); anything else is decoded with
 *     sharp and served as a JPEG (WebP where it has transparency), upright, at most MAX_CONVERTED_SIDE pixels long.
 *
 * Thumbnails come only from the ThumbnailStore, by the key the catalog row holds (a hex content hash).
 */

export type { MediaKind } from '@shared/media-urls';

/** Bytes ready to send, validated by the engine. Plain data: it crosses to Electron's main process as it is. */
export interface MediaFile {
  kind: MediaKind;
  /** Always an image type this service produced or sniffed from the bytes themselves. */
  contentType: string;
  data: Uint8Array;
  /** A strong validator (quoted) that changes whenever these bytes would. */
  etag: string;
  /** False when the original is sent as it is, true when it was converted for display. */
  converted: boolean;
}

/** What a transport (web server, Electron's protocol handler) needs; it never sees the catalog. */
export interface MediaResolver {
  /** The bytes to display for a photo the catalog owns, or null when there are none to give (see MediaService). */
  resolve(kind: MediaKind, photoId: number): Promise<MediaFile | null>;
}

/** Why nothing was served (for logs; the transports answer 404 without saying which). */
export type MediaRefusal =
  | 'bad-id'
  | 'unknown-photo'
  | 'bad-path'
  | 'missing'
  | 'outside-library'
  | 'swapped'
  | 'not-a-file'
  | 'changed'
  | 'too-large'
  | 'no-thumbnail'
  | 'not-a-photo-name'
  | 'undisplayable';

export interface MediaServiceOptions {
  catalog: Catalog;
  thumbnails: ThumbnailStore;
  /** Longest side of a converted original (default 4096). */
  maxConvertedSide?: number;
  /** Originals bigger than this are refused (default: the decoder's 512 MiB). */
  maxFileBytes?: number;
  /** Converted originals kept in memory, in bytes (default 96 MiB). */
  cacheBytes?: number;
  /** Told why a request was refused (logging, tests). */
  onRefused?: (photoId: number, kind: MediaKind | 'path', reason: MediaRefusal) => void;
}

export const MAX_CONVERTED_SIDE = 4096;
const MAX_THUMBNAIL_BYTES = 16 * 1024 * 1024;
const DEFAULT_CACHE_BYTES = 96 * 1024 * 1024;

/** Formats (as sharp names them) an original may be converted from. */
const CONVERTIBLE_FORMATS: ReadonlySet<string> = new Set(['tiff', 'heif', 'jp2k', 'jxl', 'jpeg', 'png', 'webp', 'gif', 'avif']);

/** O_NOFOLLOW where the platform has it (not on Windows, where the dev/ino comparison still holds). */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);

/** Formats a browser displays as an <img> without running anything: content type by magic bytes. */
export function sniffDisplayable(head: Uint8Array): string | null {
  const at = (offset: number, ascii: string) =>
    head.length >= offset + ascii.length && [...ascii].every((c, i) => head[offset + i] === c.charCodeAt(0));
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && at(1, 'PNG') && head[0] === 0x89 && head[4] === 0x0d && head[5] === 0x0a && head[6] === 0x1a && head[7] === 0x0a) {
    return 'image/png';
  }
  if (at(0, 'GIF87a') || at(0, 'GIF89a')) return 'image/gif';
  if (at(0, 'RIFF') && at(8, 'WEBP')) return 'image/webp';
  // ISO BMFF: the major brand of an AVIF still or sequence (HEIC's brands are not displayable by browsers).
  if (at(4, 'ftypavif') || at(4, 'ftypavis')) return 'image/avif';
  return null;
}

/** Whether `child` is `root` itself or lies under it (both absolute and normalised). */
function isUnder(root: string, child: string): boolean {
  const relative = path.relative(root, child);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** A catalog path we are willing to look at: absolute, normalised, no NUL, no `.`/`..` segments. */
function isCleanAbsolute(p: string): boolean {
  // path.resolve removes `.` and `..` segments and doubled separators: a path it changes is not one a scan recorded.
  return typeof p === 'string' && p.length > 0 && !p.includes('\0') && path.isAbsolute(p) && path.resolve(p) === p;
}

function isPhotoId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

class Refused extends Error {
  constructor(readonly reason: MediaRefusal) {
    super(reason);
  }
}

/** An original opened and checked: the handle is positioned on the validated file; close it. */
interface OpenedOriginal {
  photo: Photo;
  realPath: string;
  handle: FileHandle;
  size: number;
  mtimeMs: number;
}

export class MediaService implements MediaResolver {
  private readonly catalog: Catalog;
  private readonly thumbnails: ThumbnailStore;
  private readonly maxSide: number;
  private readonly maxFileBytes: number;
  private readonly cacheBytes: number;
  /** Converted originals by etag, least recently used first. */
  private readonly cache = new Map<string, MediaFile>();
  private cached = 0;
  private readonly converting = new Map<string, Promise<MediaFile>>();

  constructor(private readonly options: MediaServiceOptions) {
    this.catalog = options.catalog;
    this.thumbnails = options.thumbnails;
    this.maxSide = options.maxConvertedSide ?? MAX_CONVERTED_SIDE;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
  }

  /**
   * 'thumb': the cached thumbnail of the photo (WebP), null when it has none. 'photo': the original, as it is when
   * browsers display its format, else converted (see the top of this file); null when the photo is unknown, its file
   * is gone, changed since it was indexed, lies outside the library, or cannot be decoded.
   */
  async resolve(kind: MediaKind, photoId: number): Promise<MediaFile | null> {
    try {
      if (!isPhotoId(photoId)) throw new Refused('bad-id');
      if (kind === 'thumb') return await this.thumbnail(photoId);
      if (kind === 'photo') return await this.original(photoId);
      throw new Refused('bad-id');
    } catch (error) {
      if (error instanceof Refused) {
        this.options.onRefused?.(photoId, kind, error.reason);
        return null;
      }
      throw error;
    }
  }

  /**
   * The real path of a photo the catalog owns, after the same checks as the original's bytes (inside the library,
   * the file the catalog indexed); null otherwise. For "open" and "show in folder", so the real file must also have a
   * photo's extension: the OS picks the program by it, and a `holiday.jpg` symlink to `install.sh` (or `.exe`,
   * `.desktop`) must never be handed to it.
   */
  async photoPath(photoId: number): Promise<string | null> {
    try {
      if (!isPhotoId(photoId)) throw new Refused('bad-id');
      const opened = await this.openOriginal(photoId);
      await opened.handle.close();
      if (!LIBRARY_PHOTO_EXTENSIONS.has(extensionOf(path.basename(opened.realPath)))) throw new Refused('not-a-photo-name');
      return opened.realPath;
    } catch (error) {
      if (error instanceof Refused) {
        this.options.onRefused?.(photoId, 'path', error.reason);
        return null;
      }
      throw error;
    }
  }

  private async thumbnail(photoId: number): Promise<MediaFile> {
    const photo = this.catalog.photos.get(photoId);
    if (!photo) throw new Refused('unknown-photo');
    if (!photo.thumbnail) throw new Refused('no-thumbnail');
    let file: string;
    try {
      file = this.thumbnails.pathFor(photo.thumbnail);
    } catch {
      throw new Refused('no-thumbnail'); // not a content hash: never used as a path
    }
    const handle = await fsp.open(file, OPEN_FLAGS).catch(() => {
      throw new Refused('no-thumbnail');
    });
    try {
      const info = await handle.stat();
      if (!info.isFile() || info.size === 0 || info.size > MAX_THUMBNAIL_BYTES) throw new Refused('no-thumbnail');
      const data = await handle.readFile();
      if (sniffDisplayable(data) !== THUMBNAIL_CONTENT_TYPE) throw new Refused('no-thumbnail');
      return { kind: 'thumb', contentType: THUMBNAIL_CONTENT_TYPE, data, etag: `"t-${photo.thumbnail}"`, converted: false };
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private async original(photoId: number): Promise<MediaFile> {
    const opened = await this.openOriginal(photoId);
    let data: Buffer;
    try {
      data = await opened.handle.readFile();
    } finally {
      await opened.handle.close().catch(() => undefined);
    }
    if (data.length !== opened.size) throw new Refused('changed');
    const version = `${photoId}-${opened.size.toString(36)}-${Math.trunc(opened.mtimeMs).toString(36)}`;
    const contentType = sniffDisplayable(data);
    if (contentType) return { kind: 'photo', contentType, data, etag: `"p-${version}"`, converted: false };
    return this.converted(`"c-${version}-${this.maxSide}"`, data);
  }

  /** Decodes an original browsers cannot display (TIFF, HEIC where decodable, ...) into a JPEG or WebP. */
  private converted(etag: string, data: Buffer): Promise<MediaFile> {
    const hit = this.cache.get(etag);
    if (hit) {
      this.cache.delete(etag);
      this.cache.set(etag, hit);
      return Promise.resolve(hit);
    }
    const running = this.converting.get(etag);
    if (running) return running;
    const job = convertForDisplay(data, this.maxSide)
      .then((converted): MediaFile => {
        const file: MediaFile = { kind: 'photo', ...converted, etag, converted: true };
        this.remember(etag, file);
        return file;
      })
      .catch(() => {
        throw new Refused('undisplayable');
      })
      .finally(() => this.converting.delete(etag));
    this.converting.set(etag, job);
    return job;
  }

  private remember(etag: string, file: MediaFile): void {
    if (file.data.byteLength > this.cacheBytes / 4) return;
    this.cache.set(etag, file);
    this.cached += file.data.byteLength;
    for (const [key, old] of this.cache) {
      if (this.cached <= this.cacheBytes) break;
      this.cache.delete(key);
      this.cached -= old.data.byteLength;
    }
  }

  /** Steps 1-4 of the top comment. The caller owns (and closes) the returned handle. */
  private async openOriginal(photoId: number): Promise<OpenedOriginal> {
    const photo = this.catalog.photos.get(photoId);
    if (!photo) throw new Refused('unknown-photo');
    if (!isCleanAbsolute(photo.path)) throw new Refused('bad-path');

    const realPath = await fsp.realpath(photo.path).catch(() => {
      throw new Refused('missing');
    });
    const roots = await this.libraryRoots();
    if (!roots.some((root) => isUnder(root, realPath))) throw new Refused('outside-library');

    // O_NOFOLLOW: if the last component became a symlink since realpath, the open fails instead of following it.
    const handle = await fsp.open(realPath, OPEN_FLAGS).catch(() => {
      throw new Refused('swapped');
    });
    try {
      const info = await handle.stat();
      // The opened file must be the one at the checked real path now (a swapped parent folder would differ).
      const there = await fsp.stat(realPath).catch(() => null);
      const again = await fsp.realpath(realPath).catch(() => null);
      if (!there || again !== realPath || there.dev !== info.dev || there.ino !== info.ino) throw new Refused('swapped');
      if (!info.isFile()) throw new Refused('not-a-file');
      if (info.size !== photo.size || Math.trunc(info.mtimeMs) !== photo.mtimeMs) throw new Refused('changed');
      if (info.size > this.maxFileBytes) throw new Refused('too-large');
      return { photo, realPath, handle, size: info.size, mtimeMs: info.mtimeMs };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** The real paths of the library's folders that exist now (an unplugged drive's photos are not served). */
  private async libraryRoots(): Promise<string[]> {
    const roots = await Promise.all(
      this.catalog.folders.list().map((folder) => (isCleanAbsolute(folder.path) ? fsp.realpath(folder.path).catch(() => null) : null)),
    );
    return roots.filter((root): root is string => root !== null);
  }
}

/**
 * An upright copy for display, at most `maxSide` pixels on its longest side: JPEG (quality 88), or WebP where the
 * image has an alpha channel (a JPEG would paint it black). Runs in libvips' threads.
 */
export async function convertForDisplay(data: Buffer, maxSide = MAX_CONVERTED_SIDE): Promise<{ contentType: string; data: Buffer }> {
  const image = sharp(data, { limitInputPixels: DEFAULT_MAX_INPUT_PIXELS, failOn: 'error' });
  const meta = await image.metadata();
  // Photo formats only: an SVG or PDF saved under a photo's name is a document, and is not rendered for display.
  if (!CONVERTIBLE_FORMATS.has(meta.format ?? '')) throw new Error(`not a photo format: ${meta.format}`);
  const pipeline = image.rotate().resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  if (meta.hasAlpha) return { contentType: 'image/webp', data: await pipeline.webp({ quality: 88 }).toBuffer() };
  return { contentType: 'image/jpeg', data: await pipeline.jpeg({ quality: 88 }).toBuffer() };
}
