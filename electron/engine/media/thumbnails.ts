import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/*
 * Thumbnails live under the data folder, one file per content hash: `<root>/ab/abcdef….webp`. Two files with the same
 * bytes share one thumbnail, and a moved or renamed photo keeps it.
 *
 * Format: WebP, quality 80, effort 2. At the same PSNR as JPEG q85, WebP q80 e2 is clearly smaller for a little more
 * encode time, spent in libvips' threads (not the JS thread) and small next to decoding the photo. Effort 4 (sharp's
 * default) saves little more and doubles the time; AVIF is half the size but far slower to encode. Chromium
 * (Electron and web mode) displays WebP natively. Thumbnail cost is part of `npm run bench -- index`.
 */

/** Longest side of a thumbnail, in pixels. Smaller pictures keep their size (never enlarged). */
export const THUMBNAIL_SIZE = 256;
export const THUMBNAIL_EXTENSION = '.webp';
export const THUMBNAIL_CONTENT_TYPE = 'image/webp';
const WEBP_OPTIONS = { quality: 80, effort: 2 } as const;

/**
 * How long a thumbnail this store wrote is protected from prune(): its photo may still be between the decoder and
 * the catalog (decoded, waiting for inference), so the catalog does not list its key yet.
 */
const DEFAULT_PRUNE_GRACE_MS = 10 * 60 * 1000;

/** Keys are content hashes: lower-case hex (and so safe as file names on every filesystem). */
const KEY_PATTERN = /^[0-9a-f]{8,128}$/;
const THUMBNAIL_NAME = /^([0-9a-f]{8,128})\.(webp|jpg)$/;
const TEMP_NAME = /\.tmp$/;

/** Upright sRGB pixels: HWC RGB, width*height*3 bytes (a DecodedImage from image-decoder.ts is one). */
export interface RgbImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

export interface ThumbnailWrite {
  path: string;
  /** False when the thumbnail already existed (a duplicate photo) and nothing was written. */
  written: boolean;
}

export interface PruneOptions {
  /** Keep thumbnails this store wrote less than this long ago (default 10 minutes); 0 prunes every unreferenced one. */
  graceMs?: number;
}

export interface PruneResult {
  removed: number;
  kept: number;
  bytesFreed: number;
}

/** Thumbnail size for an upright width x height picture: longest side `max`, aspect ratio kept, never enlarged. */
export function thumbnailSize(width: number, height: number, max = THUMBNAIL_SIZE): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= max) return { width, height };
  const scale = max / long;
  return width >= height
    ? { width: max, height: Math.max(1, Math.round(height * scale)) }
    : { width: Math.max(1, Math.round(width * scale)), height: max };
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

export class ThumbnailStore {
  /** Writes in progress, by key: a second write of the same key waits for the first instead of encoding again. */
  private readonly inFlight = new Map<string, Promise<ThumbnailWrite>>();
  /** Keys this store wrote, with when (insertion order is time order), for prune's grace period. */
  private readonly recent = new Map<string, number>();

  /** `root` is the thumbnails folder itself (`<dataDir>/thumbnails`); it is created on the first write. */
  constructor(readonly root: string) {}

  /** Where the thumbnail for `key` is (or would be). Throws on a key that is not a content hash. */
  pathFor(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new RangeError(`not a thumbnail key (lower-case hex content hash): ${JSON.stringify(key)}`);
    return path.join(this.root, key.slice(0, 2), key + THUMBNAIL_EXTENSION);
  }

  /** Whether the thumbnail exists. A zero-byte file (what some filesystems leave after a power cut) does not count. */
  async has(key: string): Promise<boolean> {
    try {
      const info = await fsp.stat(this.pathFor(key));
      return info.isFile() && info.size > 0;
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return false;
      throw error;
    }
  }

