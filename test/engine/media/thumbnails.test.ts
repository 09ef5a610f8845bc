import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../electron/engine/media/image-decoder';
import { THUMBNAIL_SIZE, ThumbnailStore, thumbnailSize } from '../../../electron/engine/media/thumbnails';
import type { RgbImage } from '../../../electron/engine/media/thumbnails';
import { hasShared, sharedPath } from '../../support/shared-data';

const KEY_A = 'ab'.repeat(32);
const KEY_B = 'cd'.repeat(32);
const KEY_C = 'ab' + '01'.repeat(31);

/** A w x h gradient, so a wrong orientation or a wrong resize would show. */
function gradient(width: number, height: number): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = Math.round((255 * x) / Math.max(1, width - 1));
      pixels[i + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      pixels[i + 2] = 128;
    }
  }
  return { pixels, width, height };
}

async function rawOf(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

let dir: string;
let store: ThumbnailStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shoebox-thumbs-'));
  store = new ThumbnailStore(path.join(dir, 'thumbnails'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('thumbnailSize', () => {
  it('fits the longest side to 256 and never enlarges', () => {
    expect(thumbnailSize(4000, 3000)).toEqual({ width: 256, height: 192 });
    expect(thumbnailSize(3000, 4000)).toEqual({ width: 192, height: 256 });
    expect(thumbnailSize(1000, 1000)).toEqual({ width: 256, height: 256 });
    expect(thumbnailSize(20000, 10)).toEqual({ width: 256, height: 1 });
    expect(thumbnailSize(224, 224)).toEqual({ width: 224, height: 224 });
    expect(thumbnailSize(2, 2)).toEqual({ width: 2, height: 2 });
  });
});

describe('ThumbnailStore', () => {
  it('shards by the first two characters of the key and refuses keys that are not hashes', () => {
    expect(store.pathFor(KEY_A)).toBe(path.join(dir, 'thumbnails', 'ab', `${KEY_A}.webp`));
    for (const bad of ['', '../../etc/passwd', 'ABCDEF0123456789', 'abc', 'ab/cd0123456789']) {
      expect(() => store.pathFor(bad)).toThrow(RangeError);
    }
  });

  it('writes a 256 px WebP, atomically, leaving no temporary files', async () => {
    expect(await store.has(KEY_A)).toBe(false);
    const result = await store.write(KEY_A, gradient(1200, 800));
    expect(result).toEqual({ path: store.pathFor(KEY_A), written: true });
    expect(await store.has(KEY_A)).toBe(true);
    const meta = await sharp(result.path).metadata();
    expect(meta.format).toBe('webp');
    expect([meta.width, meta.height]).toEqual([THUMBNAIL_SIZE, 171]);
    expect(await listFiles(path.join(dir, 'thumbnails'))).toEqual([path.join('ab', `${KEY_A}.webp`)]);
    // Content: the gradient survives (left dark red, right bright red).
    const { data, width } = await rawOf(result.path);
    expect(data[0]!).toBeLessThan(20);
    expect(data[(width - 1) * 3]!).toBeGreaterThan(235);
  });

  it('keeps small pictures at their own size', async () => {
    const { path: file } = await store.write(KEY_A, gradient(13, 169));
    const meta = await sharp(file).metadata();
    expect([meta.width, meta.height]).toEqual([13, 169]);
  });

  it('writes each key once: a duplicate photo reuses the thumbnail, concurrent writes share one encode', async () => {
    const first = await store.write(KEY_A, gradient(640, 480));
    const before = await stat(first.path);
    const again = await store.write(KEY_A, gradient(100, 100));
    expect(again).toEqual({ path: first.path, written: false });
    expect((await stat(first.path)).mtimeMs).toBe(before.mtimeMs);
    expect((await sharp(first.path).metadata()).width).toBe(256);

    const results = await Promise.all([store.write(KEY_B, gradient(300, 200)), store.write(KEY_B, gradient(300, 200)), store.write(KEY_B, gradient(300, 200))]);
    expect(results.filter((r) => r.written)).toHaveLength(1);
    expect(await listFiles(path.join(dir, 'thumbnails', 'cd'))).toEqual([`${KEY_B}.webp`]);
  });

  it('does not count a zero-byte file (a power cut before the data reached the disk) as a thumbnail', async () => {
    await mkdir(path.dirname(store.pathFor(KEY_A)), { recursive: true });
    await writeFile(store.pathFor(KEY_A), '');
    expect(await store.has(KEY_A)).toBe(false);
    expect((await store.write(KEY_A, gradient(50, 50))).written).toBe(true);
    expect((await stat(store.pathFor(KEY_A))).size).toBeGreaterThan(0);
  });

  it('rejects pixels that do not match the size, and leaves nothing behind', async () => {
    await expect(store.write(KEY_A, { pixels: new Uint8Array(10), width: 10, height: 10 })).rejects.toThrow(RangeError);
    expect(await store.has(KEY_A)).toBe(false);
  });

  it('prunes unreferenced thumbnails, crash leftovers and empty shards, and keeps the rest', async () => {
    await store.write(KEY_A, gradient(64, 64));
    await store.write(KEY_B, gradient(64, 64));
    await store.write(KEY_C, gradient(64, 64));
    const root = path.join(dir, 'thumbnails');
    // Temporary files from a crash an hour ago and two minutes ago (within the grace period), and a file not ours.
    const stale = path.join(root, 'ab', `${KEY_A}.webp.999.deadbeef.tmp`);
    const recent = path.join(root, 'ab', `${KEY_A}.webp.999.cafef00d.tmp`);
    await writeFile(stale, 'partial');
    await writeFile(recent, 'partial');
    const anHourAgo = new Date(Date.now() - 3600_000);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(stale, anHourAgo, anHourAgo);
    await utimes(recent, twoMinutesAgo, twoMinutesAgo);
    await writeFile(path.join(root, 'README.txt'), 'not a thumbnail');

    // Just written by this store: protected by the grace period (their photos may not be in the catalog yet).
    expect(await store.prune(new Set([KEY_A]))).toMatchObject({ removed: 1, kept: 3 });
    expect(await store.has(KEY_B)).toBe(true);

    const result = await store.prune(new Set([KEY_A]), { graceMs: 0 });
    expect(result.removed).toBe(3);
    expect(result.kept).toBe(1);
    expect(result.bytesFreed).toBeGreaterThan(0);
    expect(await store.has(KEY_A)).toBe(true);
    expect(await store.has(KEY_B)).toBe(false);
    expect(await store.has(KEY_C)).toBe(false);
    expect((await listFiles(root)).sort()).toEqual(['README.txt', path.join('ab', `${KEY_A}.webp`)]);
    // The emptied shard folder is gone.
    expect((await readdir(root)).sort()).toEqual(['README.txt', 'ab']);

    // Another store (another run of the app) has no grace for files it did not write.
    const later = new ThumbnailStore(root);
    expect(await later.prune(new Set())).toMatchObject({ removed: 1, kept: 0 });
    expect(await new ThumbnailStore(path.join(dir, 'missing')).prune(new Set())).toEqual({ removed: 0, kept: 0, bytesFreed: 0 });
  });
});

describe.skipIf(!hasShared('data/robustness/orientation'))('thumbnails of rotated and mirrored photos', () => {
  const orientations = [1, 2, 3, 4, 5, 6, 7, 8];

  it('are upright for all 8 EXIF orientations (each matches orientation 1)', async () => {
    const files = orientations.map((o) => sharedPath('data', 'robustness', 'orientation', 'recurser_1800x1200', `Landscape_${o}.jpg`));
    const thumbs: Array<{ data: Buffer; width: number; height: number }> = [];
    for (const [i, file] of files.entries()) {
      const decoded = await decodeImage(file, { resizeTo: (upright) => thumbnailSize(upright.width, upright.height) });
      const key = (i + 1).toString(16).padStart(2, '0').repeat(32);
      thumbs.push(await rawOf((await store.write(key, decoded)).path));
    }
    const upright = thumbs[0]!;
    expect([upright.width, upright.height]).toEqual([256, 171]);
    for (const [i, thumb] of thumbs.entries()) {
      expect([thumb.width, thumb.height], `orientation ${i + 1}`).toEqual([256, 171]);
      // Same picture: only compression noise apart. A wrongly flipped one differs by tens of levels.
      expect(meanAbsDiff(thumb.data, upright.data), `orientation ${i + 1}`).toBeLessThan(4);
    }
    // The check has teeth: a mirrored thumbnail is far from the upright one.
    const mirrored = await sharp(upright.data, { raw: { width: 256, height: 171, channels: 3 } }).flop().raw().toBuffer();
    expect(meanAbsDiff(mirrored, upright.data)).toBeGreaterThan(20);
  });
});
