import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import { MAX_K } from '../../../electron/engine/catalog/embedding-repository';
import type { Folder } from '../../../electron/engine/catalog/folder-repository';
import { mulberry32 } from '../../../electron/engine/math/random';

let dir: string;
let catalog: Catalog;
let clock: number;
let folder: Folder;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-catalog-vec-'));
  clock = 1_700_000_000_000;
  catalog = Catalog.open(path.join(dir, 'catalog.sqlite'), { now: () => clock });
  folder = catalog.folders.add(path.join(dir, 'Pictures'));
});
afterEach(() => {
  catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Seeded, so a failure reproduces. */
const rng = mulberry32;

function randomVector(next: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = next() * 2 - 1;
  return v;
}

function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return 1 - dot / Math.sqrt(na * nb);
}

function addPhotos(n: number, prefix = 'p'): number[] {
  return catalog.photos
    .upsertMany(Array.from({ length: n }, (_, i) => ({ folderId: folder.id, path: path.join(folder.path, `${prefix}${i}.jpg`), size: i, mtimeMs: i })))
    .map((r) => r.id);
}

function vecRows(table: string): number {
  return catalog.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n;
}

describe('EmbeddingRepository', () => {
  it('knn returns the nearest vectors in brute-force cosine order', () => {
    const dim = 64;
    const next = rng(7);
    const ids = addPhotos(500);
    catalog.embeddings.ensureModel('m', dim);
    const vectors = new Map<number, Float32Array>();
    // Unnormalised on purpose: the repository normalises, and distances must still be cosine.
    for (const id of ids) vectors.set(id, randomVector(next, dim).map((x) => x * (1 + next() * 5)));
    for (let i = 0; i < ids.length; i += 64) {
      catalog.embeddings.putMany('m', ids.slice(i, i + 64).map((photoId) => ({ photoId, vector: vectors.get(photoId)! })));
    }
    expect(catalog.embeddings.count('m')).toBe(500);

    for (let q = 0; q < 5; q++) {
      const query = randomVector(next, dim);
      const expected = [...vectors]
        .map(([photoId, v]) => ({ photoId, distance: cosineDistance(query, v) }))
        .sort((a, b) => a.distance - b.distance)
        .slice(0, 50);
      const got = catalog.embeddings.knn('m', query, 50);
      expect(got.map((n) => n.photoId)).toEqual(expected.map((n) => n.photoId));
      got.forEach((n, i) => expect(n.distance).toBeCloseTo(expected[i]!.distance, 5));
      for (let i = 1; i < got.length; i++) expect(got[i]!.distance).toBeGreaterThanOrEqual(got[i - 1]!.distance);
    }
    expect(catalog.embeddings.knn('m', randomVector(next, dim), 0)).toEqual([]);
    expect(catalog.embeddings.knn('m', randomVector(next, dim), 1000)).toHaveLength(500);
    expect(() => catalog.embeddings.knn('m', randomVector(next, dim), MAX_K + 1)).toThrow(/k must be/);
    expect(() => catalog.embeddings.knn('m', new Float32Array(3), 5)).toThrow(/dimensions/);
  });

  it('stores unit vectors and replaces on put', () => {
    const [id] = addPhotos(1);
    catalog.embeddings.ensureModel('m', 2);
    catalog.embeddings.put('m', id!, new Float32Array([3, 4]));
    expect(Array.from(catalog.embeddings.get('m', id!)!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    catalog.embeddings.put('m', id!, new Float32Array([0, 2]));
    expect(Array.from(catalog.embeddings.get('m', id!)!)).toEqual([0, 1]);
    expect(catalog.embeddings.count('m')).toBe(1);
    expect(catalog.embeddings.delete('m', id!)).toBe(true);
    expect(catalog.embeddings.delete('m', id!)).toBe(false);
    expect(catalog.embeddings.get('m', id!)).toBeUndefined();
  });

  it('putMany is atomic: a failing batch leaves nothing', () => {
    const ids = addPhotos(4);
    catalog.embeddings.ensureModel('m', 3);
    catalog.embeddings.put('m', ids[0]!, new Float32Array([1, 0, 0]));
    const good = (photoId: number) => ({ photoId, vector: new Float32Array([0, 1, 0]) });
    expect(() => catalog.embeddings.putMany('m', [good(ids[0]!), good(ids[1]!), { photoId: ids[2]!, vector: new Float32Array([1, 2]) }])).toThrow(/dimensions/);
    expect(() => catalog.embeddings.putMany('m', [good(ids[1]!), { photoId: ids[2]!, vector: new Float32Array([0, 0, 0]) }])).toThrow(/non-zero/);
    expect(() => catalog.embeddings.putMany('m', [good(ids[1]!), { photoId: ids[2]!, vector: new Float32Array([NaN, 0, 1]) }])).toThrow(/finite/);
    expect(() => catalog.embeddings.putMany('m', [good(ids[1]!), good(99999)])).toThrow(/not in the catalog/);
    expect(catalog.embeddings.count('m')).toBe(1);
    expect(Array.from(catalog.embeddings.get('m', ids[0]!)!)).toEqual([1, 0, 0]); // the replaced vector is back
    expect(() => catalog.embeddings.put('nope', ids[0]!, new Float32Array([1, 0, 0]))).toThrow(/unknown embedding model/);
  });

  it('iterates all vectors in chunks ordered by photo id', () => {
    const ids = addPhotos(1000);
    catalog.embeddings.ensureModel('m', 8);
    const next = rng(3);
    const stored = new Map<number, Float32Array>();
    catalog.embeddings.putMany(
      'm',
      ids.filter((id) => id % 3 !== 0).map((photoId) => ({ photoId, vector: randomVector(next, 8) })),
    );
    for (const id of ids) {
      const v = catalog.embeddings.get('m', id);
      if (v) stored.set(id, v);
    }
    const seen: number[] = [];
    let chunks = 0;
    for (const chunk of catalog.embeddings.iterate('m', 100)) {
      chunks++;
      expect(chunk.dim).toBe(8);
      expect(chunk.vectors.length).toBe(chunk.photoIds.length * 8);
      chunk.photoIds.forEach((id, i) => expect(Array.from(chunk.vectors.subarray(i * 8, i * 8 + 8))).toEqual(Array.from(stored.get(id)!)));
      seen.push(...chunk.photoIds);
      // The database stays usable between chunks.
      catalog.photos.counts();
    }
    expect(seen).toEqual([...stored.keys()].sort((a, b) => a - b));
    expect(chunks).toBe(Math.ceil(stored.size / 100));
    expect([...catalog.embeddings.iterate('m')].length).toBe(1);

    const all = catalog.embeddings.readAll('m');
    expect(all.dim).toBe(8);
    expect([...all.photoIds].sort((a, b) => a - b)).toEqual(seen);
    all.photoIds.forEach((id, i) => expect(Array.from(all.vectors.subarray(i * 8, i * 8 + 8))).toEqual(Array.from(stored.get(id)!)));
  });

  it('a model switch re-queues photos, keeps the old model searchable until the new one completes', () => {
    const ids = addPhotos(3);
    const a = catalog.embeddings.ensureModel('model-a', 2);
    expect(a).toMatchObject({ id: 'model-a', dim: 2, vecTable: 'vec_1', status: 'building', active: true });
    expect(catalog.embeddings.searchModel()?.id).toBe('model-a'); // nothing complete yet: partial beats none
    catalog.saveResults('model-a', { indexed: ids.map((photoId) => ({ photoId, vector: new Float32Array([1, 0]), details: { contentHash: `h${photoId}` } })) });
    expect(catalog.embeddings.markComplete('model-a')).toBe(true);
    expect(catalog.embeddings.ensureModel('model-a', 2)).toMatchObject({ status: 'complete' }); // no-op when active
    expect(() => catalog.embeddings.ensureModel('model-a', 3)).toThrow(/dimension 2/);

    clock += 1000;
    const b = catalog.embeddings.ensureModel('model-b', 3);
    expect(b).toMatchObject({ vecTable: 'vec_2', status: 'building', active: true });
    expect(catalog.embeddings.getModel('model-a')).toMatchObject({ active: false, status: 'complete' });
    expect(catalog.photos.counts()).toMatchObject({ pending: 3, indexed: 0 });
    expect(catalog.embeddings.searchModel()?.id).toBe('model-a');
    expect(catalog.embeddings.knn('model-a', new Float32Array([1, 0]), 10)).toHaveLength(3);
    expect(catalog.embeddings.markComplete('model-b')).toBe(false); // work left
    expect(catalog.embeddings.dropSupersededModels()).toEqual([]); // not before b is complete
    expect(() => catalog.embeddings.dropModel('model-b')).toThrow(/active/);

    // A late batch for the old model is refused; the photos stay queued for the new one.
    expect(catalog.saveResults('model-a', { indexed: [{ photoId: ids[0]!, vector: new Float32Array([1, 0]), details: { contentHash: 'x' } }] })).toEqual({ saved: [], skipped: [ids[0]] });

    catalog.saveResults('model-b', { indexed: ids.map((photoId) => ({ photoId, vector: new Float32Array([0, 0, 1]), details: { contentHash: `h${photoId}` } })) });
    expect(catalog.embeddings.markComplete('model-b')).toBe(true);
    expect(catalog.embeddings.searchModel()?.id).toBe('model-b');
    expect(catalog.embeddings.dropSupersededModels()).toEqual(['model-a']);
    expect(catalog.embeddings.listModels().map((m) => m.id)).toEqual(['model-b']);
    expect(catalog.db.prepare(`SELECT name FROM sqlite_schema WHERE name GLOB 'vec_1*'`).all()).toEqual([]);
    expect(catalog.integrityCheck()).toEqual([]);

    // Switching back re-embeds: a's vectors are gone (and could be stale anyway).
    catalog.embeddings.ensureModel('model-a', 2);
    expect(catalog.photos.counts()).toMatchObject({ pending: 3, indexed: 0 });
    expect(catalog.embeddings.getModel('model-a')?.vecTable).toBe('vec_3');
  });
});

describe('consistency', () => {
  it('removing a folder deletes its photos and their vectors in every model', () => {
    const ids = addPhotos(10);
    const other = catalog.folders.add(path.join(dir, 'Other'));
    const [keep] = catalog.photos.upsertMany([{ folderId: other.id, path: path.join(other.path, 'k.jpg'), size: 1, mtimeMs: 1 }]).map((r) => r.id);
    catalog.embeddings.ensureModel('a', 2);
    catalog.embeddings.putMany('a', [...ids, keep!].map((photoId) => ({ photoId, vector: new Float32Array([1, 1]) })));
    catalog.embeddings.ensureModel('b', 2);
    catalog.embeddings.putMany('b', [...ids, keep!].map((photoId) => ({ photoId, vector: new Float32Array([1, 1]) })));

    expect(catalog.folders.remove(folder.id)).toBe(true);
    expect(catalog.photos.counts().total).toBe(1);
    expect(catalog.embeddings.count('a')).toBe(1);
    expect(catalog.embeddings.count('b')).toBe(1);
    expect(catalog.embeddings.knn('a', new Float32Array([1, 1]), 20).map((n) => n.photoId)).toEqual([keep]);
    expect(catalog.findOrphans()).toEqual([]);
  });

  it('deleting a photo deletes its vectors', () => {
    const ids = addPhotos(3);
    catalog.embeddings.ensureModel('a', 2);
    catalog.embeddings.putMany('a', ids.map((photoId) => ({ photoId, vector: new Float32Array([1, 0]) })));
    catalog.photos.delete(ids[0]!);
    catalog.photos.deleteMany([ids[1]!]);
    expect(catalog.embeddings.knn('a', new Float32Array([1, 0]), 10).map((n) => n.photoId)).toEqual([ids[2]]);
    expect(vecRows('vec_1')).toBe(1);
  });

  it('moving a photo keeps its id, state and vector', () => {
    const other = catalog.folders.add(path.join(dir, 'Other'));
    const [id] = addPhotos(1);
    catalog.embeddings.ensureModel('a', 2);
    catalog.saveResults('a', { indexed: [{ photoId: id!, vector: new Float32Array([0.6, 0.8]), details: { contentHash: 'h', thumbnail: 'h' } }] });

    // The scan saw the new path first (as a new pending file), then matched it to the vanished one by content.
    const newPath = path.join(other.path, 'renamed.jpg');
    const placeholder = catalog.photos.upsertScanned({ folderId: other.id, path: newPath, size: 5, mtimeMs: 7 }).id;
    expect(catalog.photos.findByContentHash('h').map((p) => p.id)).toEqual([id]);
    catalog.photos.moveTo(id!, { folderId: other.id, path: newPath, size: 5, mtimeMs: 7 });

    expect(catalog.photos.get(placeholder)).toBeUndefined();
    expect(catalog.photos.getByPath(newPath)).toMatchObject({ id, folderId: other.id, state: 'indexed', contentHash: 'h', thumbnail: 'h' });
    expect(Array.from(catalog.embeddings.get('a', id!)!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(catalog.embeddings.knn('a', new Float32Array([0.6, 0.8]), 5)).toEqual([{ photoId: id, distance: expect.closeTo(0, 6) }]);
    expect(catalog.photos.counts()).toEqual({ pending: 0, indexed: 1, failed: 0, total: 1 });
    expect(() => catalog.photos.moveTo(9999, { folderId: other.id, path: '/x.jpg', size: 1, mtimeMs: 1 })).toThrow(/not in the catalog/);
  });

  it('findOrphans detects a vector without a photo, and findMissing an indexed photo without a vector', () => {
    const ids = addPhotos(2);
    catalog.embeddings.ensureModel('a', 2);
    catalog.saveResults('a', { indexed: ids.map((photoId) => ({ photoId, vector: new Float32Array([1, 0]), details: { contentHash: 'h' } })) });
    expect(catalog.findOrphans()).toEqual([]);
    expect(catalog.embeddings.findMissing()).toEqual([]);

    // Bypass the repository: a vector for a photo id that does not exist, and a vector deleted behind its back.
    catalog.db.prepare('INSERT INTO vec_1 (photo_id, embedding) VALUES (?, ?)').run(424242n, new Float32Array([0, 1]));
    catalog.db.prepare('DELETE FROM vec_1 WHERE photo_id = ?').run(ids[1]!);
    expect(catalog.findOrphans()).toEqual([{ modelId: 'a', photoId: 424242 }]);
    expect(catalog.embeddings.findMissing()).toEqual([{ modelId: 'a', photoId: ids[1] }]);

    expect(catalog.embeddings.deleteOrphans()).toBe(1);
    expect(catalog.findOrphans()).toEqual([]);
  });
});
