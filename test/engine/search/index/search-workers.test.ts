import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { arraySource, clipLike } from '../../../../bench/search';
import { dot } from '../../../../electron/engine/math/vectors';
import { instantiateFastScan } from '../../../../electron/engine/search/index/fastscan-wasm';
import { VectorIndex } from '../../../../electron/engine/search/index/index';
import { SearchWorkers } from '../../../../electron/engine/search/index/search-workers';
import { VectorFile } from '../../../../electron/engine/search/index/vector-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-workers-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Blocks this thread in short waits until `done()` (the helper works meanwhile); false if it never is. */
function waitUntil(done: () => boolean, tries = 3000): boolean {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < tries && !done(); i++) Atomics.wait(pause, 0, 0, 10);
  return done();
}

describe('search helper threads (search-worker.ts)', () => {
  it('a helper that takes every re-rank read scores them as this thread does', () => {
    const dim = 96;
    const gen = clipLike(dim, 4);
    const count = 300;
    const vectors = gen.images(count, 1);
    const file = VectorFile.create(path.join(dir, 'v.vectors'), dim);
    file.write(0, vectors);
    const wasm = instantiateFastScan(8);
    const workers = new SearchWorkers(wasm.memory, 1, file.path, dim, 0);
    try {
      expect(waitUntil(() => workers.started === 1)).toBe(true);
      const [slotsAt, queryAt, scoresAt] = [0, 65536, 131072];
      const slots = Int32Array.from({ length: 200 }, (_, i) => (i * 7) % count);
      new Int32Array(wasm.memory.buffer, slotsAt, slots.length).set(slots);
      const q = gen.queries(1, 2);
      new Float32Array(wasm.memory.buffer, queryAt, dim).set(q);
      const scores = new Float64Array(wasm.memory.buffer, scoresAt, slots.length).fill(NaN);
      workers.startRead({ slotsAt, count: slots.length, queryAt, scoresAt, run: 4 });
      // This thread claims no run: once the helper has scored all of them, it reports them all as its own.
      expect(waitUntil(() => scores.every((s) => !Number.isNaN(s)))).toBe(true);
      expect(workers.finish(0)).toBe(slots.length);
      const v = new Float32Array(dim);
      slots.forEach((slot, i) => {
        file.read(slot, v);
        expect(scores[i]).toBe(dot(q, v));
      });
    } finally {
      workers.close();
      file.close();
    }
  });

  it('searches with helper threads give the results of searches on this thread alone', async () => {
    // Above the size from which a helper scans beside the calling thread; a small dimension keeps it quick.
    const dim = 64;
    const gen = clipLike(dim, 8);
    const vectors = gen.images(70_000, 3);
    const queries = gen.queries(10, 4);
    const file = path.join(dir, 'x.index');
    const alone = VectorIndex.build(arraySource(vectors, dim), { file, threads: 0 });
    alone.close();
    const single = VectorIndex.open(arraySource(vectors, dim), { file, threads: 0 });
    const helped = VectorIndex.open(arraySource(vectors, dim), { file, threads: 3 });
    try {
      const allowed = new Set(Array.from({ length: 35_000 }, (_, i) => 2 * i + 1));
      // A helper still starting takes no part in a search: start them now and wait until every one takes jobs.
      await helped.startHelpers();
      const workers = (helped as unknown as { workers?: SearchWorkers }).workers;
      expect(workers?.size).toBeGreaterThan(0);
      expect(workers!.started).toBe(workers!.size);
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 10; i++) {
          const q = queries.subarray(i * dim, (i + 1) * dim);
          // The scan is shared with a helper, and so are the re-rank reads (hundreds of candidates).
          expect(helped.search(q, 30)).toEqual(single.search(q, 30));
          expect(helped.search(q, 30, { allowed })).toEqual(single.search(q, 30, { allowed }));
        }
      }
    } finally {
      single.close();
      helped.close();
    }
  });
});
