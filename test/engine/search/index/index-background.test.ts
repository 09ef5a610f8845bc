import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipLike } from '../../../../bench/search';
import { Catalog } from '../../../../electron/engine/catalog/catalog';
import type { BuildMessage, BuildRequest, BuildWorkerData } from '../../../../electron/engine/search/index/index-background';
import { VectorIndex, catalogVectorSource } from '../../../../electron/engine/search/index/index';
import { repoRoot } from '../../../support/shared-data';

// ~100k vectors, so that a build on this thread would block it for seconds; a small dimension keeps the catalog quick.
const DIM = 128;
const COUNT = 100_000;
const MODEL = 'clip-background';

let dir: string;
let catalog: Catalog;
let catalogFile: string;
let ids: number[];
const gen = clipLike(DIM, 17);

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-background-'));
  catalogFile = path.join(dir, 'catalog.sqlite');
  catalog = Catalog.open(catalogFile);
  const folder = catalog.folders.add(path.join(dir, 'Pictures'));
  catalog.embeddings.ensureModel(MODEL, DIM);
  ids = [];
  for (let start = 0; start < COUNT; start += 25_000) {
    const vectors = gen.images(25_000, 100 + start);
    const batch = catalog.photos
      .upsertMany(Array.from({ length: 25_000 }, (_, i) => ({ folderId: folder.id, path: path.join(folder.path, `${start + i}.jpg`), size: 1, mtimeMs: 1 })))
      .map((r) => r.id);
    catalog.embeddings.putMany(MODEL, batch.map((photoId, i) => ({ photoId, vector: vectors.subarray(i * DIM, (i + 1) * DIM) })));
    ids.push(...batch);
  }
}, 300_000);
afterAll(() => {
  catalog?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `work` while a timer ticks on this thread; returns its result and how many ticks saw a build in progress
 * (`building()` true). A build that ran on this thread would block it from start to end, so no tick could see it.
 */
async function whileTicking<T>(work: () => T | Promise<T>, building: () => boolean): Promise<{ result: T; ticksWhileBuilding: number }> {
  let ticksWhileBuilding = 0;
  const timer = setInterval(() => {
    if (building()) ticksWhileBuilding++;
  }, 5);
  try {
    return { result: await work(), ticksWhileBuilding };
  } finally {
    clearInterval(timer);
  }
}

function row(vectors: Float32Array, i: number): Float32Array {
  return vectors.subarray(i * DIM, (i + 1) * DIM);
}

describe('VectorIndex.openInBackground', () => {
  it('builds in a worker what build() builds, while this thread keeps running, and reuses a matching cache', async () => {
    const file = path.join(dir, 'bg.index');
    const source = catalogVectorSource(catalog, MODEL);
    // The worker writes its vector file under a temporary name from the start of the build to its end.
    const { result: index, ticksWhileBuilding } = await whileTicking(
      () => VectorIndex.openInBackground(source, { file, catalogFile, modelId: MODEL }),
      () => existsSync(`${file}.vectors.tmp`),
    );
    expect(index.origin).toBe('built');
    expect(index.size).toBe(COUNT);
    expect(existsSync(file) && existsSync(`${file}.vectors`)).toBe(true);
    // This thread kept running while the worker built.
    expect(ticksWhileBuilding).toBeGreaterThanOrEqual(5);

    // The same check catches a build on this thread: no tick sees it.
    const directFile = path.join(dir, 'direct.index');
    const { result: direct, ticksWhileBuilding: ticksWhileDirect } = await whileTicking(
      () => VectorIndex.build(source, { file: directFile }),
      () => existsSync(`${directFile}.vectors.tmp`),
    );
    expect(ticksWhileDirect).toBe(0);
    const queries = gen.queries(10, 5);
    for (let i = 0; i < 10; i++) expect(index.search(row(queries, i), 30)).toEqual(direct.search(row(queries, i), 30));
    expect(index.vectors(ids.slice(0, 5))).toEqual(direct.vectors(ids.slice(0, 5)));
    const first = index.search(row(queries, 0), 30);
    direct.close();
    index.close();

    // The cache matches the catalog: loaded here, no worker.
    const again = await VectorIndex.openInBackground(source, { file, catalogFile, modelId: MODEL });
    expect(again.origin).toBe('cache');
    expect(again.search(row(queries, 0), 30)).toEqual(first);
    again.close();
  });

  it('catches up with changes committed while the worker builds, replacements included', async () => {
    const file = path.join(dir, 'moving.index');
    const source = catalogVectorSource(catalog, MODEL);
    const removed = ids.slice(50, 60);
    const replaced = [ids[10]!, ids[COUNT - 1]!];
    const replacements = gen.images(2, 901);
    const added = gen.images(3, 902);
    let addedIds: number[] = [];
    let changed = false;
    // Commit the changes once the worker has started writing its vector file (after it took the stamp and mark).
    const building = VectorIndex.openInBackground(source, { file, catalogFile, modelId: MODEL });
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (!existsSync(`${file}.vectors.tmp`)) return;
        clearInterval(poll);
        try {
          catalog.photos.deleteMany(removed);
          replaced.forEach((id, i) => catalog.embeddings.put(MODEL, id, row(replacements, i)));
          const folder = catalog.folders.list()[0]!;
          addedIds = catalog.photos
            .upsertMany([0, 1, 2].map((i) => ({ folderId: folder.id, path: path.join(folder.path, `late${i}.jpg`), size: 1, mtimeMs: 1 })))
            .map((r) => r.id);
          catalog.embeddings.putMany(MODEL, addedIds.map((photoId, i) => ({ photoId, vector: row(added, i) })));
          changed = true;
          resolve();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }, 2);
    });
    const index = await building;
    expect(changed).toBe(true);
    expect(index.size).toBe(catalog.embeddings.count(MODEL));
    expect(removed.some((id) => index.has(id))).toBe(false);
    replaced.forEach((id, i) => {
      const top = index.search(row(replacements, i), 1)[0]!;
      expect(top.photoId).toBe(id);
      expect(top.score).toBeCloseTo(1, 5);
    });
    addedIds.forEach((id, i) => expect(index.search(row(added, i), 1)[0]!.photoId).toBe(id));
    // It saved itself at the catalog's current stamp.
    expect(index.stamp).toBe(source.stamp!());
    index.close();
    expect((await VectorIndex.openInBackground(source, { file, catalogFile, modelId: MODEL })).origin).toBe('cache');
  });

  it("the CLI bundle's worker entry (out/cli, bundled by the global setup) builds the same cache", async () => {
    const bundled = path.join(repoRoot, 'out/cli/index-build-worker.js');
    expect(existsSync(bundled)).toBe(true);
    const file = path.join(dir, 'bundled.index');
    const request: BuildRequest = { catalogFile, modelId: MODEL, file };
    const workerData: BuildWorkerData = { request };
    const reply = await new Promise<BuildMessage>((resolve, reject) => {
      const worker = new Worker(bundled, { workerData });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(reply.error).toBeUndefined();
    const size = catalog.embeddings.count(MODEL);
    expect(reply.reply).toMatchObject({ size, stamp: catalogVectorSource(catalog, MODEL).stamp!() });
    const index = VectorIndex.load(catalogVectorSource(catalog, MODEL), { file });
    expect(index?.size).toBe(size);
    index?.close();
  });

  it('an outdated cache catches up in the worker instead of being rebuilt: removals, replacements, additions', async () => {
    const file = path.join(dir, 'resume.index');
    const source = catalogVectorSource(catalog, MODEL);
    (await VectorIndex.openInBackground(source, { file, catalogFile, modelId: MODEL })).close();
    // Changes the index never hears of, as when the app was killed before saving or the CLI indexed photos.
    const removed = ids.slice(300, 340);
    const replaced = [ids[500]!, ids[70_000]!];
    const replacements = gen.images(2, 903);
    const added = gen.images(3, 904);
    catalog.photos.deleteMany(removed);
    replaced.forEach((id, i) => catalog.embeddings.put(MODEL, id, row(replacements, i)));
    const folder = catalog.folders.list()[0]!;
    const addedIds = catalog.photos
      .upsertMany([0, 1, 2].map((i) => ({ folderId: folder.id, path: path.join(folder.path, `resumed${i}.jpg`), size: 1, mtimeMs: 1 })))
      .map((r) => r.id);
    catalog.embeddings.putMany(MODEL, addedIds.map((photoId, i) => ({ photoId, vector: row(added, i) })));

    const index = await VectorIndex.openInBackground(source, { file, catalogFile, modelId: MODEL });
    expect(index.origin).toBe('resumed');
    expect(index.stamp).toBe(source.stamp!());
    expect(index.size).toBe(catalog.embeddings.count(MODEL));
    expect(removed.some((id) => index.has(id))).toBe(false);
    replaced.forEach((id, i) => {
      expect(index.vectors([id]).get(id)).toEqual(row(replacements, i));
      expect(index.search(row(replacements, i), 1)[0]).toMatchObject({ photoId: id });
    });
    addedIds.forEach((id, i) => expect(index.search(row(added, i), 1)[0]!.photoId).toBe(id));
    // As good as a fresh build: recall against exact search over the catalog's vectors.
    const all = new Map<number, Float32Array>();
    for (const chunk of source.iterate()) chunk.photoIds.forEach((id, i) => all.set(Number(id), chunk.vectors.subarray(i * DIM, (i + 1) * DIM)));
    expect(all.size).toBe(index.size);
    const queries = gen.queries(10, 6);
    let found = 0;
    for (let q = 0; q < 10; q++) {
      const query = row(queries, q);
      const exact = [...all].map(([id, v]) => ({ id, score: v.reduce((sum, x, d) => sum + x * query[d]!, 0) })).sort((a, b) => b.score - a.score);
      const got = new Set(index.search(query, 20).map((h) => h.photoId));
      found += exact.slice(0, 20).filter((e) => got.has(e.id)).length;
    }
    expect(found / 200).toBeGreaterThanOrEqual(0.98);
    index.close();
    expect((await VectorIndex.openInBackground(source, { file, catalogFile, modelId: MODEL })).origin).toBe('cache');
  });

  it('resume declines when most of the catalog changed, or when there is nothing to resume', () => {
    const file = path.join(dir, 'decline.index');
    const source = catalogVectorSource(catalog, MODEL);
    expect(VectorIndex.resume(source, { file })).toBeUndefined();
    VectorIndex.build(source, { file }).close();
    // Unchanged: resumes with nothing to do.
    const same = VectorIndex.resume(source, { file });
    expect(same?.origin).toBe('resumed');
    expect(same?.size).toBe(catalog.embeddings.count(MODEL));
    same?.close();
    // A deletion in nearly every chunk: building afresh is as cheap, and starts clean.
    catalog.photos.deleteMany(ids.filter((_, i) => i % 1000 === 999));
    expect(VectorIndex.resume(source, { file })).toBeUndefined();
  });

  it('rejects when aborted, and for a model the catalog does not have', async () => {
    const source = catalogVectorSource(catalog, MODEL);
    const controller = new AbortController();
    const file = path.join(dir, 'aborted.index');
    const building = VectorIndex.openInBackground(source, { file, catalogFile, modelId: MODEL, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(building).rejects.toThrow(/abort/i);
    expect(existsSync(file)).toBe(false);
    await expect(VectorIndex.openInBackground(source, { file: path.join(dir, 'other.index'), catalogFile, modelId: 'no-such-model' })).rejects.toThrow(
      /unknown embedding model/,
    );
  });
});
