import { appendFile, copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IndexingProgress } from '@shared/types';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import { ClipModel } from '../../../electron/engine/clip/clip-model';
import { modelImageInput } from '../../../electron/engine/clip/preprocess';
import { Indexer, type IndexerOptions } from '../../../electron/engine/indexing/indexer';
import type { PhotoDecoder } from '../../../electron/engine/indexing/types';
import { SharpPhotoDecoder } from '../../../electron/engine/media/photo-decoder';
import { ThumbnailStore } from '../../../electron/engine/media/thumbnails';
import { hasShared, TOY_MODEL_DIR } from '../../support/shared-data';
import { copyPhotos, filesUnder, flickrPhotos, register, ROBUSTNESS_DIR } from './fixtures/library';
import { WatchedModel } from './fixtures/models';
import { SimpleDecoder } from './fixtures/simple-decoder';

const MODEL_ID = 'toy';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function untilDone(indexer: Indexer, timeoutMs?: number): Promise<void> {
  return waitFor(
    () => {
      const p = indexer.progress();
      return p.state === 'idle' && p.pending === 0;
    },
    'the queue to empty',
    timeoutMs,
  );
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Decoder wrapper counting decode calls per path. */
class CountingDecoder implements PhotoDecoder {
  readonly calls = new Map<string, number>();
  failWith = new Map<string, Error>();

  constructor(private readonly inner: PhotoDecoder) {}

  get total(): number {
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }

  decode(file: string, signal?: AbortSignal) {
    this.calls.set(file, (this.calls.get(file) ?? 0) + 1);
    const failure = this.failWith.get(file);
    if (failure) return Promise.reject(failure);
    return this.inner.decode(file, signal);
  }
}

describe.skipIf(!hasShared('models/toy-color-clip', 'data/flickr8k-test1k/images', 'data/robustness'))('Indexer', () => {
  let toy: ClipModel;
  let dir: string;
  let catalog: Catalog;
  let indexer: Indexer | null;
  let tick: number;

  beforeAll(async () => {
    toy = await ClipModel.open(TOY_MODEL_DIR, { provider: 'cpu', intraOpThreads: 1 });
  });

  afterAll(async () => {
    await toy?.dispose();
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shoebox-indexer-'));
    tick = 0;
    // A counter for updated_at, so the order in which photos were saved can be read back.
    catalog = Catalog.open(path.join(dir, 'catalog.sqlite'), { now: () => ++tick });
    indexer = null;
  });

  afterEach(async () => {
    await indexer?.stop();
    catalog.close();
    await rm(dir, { recursive: true, force: true });
  });

  function makeIndexer(options: Partial<IndexerOptions> = {}): Indexer {
    indexer = new Indexer({
      catalog,
      model: toy,
      modelId: MODEL_ID,
      decoder: new SimpleDecoder(toy.preprocess),
      batchSize: 4,
      decodeConcurrency: 2,
      ...options,
    });
    return indexer;
  }

  function expectConsistent(): void {
    expect(catalog.integrityCheck()).toEqual([]);
    expect(catalog.findOrphans()).toEqual([]);
    expect(catalog.embeddings.findMissing()).toEqual([]);
  }

  it('indexes newest files first, stores the right vector for each photo, and reports monotonic progress ending idle', async () => {
    const sources = await flickrPhotos(24);
    // mtimes in a different order from the names.
    const files = await copyPhotos(sources, path.join(dir, 'Pictures'), (i) => 1_700_000_000_000 + ((i * 7) % 24) * 1000);
    const { ids } = await register(catalog, path.join(dir, 'Pictures'), files);
    const events: IndexingProgress[] = [];
    await makeIndexer({ progressIntervalMs: 0, onProgress: (p) => events.push(p) }).start();
    await untilDone(indexer!);

    const photos = catalog.photos.getByIds(ids);
    expect(photos.every((p) => p.state === 'indexed' && p.embeddedModel === MODEL_ID)).toBe(true);
    const byMtime = [...photos].sort((a, b) => b.mtimeMs - a.mtimeMs).map((p) => p.id);
    const bySave = [...photos].sort((a, b) => a.updatedAt - b.updatedAt).map((p) => p.id);
    expect(bySave).toEqual(byMtime);

    // Each vector is the photo's own: compare with the model run directly.
    const decoder = new SimpleDecoder(toy.preprocess);
    const direct = await toy.embedImages(await Promise.all(files.map(async (f) => (await decoder.decode(f)).image)));
    ids.forEach((id, i) => expect(dot(catalog.embeddings.get(MODEL_ID, id)!, direct[i]!)).toBeGreaterThan(0.9999));
    expect(catalog.photos.get(ids[0]!)).toMatchObject({ width: 224, height: 224, format: 'jpeg' });
    expect(catalog.photos.get(ids[0]!)!.contentHash).toMatch(/^[0-9a-f]{64}$/);

    expect(events.some((e) => e.state === 'running' && e.etaSeconds !== null && e.ratePerSecond > 0)).toBe(true);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.processedThisRun).toBeGreaterThanOrEqual(events[i - 1]!.processedThisRun);
      expect(events[i]!.indexed).toBeGreaterThanOrEqual(events[i - 1]!.indexed);
      expect(events[i]!.pending).toBeLessThanOrEqual(events[i - 1]!.pending);
    }
    expect(events.at(-1)).toEqual({
      state: 'idle',
      pending: 0,
      indexed: 24,
      failed: 0,
      processedThisRun: 24,
      ratePerSecond: 0,
      etaSeconds: null,
    });
    expect(catalog.embeddings.getModel(MODEL_ID)?.status).toBe('complete');
    expectConsistent();
  });

  it('takes the whole robustness corpus: every file ends indexed or failed with a readable reason', async () => {
    const files = (await filesUnder(ROBUSTNESS_DIR)).filter((f) => path.basename(f) !== 'manifest.tsv');
    const { ids } = await register(catalog, ROBUSTNESS_DIR, files);
    const started = performance.now();
    // The app's decoder: thumbnails and metadata (dates, camera, GPS, description, keywords) go in with the vector.
    const decoder = new SharpPhotoDecoder({ modelInput: modelImageInput(toy.preprocess), thumbnails: new ThumbnailStore(path.join(dir, 'thumbnails')) });
    await makeIndexer({ batchSize: 16, decoder }).start();
    await untilDone(indexer!, 50_000);
    const seconds = (performance.now() - started) / 1000;

    const counts = catalog.photos.counts();
    expect(counts.indexed + counts.failed).toBe(files.length);
    expect(catalog.embeddings.count(MODEL_ID)).toBe(counts.indexed);
    const failures = catalog.photos.failures();
    expect(failures).toHaveLength(counts.failed);
    for (const f of failures) {
      // The reason is the decoder's sentence for a person, without the path (the list shows the path beside it).
      expect(f.reason.length).toBeGreaterThan(5);
      expect(f.reason).not.toContain(f.path);
      expect(f.reason).not.toMatch(/<buffer>|could not read this photo|\n\s+at /);
    }
    const reasonOf = (relative: string): string | undefined => failures.find((f) => f.path === path.join(ROBUSTNESS_DIR, relative))?.reason;
    const failedNames = failures.map((f) => path.relative(ROBUSTNESS_DIR, f.path));
    console.log(`robustness corpus: ${counts.indexed} indexed, ${counts.failed} failed in ${seconds.toFixed(1)} s:\n  ` +
      failures.map((f) => `${path.relative(ROBUSTNESS_DIR, f.path)}: ${f.reason}`).join('\n  '));
    expect(failedNames.length).toBeGreaterThan(5);
    expect(failures.some((f) => /truncated|damaged/.test(f.reason))).toBe(true);
    expect(failures.some((f) => /cannot be decoded by this build/.test(f.reason))).toBe(true);
    // libjpeg words a cut-off file either way, depending on where the cut falls.
    expect(reasonOf('corrupt/sharp/truncated.jpg')).toMatch(/truncated|damaged/);
    expect(reasonOf('formats/pillow/hopper.bmp')).toMatch(/BMP images cannot be decoded/);
    // A 280-megapixel panorama is within the limit and indexed.
    expect(failedNames).not.toContain(path.join('size_extremes', 'sharp', 'giant-image.jpg'));
    expect(ids.every((id) => catalog.photos.get(id)!.state !== 'pending')).toBe(true);
    const indexed = catalog.photos.getByIds(ids).filter((p) => p.state === 'indexed');
    expect(indexed.every((p) => p.thumbnail === p.contentHash)).toBe(true);
    expect(indexed.filter((p) => p.takenAt).length).toBeGreaterThan(20);
    // The text a file carries is saved in the same transaction as its vector.
    const photoAt = (relative: string) => catalog.photos.getByPath(path.join(ROBUSTNESS_DIR, relative))!;
    expect(photoAt('exif_gps_dates/immich/picasa.jpg')).toMatchObject({ state: 'indexed', description: null, keywords: 'Frost, Yard' });
    expect(photoAt('formats/immich/denali.webp')).toMatchObject({ state: 'indexed', description: 'Denali National Park and Preserve' });
    expect(photoAt('exif_gps_dates/immich/thompson-springs.jpg').keywords).toContain('thompson springs');
    expectConsistent();
  }, 60_000);

  it('keeps at most two batches decoded ahead of the model', async () => {
    const files = await copyPhotos(await flickrPhotos(60), path.join(dir, 'Pictures'));
    await register(catalog, path.join(dir, 'Pictures'), files);
    const model = new WatchedModel(toy);
    const decoder = new CountingDecoder(new SimpleDecoder(toy.preprocess));
    const entered = model.hold();
    await makeIndexer({ model, decoder, batchSize: 4, decodeConcurrency: 4 }).start();
    await entered;
    await sleep(300);
    // The batch on the model plus two queued batches, however long the model takes.
    expect(decoder.total).toBe(4 + 2 * 4);
    model.release();
    await untilDone(indexer!);
    expect(model.imagesEmbedded).toBe(60);
    expect(decoder.total).toBe(60);
  });

  it('stop() finishes and saves the batch on the model, drops the rest, and a new indexer carries on without re-embedding', async () => {
    const files = await copyPhotos(await flickrPhotos(40), path.join(dir, 'Pictures'));
    await register(catalog, path.join(dir, 'Pictures'), files);
    const model = new WatchedModel(toy);
    const events: IndexingProgress[] = [];
    const entered = model.hold();
    await makeIndexer({ model, batchSize: 8, progressIntervalMs: 0, onProgress: (p) => events.push(p) }).start();
    await entered;
    const stopped = indexer!.stop();
    await sleep(50);
    expect(catalog.photos.counts().indexed).toBe(0);
    model.release();
    await stopped;
    expect(catalog.photos.counts()).toMatchObject({ indexed: 8, pending: 32 });
    expect(model.calls).toEqual([8]);
    expect(events.at(-1)).toMatchObject({ state: 'idle', indexed: 8, pending: 32 });
    await sleep(100);
    expect(catalog.photos.counts().indexed).toBe(8);
    indexer!.wake(); // after stop: ignored
    await sleep(100);
    expect(model.calls).toEqual([8]);
    expectConsistent();

    await makeIndexer({ model, batchSize: 8 }).start();
    await untilDone(indexer!);
    expect(model.imagesEmbedded).toBe(40);
    expect(catalog.photos.counts().indexed).toBe(40);
  });

  it('pause() finishes the batch in flight, then takes no work until resume()', async () => {
    const files = await copyPhotos(await flickrPhotos(32), path.join(dir, 'Pictures'));
    await register(catalog, path.join(dir, 'Pictures'), files);
    const model = new WatchedModel(toy);
    const events: IndexingProgress[] = [];
    const entered = model.hold();
    await makeIndexer({ model, batchSize: 8, progressIntervalMs: 0, onProgress: (p) => events.push(p) }).start();
    await entered;
    const paused = indexer!.pause();
    expect(indexer!.progress().state).toBe('paused');
    model.release();
    await paused;
    expect(catalog.photos.counts().indexed).toBe(8);
    await sleep(300);
    expect(catalog.photos.counts().indexed).toBe(8);
    expect(model.calls).toEqual([8]);
    expect(indexer!.progress()).toMatchObject({ state: 'paused', pending: 24 });
    indexer!.wake(); // new work while paused waits too
    await sleep(100);
    expect(model.calls).toEqual([8]);

    indexer!.resume();
    await untilDone(indexer!);
    expect(model.imagesEmbedded).toBe(32);
    expect(catalog.photos.counts().indexed).toBe(32);
    expect(events.map((e) => e.state)).toEqual(expect.arrayContaining(['running', 'paused', 'idle']));
    expectConsistent();
  });

  it('pause() before start() starts paused', async () => {
    const files = await copyPhotos(await flickrPhotos(4), path.join(dir, 'Pictures'));
    await register(catalog, path.join(dir, 'Pictures'), files);
    const model = new WatchedModel(toy);
    const idx = makeIndexer({ model });
    void idx.pause();
    await idx.start();
    await sleep(200);
    expect(model.calls).toEqual([]);
    expect(idx.progress()).toMatchObject({ state: 'paused', pending: 4 });
    idx.resume();
    await untilDone(idx);
    expect(catalog.photos.counts().indexed).toBe(4);
  });

  it('cancelFolder() drops the folder at once and saves nothing for it, even from the batch on the model', async () => {
    const sources = await flickrPhotos(32);
    // Two folders, interleaved in the queue, so every batch holds photos of both.
    const a = await copyPhotos(sources.slice(0, 16), path.join(dir, 'A'), (i) => 1_700_000_000_000 - 2 * i * 1000);
    const b = await copyPhotos(sources.slice(16), path.join(dir, 'B'), (i) => 1_700_000_000_000 - (2 * i + 1) * 1000);
    const folderA = await register(catalog, path.join(dir, 'A'), a);
    const folderB = await register(catalog, path.join(dir, 'B'), b);
    const model = new WatchedModel(toy);
    const entered = model.hold();
    await makeIndexer({ model, batchSize: 8 }).start();
    await entered;
    indexer!.cancelFolder(folderA.folderId);
    model.release();
    // The folder row is still there (the caller deletes it after cancelling): nothing of it may be saved meanwhile.
    await waitFor(() => indexer!.progress().state === 'idle' && catalog.photos.counts().pending === 16, 'folder B done');
    await sleep(100);
    for (const id of folderA.ids) {
      expect(catalog.photos.get(id)!.state).toBe('pending');
      expect(catalog.embeddings.get(MODEL_ID, id)).toBeUndefined();
    }
    expect(folderB.ids.every((id) => catalog.photos.get(id)!.state === 'indexed')).toBe(true);
    // A's photos in the first batch were already on the model; none of the later ones was.
    expect(model.imagesEmbedded).toBe(8 + 12);

    catalog.folders.remove(folderA.folderId);
    indexer!.wake();
    await untilDone(indexer!);
    expect(catalog.embeddings.getModel(MODEL_ID)?.status).toBe('complete');
    expectConsistent();
  });

  it('reuses the vector of a photo with the same content instead of running the model', async () => {
    const sources = await flickrPhotos(6);
    // Originals first, then their copies (two of them land in the same batch as their original).
    const files = await copyPhotos([...sources, sources[0]!, sources[1]!, ...sources], path.join(dir, 'Pictures'));
    const { ids } = await register(catalog, path.join(dir, 'Pictures'), files);
    const model = new WatchedModel(toy);
    await makeIndexer({ model, batchSize: 4 }).start();
    await untilDone(indexer!);
    expect(model.imagesEmbedded).toBe(6);
    expect(catalog.photos.counts().indexed).toBe(14);
    const vector = (id: number): Float32Array => catalog.embeddings.get(MODEL_ID, id)!;
    expect(dot(vector(ids[6]!), vector(ids[0]!))).toBeCloseTo(1, 6);
    expect(dot(vector(ids[13]!), vector(ids[5]!))).toBeCloseTo(1, 6);

    // A copy arriving later: wake() picks it up, still without the model.
    const late = path.join(dir, 'Pictures', 'late-copy.jpg');
    await copyFile(sources[3]!, late);
    const info = await stat(late);
    const { id } = catalog.photos.upsertScanned({ folderId: catalog.photos.get(ids[0]!)!.folderId, path: late, size: info.size, mtimeMs: info.mtimeMs });
    indexer!.wake();
    await waitFor(() => catalog.photos.get(id)!.state === 'indexed', 'the late copy');
    expect(model.imagesEmbedded).toBe(6);
    expect(dot(vector(id), vector(ids[3]!))).toBeCloseTo(1, 6);
    expectConsistent();
  });

  it('leaves a file that changed while it was read pending without spinning, and reads it again next pass', async () => {
    const files = await copyPhotos(await flickrPhotos(4), path.join(dir, 'Pictures'));
    const { ids, folderId } = await register(catalog, path.join(dir, 'Pictures'), files);
    // The file changes after the scan: the catalog still has the old version.
    await appendFile(files[1]!, Buffer.alloc(16));
    const decoder = new CountingDecoder(new SimpleDecoder(toy.preprocess));
    await makeIndexer({ decoder, retryDelayMs: 400 }).start();
    await waitFor(() => indexer!.progress().state === 'idle' && catalog.photos.counts().indexed === 3, 'the others');
    expect(catalog.photos.get(ids[1]!)!.state).toBe('pending');
    expect(decoder.calls.get(files[1]!)).toBe(1);
    await sleep(150);
    expect(decoder.calls.get(files[1]!)).toBe(1);
    await waitFor(() => decoder.calls.get(files[1]!) === 2, 'the retry pass');
    expect(catalog.photos.get(ids[1]!)!.state).toBe('pending');

    // The watcher reports the change and wakes the indexer.
    const info = await stat(files[1]!);
    expect(catalog.photos.upsertScanned({ folderId, path: files[1]!, size: info.size, mtimeMs: info.mtimeMs }).change).toBe('changed');
    indexer!.wake();
    await untilDone(indexer!);
    expect(catalog.photos.get(ids[1]!)!.state).toBe('indexed');
    expect(catalog.embeddings.getModel(MODEL_ID)?.status).toBe('complete');
  });

  it('marks a photo failed with a reason when the decoder throws something unexpected', async () => {
    const files = await copyPhotos(await flickrPhotos(6), path.join(dir, 'Pictures'));
    const { ids } = await register(catalog, path.join(dir, 'Pictures'), files);
    const decoder = new CountingDecoder(new SimpleDecoder(toy.preprocess));
    decoder.failWith.set(files[2]!, new TypeError('cannot read properties of undefined'));
    await makeIndexer({ decoder }).start();
    await untilDone(indexer!);
    expect(catalog.photos.counts()).toMatchObject({ indexed: 5, failed: 1, pending: 0 });
    expect(catalog.photos.get(ids[2]!)!.failureReason).toBe('could not read this photo: cannot read properties of undefined');
  });

  it('leaves photos pending when the model fails on everything, reports it, and retries', async () => {
    const files = await copyPhotos(await flickrPhotos(8), path.join(dir, 'Pictures'));
    await register(catalog, path.join(dir, 'Pictures'), files);
    const model = new WatchedModel(toy);
    model.fail = new Error('CUDA out of memory');
    const errors: Error[] = [];
    await makeIndexer({ model, retryDelayMs: 300, onError: (e) => errors.push(e) }).start();
    await waitFor(() => errors.length > 0, 'the error');
    expect(errors[0]!.message).toContain('CUDA out of memory');
    expect(indexer!.lastError).toContain('CUDA out of memory');
    expect(catalog.photos.counts()).toMatchObject({ indexed: 0, failed: 0, pending: 8 });
    await waitFor(() => indexer!.progress().state === 'idle', 'idle after the failure');
    model.fail = null;
    await untilDone(indexer!);
    expect(catalog.photos.counts()).toMatchObject({ indexed: 8, failed: 0 });
  });

  it('wake() on a new indexer starts it; start() with nothing to do reports idle at once', async () => {
    const events: IndexingProgress[] = [];
    const idx = makeIndexer({ onProgress: (p) => events.push(p) });
    await idx.start();
    await waitFor(() => events.length > 0, 'a progress event');
    expect(events.at(-1)).toMatchObject({ state: 'idle', pending: 0 });
    await idx.stop();

    const files = await copyPhotos(await flickrPhotos(3), path.join(dir, 'Pictures'));
    await register(catalog, path.join(dir, 'Pictures'), files);
    const fresh = makeIndexer();
    fresh.wake();
    await untilDone(fresh);
    expect(catalog.photos.counts().indexed).toBe(3);
  });

  it('refuses a model whose dimension the catalog knows differently, without throwing from start()', async () => {
    catalog.embeddings.ensureModel(MODEL_ID, 16);
    const errors: Error[] = [];
    await makeIndexer({ dim: 512, onError: (e) => errors.push(e) }).start();
    expect(errors[0]?.message).toMatch(/dimension 16/);
  });

  it('re-indexes a touched file, replacing its vector', async () => {
    const files = await copyPhotos(await flickrPhotos(2), path.join(dir, 'Pictures'));
    const { ids, folderId } = await register(catalog, path.join(dir, 'Pictures'), files);
    await makeIndexer().start();
    await untilDone(indexer!);
    const at = new Date(1_800_000_000_000);
    await utimes(files[0]!, at, at);
    const info = await stat(files[0]!);
    catalog.photos.upsertScanned({ folderId, path: files[0]!, size: info.size, mtimeMs: info.mtimeMs });
    indexer!.wake();
    await untilDone(indexer!);
    expect(catalog.photos.get(ids[0]!)).toMatchObject({ state: 'indexed', mtimeMs: 1_800_000_000_000 });
    expect(catalog.embeddings.count(MODEL_ID)).toBe(2);
  });
  it('stops, without switching back, when another model becomes the active one', async () => {
    const files = await copyPhotos(await flickrPhotos(4), path.join(dir, 'Pictures'));
    await register(catalog, path.join(dir, 'Pictures'), files);
    const errors: Error[] = [];
    await makeIndexer({ onError: (e) => errors.push(e) }).start();
    await untilDone(indexer!);
    catalog.embeddings.ensureModel('other', 512);
    indexer!.wake();
    await waitFor(() => errors.length > 0, 'the error');
    expect(errors[0]!.message).toMatch(/no longer the catalog's active model/);
    indexer!.wake();
    await sleep(100);
    expect(catalog.embeddings.activeModel()?.id).toBe('other');
    expect(catalog.photos.counts()).toMatchObject({ pending: 4, indexed: 0 });
  });
});
