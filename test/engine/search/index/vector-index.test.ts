import { existsSync, rmSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arraySource, clipLike, isotropic, rng } from '../../../../bench/search';
import type { Folder } from '../../../../electron/engine/catalog/folder-repository';
import { VectorIndex, catalogVectorSource } from '../../../../electron/engine/search/index/index';
import type { SearchHit } from '../../../../electron/engine/search/index/index';
import { useTempCatalog } from '../../../support/temp-catalog';

const DIM = 512;
const MODEL = 'clip-test';

let folder: Folder;

const temp = useTempCatalog('shoebox-search-', ({ catalog, dir }) => {
  folder = catalog.folders.add(path.join(dir, 'Pictures'));
  catalog.embeddings.ensureModel(MODEL, DIM);
});

/** Adds `count` photos with the given vectors; returns their ids. */
function addPhotos(vectors: Float32Array, prefix = 'p'): number[] {
  const count = vectors.length / DIM;
  const ids = temp.catalog.photos
    .upsertMany(Array.from({ length: count }, (_, i) => ({ folderId: folder.id, path: path.join(folder.path, `${prefix}${i}.jpg`), size: 1, mtimeMs: 1 })))
    .map((r) => r.id);
  temp.catalog.embeddings.putMany(MODEL, ids.map((photoId, i) => ({ photoId, vector: vectors.subarray(i * DIM, (i + 1) * DIM) })));
  return ids;
}

function row(vectors: Float32Array, i: number): Float32Array {
  return vectors.subarray(i * DIM, (i + 1) * DIM);
}

/** Exact top-k by cosine over the catalog's stored vectors, optionally restricted. */
function exact(query: Float32Array, k: number, accept: (id: number) => boolean = () => true): SearchHit[] {
  const all = temp.catalog.embeddings.readAll(MODEL);
  let qn = 0;
  for (const x of query) qn += x * x;
  const hits: SearchHit[] = [];
  all.photoIds.forEach((photoId, i) => {
    if (!accept(photoId)) return;
    let s = 0;
    for (let j = 0; j < DIM; j++) s += all.vectors[i * DIM + j]! * query[j]!;
    hits.push({ photoId, score: s / Math.sqrt(qn) });
  });
  return hits.sort((a, b) => b.score - a.score || a.photoId - b.photoId).slice(0, k);
}

function recall(got: readonly SearchHit[], want: readonly SearchHit[]): number {
  const ids = new Set(want.map((h) => h.photoId));
  return got.filter((h) => ids.has(h.photoId)).length / want.length;
}

