import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import type { Folder } from '../../../electron/engine/catalog/folder-repository';
import type { PhotoDetails } from '../../../electron/engine/catalog/photo-repository';

let dir: string;
let catalog: Catalog;
let clock: number;
let lib: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-catalog-repo-'));
  clock = 1_700_000_000_000;
  catalog = Catalog.open(path.join(dir, 'catalog.sqlite'), { now: () => clock });
  lib = path.join(dir, 'Pictures');
});
afterEach(() => {
  catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

const DETAILS: PhotoDetails = {
  contentHash: 'h1',
  width: 3000,
  height: 4000,
  takenAt: '2019-07-14T16:03:22+02:00',
  cameraMake: 'FUJIFILM',
  cameraModel: 'X-T3',
  gpsLat: 48.85,
  gpsLon: 2.35,
  format: 'jpeg',
  thumbnail: 'h1',
};

function addPhotos(folder: Folder, names: string[], mtime = 1000): number[] {
  return catalog.photos
    .upsertMany(names.map((n, i) => ({ folderId: folder.id, path: path.join(folder.path, n), size: 10 + i, mtimeMs: mtime + i })))
    .map((r) => r.id);
}

describe('FolderRepository', () => {
  it('adds, finds, lists and removes folders', () => {
    const a = catalog.folders.add(path.join(lib, 'a'));
    const b = catalog.folders.add(path.join(lib, 'b'), 'polling');
    expect(a).toEqual({ id: a.id, path: path.join(lib, 'a'), addedAt: clock, watchMode: 'watching', lastScanAt: null, error: null });
    expect(catalog.folders.add(path.join(lib, 'a'))).toEqual(a); // idempotent
    expect(catalog.folders.getByPath(path.join(lib, 'b'))).toEqual(b);
    expect(catalog.folders.get(b.id)?.watchMode).toBe('polling');
    expect(catalog.folders.list().map((f) => f.path)).toEqual([a.path, b.path]);

    catalog.folders.recordScan(a.id, 'EACCES: permission denied', 42);
    expect(catalog.folders.get(a.id)).toMatchObject({ lastScanAt: 42, error: 'EACCES: permission denied' });
    catalog.folders.recordScan(a.id, null, 43);
    expect(catalog.folders.get(a.id)).toMatchObject({ lastScanAt: 43, error: null });
    catalog.folders.setWatchMode(a.id, 'manual');
    expect(catalog.folders.get(a.id)?.watchMode).toBe('manual');

    expect(catalog.folders.remove(a.id)).toBe(true);
    expect(catalog.folders.remove(a.id)).toBe(false);
    expect(catalog.folders.list()).toEqual([b]);
    expect(catalog.folders.get(a.id)).toBeUndefined();
  });

  it('rejects relative paths and unknown watch modes', () => {
    expect(() => catalog.folders.add('Pictures')).toThrow(/absolute/);
    expect(() => catalog.folders.add(lib, 'sometimes' as never)).toThrow(/CHECK/);
  });
});

describe('PhotoRepository', () => {
  it('upserts scan records: added, unchanged, changed', () => {
    const folder = catalog.folders.add(lib);
    const file = path.join(lib, 'a.jpg');
    const first = catalog.photos.upsertScanned({ folderId: folder.id, path: file, size: 10, mtimeMs: 1000.75 });
    expect(first.change).toBe('added');
    expect(catalog.photos.get(first.id)).toMatchObject({ path: file, size: 10, mtimeMs: 1000, state: 'pending', addedAt: clock });

    expect(catalog.photos.upsertScanned({ folderId: folder.id, path: file, size: 10, mtimeMs: 1000.2 })).toEqual({ id: first.id, change: 'unchanged' });

    expect(() => catalog.photos.markIndexed(first.id, 'm', DETAILS)).toThrow(/FOREIGN KEY/); // unknown model
  });

  it('markIndexed stores the details; a changed file goes back to the queue', () => {
    const folder = catalog.folders.add(lib);
    catalog.embeddings.ensureModel('m', 4);
    const [id] = addPhotos(folder, ['a.jpg']);
    clock += 10;
    expect(catalog.photos.markIndexed(id!, 'm', DETAILS)).toBe(true);
    expect(catalog.photos.get(id!)).toMatchObject({
      state: 'indexed',
      embeddedModel: 'm',
      contentHash: 'h1',
      width: 3000,
      height: 4000,
      takenAt: '2019-07-14T16:03:22+02:00',
      cameraMake: 'FUJIFILM',
      cameraModel: 'X-T3',
      gpsLat: 48.85,
      gpsLon: 2.35,
      format: 'jpeg',
      thumbnail: 'h1',
      updatedAt: clock,
    });
    // Only pending photos can be marked.
    expect(catalog.photos.markIndexed(id!, 'm', DETAILS)).toBe(false);
    expect(catalog.photos.markFailed(id!, 'x')).toBe(false);

    const changed = catalog.photos.upsertScanned({ folderId: folder.id, path: path.join(lib, 'a.jpg'), size: 999, mtimeMs: 5000 });
    expect(changed).toEqual({ id, change: 'changed' });
    expect(catalog.photos.get(id!)).toMatchObject({ state: 'pending', size: 999, mtimeMs: 5000, contentHash: null });
  });

  it('ignores results computed from an older version of the file', () => {
    const folder = catalog.folders.add(lib);
    catalog.embeddings.ensureModel('m', 4);
    const [id] = addPhotos(folder, ['a.jpg']);
    const seen = { size: 10, mtimeMs: 1000 };
    catalog.photos.upsertScanned({ folderId: folder.id, path: path.join(lib, 'a.jpg'), size: 11, mtimeMs: 2000 });
    expect(catalog.photos.markIndexed(id!, 'm', DETAILS, seen)).toBe(false);
    expect(catalog.photos.markFailed(id!, 'decode error', seen)).toBe(false);
    expect(catalog.photos.get(id!)?.state).toBe('pending');
    expect(catalog.photos.markIndexed(id!, 'm', DETAILS, { size: 11, mtimeMs: 2000.5 })).toBe(true);
  });

  it('lists the queue newest file first, in pages', () => {
    const folder = catalog.folders.add(lib);
    const ids = catalog.photos
      .upsertMany([
        { folderId: folder.id, path: path.join(lib, 'old.jpg'), size: 1, mtimeMs: 100 },
        { folderId: folder.id, path: path.join(lib, 'new.jpg'), size: 1, mtimeMs: 300 },
        { folderId: folder.id, path: path.join(lib, 'mid1.jpg'), size: 1, mtimeMs: 200 },
        { folderId: folder.id, path: path.join(lib, 'mid2.jpg'), size: 1, mtimeMs: 200 },
        { folderId: folder.id, path: path.join(lib, 'done.jpg'), size: 1, mtimeMs: 999 },
      ])
      .map((r) => r.id);
    catalog.photos.markFailed(ids[4]!, 'broken');
    const all = catalog.photos.listPending(10).map((p) => path.basename(p.path));
    expect(all).toEqual(['new.jpg', 'mid2.jpg', 'mid1.jpg', 'old.jpg']);

    const page1 = catalog.photos.listPending(2);
    const last = page1[page1.length - 1]!;
    const page2 = catalog.photos.listPending(2, last);
    const page3 = catalog.photos.listPending(2, page2[page2.length - 1]!);
    expect([...page1, ...page2].map((p) => path.basename(p.path))).toEqual(all);
    expect(page3).toEqual([]);
    expect(page1[0]).toEqual({ id: ids[1], folderId: folder.id, path: path.join(lib, 'new.jpg'), size: 1, mtimeMs: 300, contentHash: null });

    const plan = catalog.db
      .prepare<[], { detail: string }>(
        `EXPLAIN QUERY PLAN SELECT id, folder_id, path, size, mtime_ms, content_hash FROM photos INDEXED BY photos_queue
         WHERE state = 'pending' AND (mtime_ms, id) < (1, 1) ORDER BY mtime_ms DESC, id DESC LIMIT 5`,
      )
      .all()
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/photos_queue/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('counts by state per folder and reports failures with reasons', () => {
    const a = catalog.folders.add(path.join(lib, 'a'));
    const b = catalog.folders.add(path.join(lib, 'b'));
    catalog.embeddings.ensureModel('m', 4);
    const aIds = addPhotos(a, ['1.jpg', '2.jpg', '3.jpg']);
    const bIds = addPhotos(b, ['1.jpg', '2.heic']);
    catalog.photos.markIndexed(aIds[0]!, 'm', DETAILS);
    clock += 1;
    catalog.photos.markFailed(aIds[1]!, 'not an image');
    clock += 1;
    catalog.photos.markFailed(bIds[1]!, 'HEIC not supported');

    expect(catalog.photos.countsByFolder()).toEqual([
      { folderId: a.id, pending: 1, indexed: 1, failed: 1, total: 3 },
      { folderId: b.id, pending: 1, indexed: 0, failed: 1, total: 2 },
    ]);
    expect(catalog.photos.counts()).toEqual({ pending: 2, indexed: 1, failed: 2, total: 5 });
    expect(catalog.photos.failures().map((f) => f.reason)).toEqual(['HEIC not supported', 'not an image']);
    expect(catalog.photos.failures({ folderId: a.id })).toEqual([
      { id: aIds[1], folderId: a.id, path: path.join(a.path, '2.jpg'), reason: 'not an image', updatedAt: clock - 1 },
    ]);
    expect(catalog.photos.failures({ limit: 1 })).toHaveLength(1);

    expect(catalog.photos.retryFailed(a.id)).toBe(1);
    expect(catalog.photos.get(aIds[1]!)).toMatchObject({ state: 'pending', failureReason: null });
    expect(catalog.photos.retryFailed()).toBe(1);
    expect(catalog.photos.requeue([aIds[0]!, aIds[1]!])).toBe(1);
    expect(catalog.photos.counts()).toEqual({ pending: 5, indexed: 0, failed: 0, total: 5 });
  });

  it('gets photos by ids in the given order, by path, and by content hash', () => {
    const folder = catalog.folders.add(lib);
    catalog.embeddings.ensureModel('m', 4);
    const ids = addPhotos(folder, ['a.jpg', 'b.jpg', 'c.jpg']);
    catalog.photos.markIndexed(ids[0]!, 'm', { contentHash: 'same' });
    catalog.photos.markIndexed(ids[2]!, 'm', { contentHash: 'same' });
    expect(catalog.photos.getByIds([ids[2]!, 12345, ids[0]!]).map((p) => p.id)).toEqual([ids[2], ids[0]]);
    expect(catalog.photos.getByIds([])).toEqual([]);
    expect(catalog.photos.getByPath(path.join(lib, 'b.jpg'))?.id).toBe(ids[1]);
    expect(catalog.photos.findByContentHash('same').map((p) => p.id)).toEqual([ids[0], ids[2]]);
    expect(catalog.photos.findByContentHash('nope')).toEqual([]);
    expect(catalog.photos.listInFolder(folder.id).map((f) => [path.basename(f.path), f.state])).toEqual([
      ['a.jpg', 'indexed'],
      ['b.jpg', 'pending'],
      ['c.jpg', 'indexed'],
    ]);
    expect(catalog.photos.thumbnailKeys()).toEqual(new Set());
  });

  it('stores user text and leaves unspecified fields alone', () => {
    const folder = catalog.folders.add(lib);
    const [id] = addPhotos(folder, ['a.jpg']);
    catalog.photos.setUserText(id!, { description: 'grandma at the lake', keywords: 'family, summer' });
    catalog.photos.setUserText(id!, { keywords: 'family' });
    expect(catalog.photos.get(id!)).toMatchObject({ description: 'grandma at the lake', keywords: 'family' });
    catalog.photos.setUserText(id!, { description: null });
    expect(catalog.photos.get(id!)).toMatchObject({ description: null, keywords: 'family' });
  });

  it('deletes photos', () => {
    const folder = catalog.folders.add(lib);
    const ids = addPhotos(folder, ['a.jpg', 'b.jpg', 'c.jpg']);
    expect(catalog.photos.delete(ids[0]!)).toBe(true);
    expect(catalog.photos.delete(ids[0]!)).toBe(false);
    expect(catalog.photos.deleteMany([ids[1]!, ids[2]!, 999])).toBe(2);
    expect(catalog.photos.counts().total).toBe(0);
    // Ids are never reused, even after deleting the newest photo.
    const [next] = addPhotos(folder, ['d.jpg']);
    expect(next).toBe(ids[2]! + 1);
  });

  it('rejects bad values at the schema level', () => {
    const folder = catalog.folders.add(lib);
    expect(() => catalog.photos.upsertScanned({ folderId: 999, path: path.join(lib, 'x.jpg'), size: 1, mtimeMs: 1 })).toThrow(/FOREIGN KEY/);
    expect(() => catalog.photos.upsertScanned({ folderId: folder.id, path: 'x.jpg', size: 1, mtimeMs: 1 })).toThrow(/absolute/);
    catalog.embeddings.ensureModel('m', 4);
    const [id] = addPhotos(folder, ['a.jpg']);
    expect(() => catalog.photos.markIndexed(id!, 'm', { contentHash: 'h', takenAt: 'yesterday' })).toThrow(/CHECK/);
  });
});