  /**
   * Writes the thumbnail for `key` from upright pixels, resized to THUMBNAIL_SIZE on the longest side, unless it
   * already exists. The file appears whole or not at all: it is written to a temporary name and renamed.
   */
  write(key: string, image: RgbImage): Promise<ThumbnailWrite> {
    const target = this.pathFor(key);
    const pending = this.inFlight.get(key);
    if (pending) return pending.then((result) => ({ ...result, written: false }));
    const job = (async (): Promise<ThumbnailWrite> => {
      // Remembered either way: a duplicate photo on its way to the catalog needs the existing file kept too.
      if (await this.has(key)) {
        this.remember(key);
        return { path: target, written: false };
      }
      const data = await encodeThumbnail(image);
      await writeAtomically(target, data);
      this.remember(key);
      return { path: target, written: true };
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, job);
    return job;
  }

  /**
   * Deletes thumbnails whose key is not in `keep`, and temporary files left by a crash. Thumbnails being written,
   * or written by this store within the grace period, are kept (see PruneOptions). Removes emptied shard folders.
   */
  async prune(keep: ReadonlySet<string>, options: PruneOptions = {}): Promise<PruneResult> {
    const graceMs = options.graceMs ?? DEFAULT_PRUNE_GRACE_MS;
    const now = Date.now();
    this.forgetOlderThan(now - graceMs);
    const result: PruneResult = { removed: 0, kept: 0, bytesFreed: 0 };
    let shards: string[];
    try {
      shards = await fsp.readdir(this.root);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return result;
      throw error;
    }
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      const folder = path.join(this.root, shard);
      let names: string[];
      try {
        names = await fsp.readdir(folder);
      } catch {
        continue; // not a folder, or removed meanwhile
      }
      let left = names.length;
      for (const name of names) {
        const file = path.join(folder, name);
        const match = THUMBNAIL_NAME.exec(name);
        let remove: boolean;
        if (match) {
          const key = match[1]!;
          const current = name.endsWith(THUMBNAIL_EXTENSION);
          const protectedKey = this.inFlight.has(key) || (graceMs > 0 && this.recent.has(key));
          remove = !protectedKey && (!current || !keep.has(key));
        } else if (TEMP_NAME.test(name)) {
          // A temporary file is in use while its write is in flight; one older than the grace period is a crash's.
          remove = await olderThan(file, now - Math.max(graceMs, 60_000));
        } else {
          continue; // not ours
        }
        if (!remove) {
          if (match) result.kept++;
          continue;
        }
        try {
          const info = await fsp.stat(file);
          await fsp.unlink(file);
          result.removed++;
          result.bytesFreed += info.size;
          left--;
        } catch (error) {
          if (errorCode(error) === 'ENOENT') left--;
          else throw error;
        }
      }
      if (left === 0) await fsp.rmdir(folder).catch(() => undefined); // ENOTEMPTY if a write raced in: fine
    }
    return result;
  }

  private remember(key: string): void {
    this.recent.delete(key);
    this.recent.set(key, Date.now());
    if (this.recent.size > 10_000) this.forgetOlderThan(Date.now() - DEFAULT_PRUNE_GRACE_MS);
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [key, at] of this.recent) {
      if (at >= cutoff) break;
      this.recent.delete(key);
    }
  }
}

async function olderThan(file: string, cutoff: number): Promise<boolean> {
  try {
    return (await fsp.stat(file)).mtimeMs < cutoff;
  } catch {
    return false;
  }
}

/** Resizes (lanczos3, sharp's default) and encodes upright RGB pixels; runs in libvips' threads. */
export async function encodeThumbnail(image: RgbImage): Promise<Buffer> {
  if (image.pixels.length !== image.width * image.height * 3) {
    throw new RangeError(`thumbnail source has ${image.pixels.length} bytes, expected ${image.width} x ${image.height} x 3`);
  }
  const size = thumbnailSize(image.width, image.height);
  let pipeline = sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (size.width !== image.width || size.height !== image.height) pipeline = pipeline.resize(size.width, size.height, { fit: 'fill' });
  return pipeline.webp(WEBP_OPTIONS).toBuffer();
}

/** Temp file in the same folder (so rename is atomic), flushed to disk before the rename, removed on failure. */
async function writeAtomically(target: string, data: Uint8Array): Promise<void> {
  const folder = path.dirname(target);
  await fsp.mkdir(folder, { recursive: true });
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    // prune() may remove the shard folder once it is empty, between the mkdir above and this open: make it again.
    const handle = await fsp.open(temp, 'wx').catch(async (error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
      await fsp.mkdir(folder, { recursive: true });
      return fsp.open(temp, 'wx');
    });
    try {
      await handle.writeFile(data);
      // Without this a power cut can leave the renamed file empty or partly written on some filesystems.
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, target);
  } catch (error) {
    await fsp.unlink(temp).catch(() => undefined);
    throw error;
  }
}