describe('VectorIndex over the catalog', () => {
  const gen = clipLike(DIM, 5);

  it('finds what exact search finds, with exact cosine scores (CLIP-like, n=2000)', () => {
    const vectors = gen.images(2000, 11);
    addPhotos(vectors);
    const queries = gen.queries(20, 12);
    const index = VectorIndex.build(catalogVectorSource(temp.catalog, MODEL), { file: path.join(temp.dir, 'clip.index') });
    expect(index.size).toBe(2000);
    // ~145 bytes per photo plus a fixed ~0.5 MB of kernel scratch memory.
    expect(index.memoryBytes()).toBeLessThan(600_000 + 2000 * 150);
    let recall10 = 0;
    let recall50 = 0;
    for (let i = 0; i < 20; i++) {
      const q = row(queries, i);
      const got = index.search(q, 50);
      const want = exact(q, 50);
      expect(got).toHaveLength(50);
      recall10 += recall(got.slice(0, 10), want.slice(0, 10)) / 20;
      recall50 += recall(got, want) / 20;
      const stored = new Map(want.map((h) => [h.photoId, h.score]));
      for (const hit of got) if (stored.has(hit.photoId)) expect(hit.score).toBeCloseTo(stored.get(hit.photoId)!, 6);
      for (let j = 1; j < got.length; j++) expect(got[j - 1]!.score).toBeGreaterThanOrEqual(got[j]!.score);
    }
    expect(recall10).toBeCloseTo(1, 9);
    expect(recall50).toBeGreaterThanOrEqual(0.99);

    // With only 5% of the library re-ranked the candidates still come from the codes, not from luck.
    let sparse = 0;
    for (let i = 0; i < 20; i++) sparse += recall(index.search(row(queries, i), 10, { rerank: 100 }), exact(row(queries, i), 10)) / 20;
    expect(sparse).toBeGreaterThanOrEqual(0.99);

    index.close();
  });

  it('the split layout (large libraries) finds the same, built so or converted while growing', () => {
    const vectors = gen.images(2000, 13);
    const ids = addPhotos(vectors.subarray(0, 1500 * DIM));
    const queries = gen.queries(20, 14);
    const file = path.join(temp.dir, 'split.index');
    // Built below the threshold (joint layout), then grown past it by adds: converted in place.
    const index = VectorIndex.build(catalogVectorSource(temp.catalog, MODEL), { file, signScanMin: 1800 });
    const more = addPhotos(vectors.subarray(1500 * DIM), 'more');
    more.forEach((id, i) => index.add(id, row(vectors, 1500 + i)));
    expect(index.size).toBe(2000);
    const check = (searcher: VectorIndex): void => {
      let r10 = 0;
      for (let i = 0; i < 20; i++) r10 += recall(searcher.search(row(queries, i), 10, { wide: 400 }), exact(row(queries, i), 10)) / 20;
      expect(r10).toBeGreaterThanOrEqual(0.99);
      const own = searcher.search(row(vectors, 1999), 1)[0]!;
      expect(own.photoId).toBe(more[499]);
      expect(own.score).toBeCloseTo(1, 6);
      const first = searcher.search(row(vectors, 0), 1)[0]!;
      expect(first.photoId).toBe(ids[0]);
    };
    check(index);
    index.save();
    index.close();
    // The saved split layout loads as it was.
    const loaded = VectorIndex.open(catalogVectorSource(temp.catalog, MODEL), { file, signScanMin: 1800 });
    expect(loaded.origin).toBe('cache');
    check(loaded);
    loaded.close();
    // Built directly in the split layout.
    const built = VectorIndex.build(catalogVectorSource(temp.catalog, MODEL), { signScanMin: 1000 });
    check(built);
  });

  it('gives the same answers without a cache file (re-ranking from vec0)', () => {
    addPhotos(gen.images(1500, 21));
    const withFile = VectorIndex.build(catalogVectorSource(temp.catalog, MODEL), { file: path.join(temp.dir, 'a.index') });
    const withoutFile = VectorIndex.build(catalogVectorSource(temp.catalog, MODEL));
    const queries = gen.queries(5, 22);
    for (let i = 0; i < 5; i++) {
      const a = withFile.search(row(queries, i), 20);
      const b = withoutFile.search(row(queries, i), 20);
      expect(b.map((h) => h.photoId)).toEqual(a.map((h) => h.photoId));
      b.forEach((h, j) => expect(h.score).toBeCloseTo(a[j]!.score, 6));
    }
    withFile.close();
  });

  it('returns the stored vectors of given photos, from the vector file or the source', () => {
    const vectors = gen.images(600, 25);
    const ids = addPhotos(vectors);
    const withFile = VectorIndex.build(catalogVectorSource(temp.catalog, MODEL), { file: path.join(temp.dir, 'v.index') });
    const withoutFile = VectorIndex.build(catalogVectorSource(temp.catalog, MODEL));
    // Runs of consecutive slots, scattered ones, a duplicate and an id the index does not hold.
    const wanted = [...ids.slice(10, 20), ids[599]!, ids[3]!, ids[300]!, ids[3]!, 999_999];
    for (const index of [withFile, withoutFile]) {
      const got = index.vectors(wanted);
      expect([...got.keys()].sort((a, b) => a - b)).toEqual([...new Set(wanted.slice(0, -1))].sort((a, b) => a - b));
      for (const [id, vector] of got) {
        const want = row(vectors, ids.indexOf(id));
        expect(vector).toHaveLength(DIM);
        for (let j = 0; j < DIM; j++) expect(vector[j]).toBeCloseTo(want[j]!, 6);
      }
      expect(index.vectors([]).size).toBe(0);
    }
    // A replaced vector comes back as its new value, a removed one not at all.
    const replacement = gen.images(1, 26);
    temp.catalog.embeddings.put(MODEL, ids[15]!, row(replacement, 0));
    withFile.add(ids[15]!, row(replacement, 0));
    withFile.remove(ids[16]!);
    const after = withFile.vectors([ids[15]!, ids[16]!]);
    expect([...after.keys()]).toEqual([ids[15]]);
    for (let j = 0; j < DIM; j++) expect(after.get(ids[15]!)![j]).toBeCloseTo(replacement[j]!, 6);
    withFile.close();
  });

  it('keeps up with adds, replacements and removals', () => {
    const ids = addPhotos(gen.images(1200, 31));
    const source = catalogVectorSource(temp.catalog, MODEL);
    const index = VectorIndex.build(source, { file: path.join(temp.dir, 'live.index') });
    const stored = (id: number): Float32Array => temp.catalog.embeddings.get(MODEL, id)!;

    // Removed photos never come back, even for a query equal to their own vector.
    const gone = ids.slice(0, 100);
    const probe = stored(gone[0]!);
    temp.catalog.photos.deleteMany(gone);
    for (const id of gone) expect(index.remove(id)).toBe(true);
    expect(index.remove(gone[0]!)).toBe(false);
    expect(index.size).toBe(temp.catalog.embeddings.count(MODEL));
    const goneSet = new Set(gone);
    const after = index.search(probe, 100);
    expect(after.some((h) => goneSet.has(h.photoId))).toBe(false);
    expect(recall(after, exact(probe, 100))).toBeGreaterThanOrEqual(0.99);

    // A new photo is found first for its own vector, with score 1.
    const fresh = gen.images(1, 32);
    const [freshId] = addPhotos(fresh, 'new');
    index.add(freshId!, row(fresh, 0));
    expect(index.search(row(fresh, 0), 1)[0]).toEqual({ photoId: freshId, score: expect.closeTo(1, 6) as number });

    // A replaced vector is searched by its new value.
    const target = ids[500]!;
    const replacement = gen.images(1, 33);
    temp.catalog.embeddings.put(MODEL, target, row(replacement, 0));
    index.add(target, row(replacement, 0));
    const top = index.search(row(replacement, 0), 3);
    expect(top[0]!.photoId).toBe(target);
    expect(top[0]!.score).toBeCloseTo(1, 6);
    expect(index.size).toBe(temp.catalog.embeddings.count(MODEL));

    // Every hit is in the catalog, with the catalog's exact score.
    const queries = gen.queries(5, 34);
    for (let i = 0; i < 5; i++) {
      const got = index.search(row(queries, i), 30);
      const want = exact(row(queries, i), 30);
      expect(recall(got, want)).toBeGreaterThanOrEqual(0.99);
      const scores = new Map(exact(row(queries, i), 2000).map((h) => [h.photoId, h.score]));
      for (const hit of got) expect(hit.score).toBeCloseTo(scores.get(hit.photoId)!, 6);
    }
    index.close();
  });

  it('reconciles with changes it was not told about (a folder removed, vectors written elsewhere)', () => {
    const other = temp.catalog.folders.add(path.join(temp.dir, 'Other'));
    const ids = addPhotos(gen.images(800, 35));
    const doomed = temp.catalog.photos
      .upsertMany(Array.from({ length: 200 }, (_, i) => ({ folderId: other.id, path: path.join(other.path, `o${i}.jpg`), size: 1, mtimeMs: 1 })))
      .map((r) => r.id);
    const doomedVectors = gen.images(200, 36);
    temp.catalog.embeddings.putMany(MODEL, doomed.map((photoId, i) => ({ photoId, vector: row(doomedVectors, i) })));
    const index = VectorIndex.build(catalogVectorSource(temp.catalog, MODEL), { file: path.join(temp.dir, 'r.index') });
    expect(index.size).toBe(1000);

    temp.catalog.folders.remove(other.id); // cascades to its photos and, by trigger, their vectors
    const late = gen.images(50, 37);
    const lateIds = addPhotos(late, 'late');
    expect(index.reconcile()).toEqual({ added: 50, removed: 200 });
    expect(index.size).toBe(temp.catalog.embeddings.count(MODEL));
    const doomedSet = new Set(doomed);
    expect(index.search(row(doomedVectors, 0), 100).some((h) => doomedSet.has(h.photoId))).toBe(false);
    expect(index.search(row(late, 7), 1)[0]!.photoId).toBe(lateIds[7]);
    expect(index.reconcile()).toEqual({ added: 0, removed: 0 });
    expect(ids.every((id) => index.has(id))).toBe(true);
    index.close();
  });

  it('returns k results from an allowed set or filter, and only matching ones', () => {
    const ids = addPhotos(gen.images(2000, 41));
    const index = VectorIndex.build(catalogVectorSource(temp.catalog, MODEL), { file: path.join(temp.dir, 'f.index') });
    const queries = gen.queries(5, 42);
    const allowed = new Set(ids.filter((_, i) => i % 7 === 0)); // 286 photos: estimated directly
    const most = new Set(ids.filter((_, i) => i % 3 !== 0)); // 1333 photos: scanned, admitted by the set
    const tiny = new Set([ids[3]!, ids[99]!, ids[1500]!, 999_999]); // fewer than k, one unknown id
    const filter = (id: number): boolean => id % 3 === 0;
    for (let i = 0; i < 5; i++) {
      const q = row(queries, i);
      const inSet = index.search(q, 25, { allowed });
      expect(inSet).toHaveLength(25);
      expect(inSet.every((h) => allowed.has(h.photoId))).toBe(true);
      expect(recall(inSet, exact(q, 25, (id) => allowed.has(id)))).toBeGreaterThanOrEqual(0.96);

      const inMost = index.search(q, 25, { allowed: most, rerank: 200 });
      expect(inMost).toHaveLength(25);
      expect(inMost.every((h) => most.has(h.photoId))).toBe(true);
      expect(recall(inMost, exact(q, 25, (id) => most.has(id)))).toBeGreaterThanOrEqual(0.96);

      const few = index.search(q, 10, { allowed: tiny });
      expect(few.map((h) => h.photoId).sort((a, b) => a - b)).toEqual([ids[3]!, ids[99]!, ids[1500]!].sort((a, b) => a - b));

      const filtered = index.search(q, 25, { filter });
      expect(filtered).toHaveLength(25);
      expect(filtered.every((h) => filter(h.photoId))).toBe(true);
      expect(recall(filtered, exact(q, 25, filter))).toBeGreaterThanOrEqual(0.96);

      const both = index.search(q, 10, { allowed, filter });
      expect(both.every((h) => allowed.has(h.photoId) && filter(h.photoId))).toBe(true);
      expect(both).toHaveLength(10);
    }
    index.close();
  });

  it('handles an empty index, k beyond the size, k = 0 and wrong dimensions', () => {
    const source = catalogVectorSource(temp.catalog, MODEL);
    const empty = VectorIndex.build(source, { file: path.join(temp.dir, 'e.index') });
    const q = gen.queries(1, 51);
    expect(empty.size).toBe(0);
    expect(empty.search(q, 10)).toEqual([]);

    const vectors = gen.images(7, 52);
    const ids = addPhotos(vectors);
    ids.forEach((id, i) => empty.add(id, row(vectors, i)));
    const all = empty.search(q, 50);
    expect(all.map((h) => h.photoId).sort((a, b) => a - b)).toEqual(ids);
    expect(all).toEqual(exact(q, 50).map((h) => ({ photoId: h.photoId, score: expect.closeTo(h.score, 6) as number })));
    expect(empty.search(q, 0)).toEqual([]);

    expect(() => empty.search(new Float32Array(DIM - 1), 5)).toThrow(/dimensions/);
    expect(() => empty.add(ids[0]!, new Float32Array(DIM + 1))).toThrow(/dimensions/);
    expect(() => empty.add(ids[0]!, new Float32Array(DIM))).toThrow(/non-zero/);
    expect(() => empty.search(q, -1)).toThrow(/k must be/);
    expect(() => VectorIndex.build({ ...source, dim: 0 })).toThrow(/dimension/);
    empty.close();
  });

  it('grows well from empty through adds (re-centres as it grows)', () => {
    const source = catalogVectorSource(temp.catalog, MODEL);
    const index = VectorIndex.build(source, { file: path.join(temp.dir, 'g.index') });
    const vectors = gen.images(3000, 61);
    const ids = addPhotos(vectors);
    ids.forEach((id, i) => index.add(id, row(vectors, i)));
    const queries = gen.queries(10, 62);
    let r = 0;
    for (let i = 0; i < 10; i++) r += recall(index.search(row(queries, i), 50), exact(row(queries, i), 50)) / 10;
    expect(r).toBeGreaterThanOrEqual(0.99);
    index.close();
  });
});

describe('cache file', () => {
  const gen = clipLike(DIM, 7);

  it('loads when the catalog is unchanged and rebuilds when it changed', () => {
    const ids = addPhotos(gen.images(1500, 71));
    const file = path.join(temp.dir, 'cache.index');
    const source = catalogVectorSource(temp.catalog, MODEL);
    const built = VectorIndex.open(source, { file });
    expect(built.origin).toBe('built');
    expect(existsSync(file) && existsSync(`${file}.vectors`)).toBe(true);
    const q = gen.queries(1, 72);
    const before = built.search(q, 20);
    built.close();

    const loaded = VectorIndex.open(source, { file });
    expect(loaded.origin).toBe('cache');
    expect(loaded.size).toBe(1500);
    expect(loaded.search(q, 20)).toEqual(before);

    // A change the index was told about, then saved: the cache stays valid.
    const extra = gen.images(1, 73);
    const [extraId] = addPhotos(extra, 'x');
    loaded.add(extraId!, row(extra, 0));
    loaded.save();
    loaded.remove(ids[0]!);
    temp.catalog.photos.delete(ids[0]!);
    loaded.save();
    loaded.close();
    const again = VectorIndex.open(source, { file });
    expect(again.origin).toBe('cache');
    expect(again.size).toBe(1500);
    expect(again.search(row(extra, 0), 1)[0]!.photoId).toBe(extraId);
    again.close();

    // Changes made behind the index's back make the cache outdated. A deletion: in a library this small it touches
    // most chunks, so the index is built again. An in-place replacement of the newest vector (vec0 reuses the slot,
    // so only the vector bytes change): only the newest chunk is read again (resume).
    temp.catalog.photos.delete(ids[1]!);
    const rebuilt = VectorIndex.open(source, { file });
    expect(rebuilt.origin).toBe('built');
    expect(rebuilt.size).toBe(1499 - 1 + 1);
    rebuilt.close();
    const newer = row(gen.images(1, 74), 0);
    temp.catalog.embeddings.put(MODEL, extraId!, newer);
    const replaced = VectorIndex.open(source, { file });
    expect(replaced.origin).toBe('resumed');
    expect(replaced.size).toBe(1499);
    const top = replaced.search(newer, 1)[0]!;
    expect(top.photoId).toBe(extraId);
    expect(top.score).toBeCloseTo(1, 5);
    replaced.close();
    expect(VectorIndex.open(source, { file }).origin).toBe('cache');
  });

  it('rebuilds when the vector file is damaged or missing', () => {
    addPhotos(gen.images(300, 81));
    const file = path.join(temp.dir, 'damaged.index');
    const source = catalogVectorSource(temp.catalog, MODEL);
    VectorIndex.open(source, { file }).close();
    truncateSync(`${file}.vectors`, 1000);
    const index = VectorIndex.open(source, { file });
    expect(index.origin).toBe('built');
    expect(index.size).toBe(300);
    index.close();
    rmSync(`${file}.vectors`);
    expect(VectorIndex.open(source, { file }).origin).toBe('built');
    truncateSync(file, 20);
    expect(VectorIndex.open(source, { file }).origin).toBe('built');
  });
});

describe('in-memory source', () => {
  it('an in-memory source works the same way', () => {
    const gen = clipLike(DIM, 9);
    const vectors = gen.images(1000, 1);
    const index = VectorIndex.build(arraySource(vectors, DIM));
    const q = gen.queries(1, 2);
    expect(index.search(q, 5)).toHaveLength(5);
  });
});

describe('helper threads', () => {
  it('a scan split with a helper thread finds what exact search finds, in both layouts', () => {
    // 70k vectors (above the parallel-scan size) of a small dimension, so the test stays fast.
    const dim = 64;
    const gen = clipLike(dim, 3);
    const vectors = gen.images(70_000, 1);
    const queries = gen.queries(10, 2);
    const file = path.join(temp.dir, 'threads.index');
    // Every third photo (ids 1, 4, 7, ...): 23k, too many to estimate one by one, so the scan filters.
    const allowed = new Set(Array.from({ length: 70_000 / 3 + 1 }, (_, i) => i * 3 + 1).filter((id) => id <= 70_000));
    const thirds = Float32Array.from({ length: allowed.size * dim }, (_, x) => vectors[(Math.floor(x / dim) * 3) * dim + (x % dim)]!);
    for (const signScanMin of [1_000_000, 50_000]) {
      const index = VectorIndex.build(arraySource(vectors, dim), { file, signScanMin });
      let r = 0;
      let rAllowed = 0;
      for (let i = 0; i < 10; i++) {
        const q = queries.subarray(i * dim, (i + 1) * dim);
        const want = new Set(exactRows(vectors, q, dim, 20).map((row) => row + 1));
        const got = index.search(q, 20);
        r += got.filter((h) => want.has(h.photoId)).length / 20 / 10;
        // Only photos the filter allows (scanned on this thread alone).
        expect(index.search(q, 20, { filter: (id) => id % 2 === 0 }).every((h) => h.photoId % 2 === 0)).toBe(true);
        // An allowed set becomes a bitmap both threads scan with.
        const inSet = index.search(q, 20, { allowed });
        expect(inSet).toHaveLength(20);
        const wantInSet = new Set(exactRows(thirds, q, dim, 20).map((row) => row * 3 + 1));
        rAllowed += inSet.filter((h) => wantInSet.has(h.photoId)).length / 20 / 10;
      }
      expect(r).toBeGreaterThanOrEqual(0.98);
      expect(rAllowed).toBeGreaterThanOrEqual(0.98);
      index.close();
    }
  });
});

/** Rows of the k best dot products (exact). */
function exactRows(vectors: Float32Array, q: Float32Array, dim: number, k: number): number[] {
  const scores = Array.from({ length: vectors.length / dim }, (_, row) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += vectors[row * dim + j]! * q[j]!;
    return { row, s };
  });
  return scores.sort((a, b) => b.s - a.s).slice(0, k).map((x) => x.row);
}

describe('id table', () => {
  it('stays consistent through random adds and removes', () => {
    const next = rng(5);
    const vectors = isotropic(16).images(1, 1);
    const index = VectorIndex.build({ dim: 16, iterate: () => [], fetch: () => new Map() });
    const present = new Set<number>();
    for (let step = 0; step < 20_000; step++) {
      const id = 1 + Math.floor(next() * 3000);
      if (next() < 0.6) {
        index.add(id, vectors);
        present.add(id);
      } else {
        expect(index.remove(id)).toBe(present.delete(id));
      }
    }
    expect(index.size).toBe(present.size);
    for (let id = 1; id <= 3000; id++) expect(index.has(id)).toBe(present.has(id));
  });
});
