import type { Worker } from 'node:worker_threads';
import type { WasmMemory } from './fastscan-wasm';
import { CONTROL_BYTES, CONTROL_WORDS, DONE, IDLE, JOB_PARAMS, PARAMS_AT, POSTED, QUIT, writeReadJob, writeScanJob } from './search-worker-protocol';
import type { ReadJob, ScanJob, SearchWorkerData } from './search-worker-protocol';
import { startWorkerModule } from './worker-module';

export type { ReadJob, ScanJob } from './search-worker-protocol';

/*
 * Helper threads for one index, sharing its wasm memory. They scan codes, or read and score re-rank candidates,
 * beside the calling thread, which then blocks (Atomics.wait) until they are done - so search() stays synchronous.
 * The scan is memory-bandwidth bound, and a second core gets more of it; re-ranking is one pread per candidate,
 * quick from the page cache but slow from disk when the OS has evicted the file, where several reads in flight at
 * once (one per thread) help (see `npm run bench -- search`, "uncached").
 *
 * Work is not split in fixed shares: every thread, the caller included, takes the next batch of blocks (or of
 * candidates) from a shared counter until none is left. On a busy machine a helper the OS has not scheduled yet
 * simply does less, and one that has not started at all is called off (its job taken back), so the caller never
 * idles waiting for a thread to get a core.
 *
 * Each helper runs search-worker.ts, a module of its own (see worker-module.ts).
 */

interface Helper {
  worker: Worker;
  state: Int32Array;
  params: Float64Array;
  /** Where a scan job leaves its (slot i32, estimate f32) pairs; empty for a helper that only reads. */
  results: SharedArrayBuffer;
}

export class SearchWorkers {
  private readonly helpers: Helper[] = [];
  private readonly counters = new SharedArrayBuffer(8);
  private readonly next = new Int32Array(this.counters);

  /** `scanPairs`: room for helper 0's scan results (0: the helpers only read). */
  constructor(
    private readonly memory: WasmMemory,
    count: number,
    private readonly vectorPath: string | undefined,
    private readonly dim: number,
    readonly scanPairs: number,
  ) {
    this.grow(count);
  }

  /** Starts helpers until there are `count`. */
  grow(count: number): void {
    const { memory, counters, dim } = this;
    while (this.helpers.length < count) {
      const control = new SharedArrayBuffer(CONTROL_BYTES);
      const results = new SharedArrayBuffer(this.helpers.length === 0 ? this.scanPairs * 8 : 0);
      const data: SearchWorkerData = { memory, control, counters, results, vectorPath: this.vectorPath ?? '', dim };
      const worker = startWorkerModule('search-worker', data);
      worker.unref();
      this.helpers.push({ worker, state: new Int32Array(control, 0, CONTROL_WORDS), params: new Float64Array(control, PARAMS_AT, JOB_PARAMS), results });
    }
  }

  /** Bytes held outside the wasm memory (the scan results buffer). */
  get bufferBytes(): number {
    return this.helpers.reduce((sum, h) => sum + h.results.byteLength, 0);
  }

  /**
   * Starts helper 0 on a scan (job.keep <= scanPairs) beside the caller, which takes batches with claimScan() and
   * then collects the helper's pairs with finish(0) and scanResults().
   */
  startScan(job: ScanJob): void {
    if (job.keep > this.scanPairs) throw new Error('scan results buffer too small');
    Atomics.store(this.next, 0, 0);
    this.post(0, (params) => writeScanJob(params, job));
  }

  /** The next batch of the running scan (the index of its first block is firstBlock + batch * this). */
  claimScan(): number {
    return Atomics.add(this.next, 0, 1);
  }

  /** The (slot, estimate) pairs of helper 0's last scan: count from finish(0). */
  scanResults(count: number): { slots: Int32Array; estimates: Float32Array } {
    const { results } = this.helpers[0]!;
    return { slots: new Int32Array(results, 0, count * 2), estimates: new Float32Array(results, 0, count * 2) };
  }

  get size(): number {
    return this.helpers.length;
  }

  /** Helpers that have started and wait for jobs (one still starting takes no part in a job). */
  get started(): number {
    return this.helpers.filter((h) => Atomics.load(h.state, 2) === 1).length;
  }

  /** Resolves once every helper has started (or after `timeoutMs`): searches from then on have all of them. */
  async ready(timeoutMs = 10_000): Promise<void> {
    // The helpers are unref'd and Atomics.waitAsync holds no handle either: a timer keeps the process alive meanwhile.
    const keepAlive = setTimeout(() => undefined, timeoutMs);
    try {
      for (const { state } of this.helpers) {
        const wait = Atomics.waitAsync(state, 2, 0, timeoutMs);
        if (wait.async) await wait.value;
      }
    } finally {
      clearTimeout(keepAlive);
    }
  }

  /** Starts every helper reading and scoring runs of the job's slots; the caller takes runs with claimRead(). */
  startRead(job: ReadJob): void {
    Atomics.store(this.next, 1, 0);
    for (let i = 0; i < this.helpers.length; i++) this.post(i, (params) => writeReadJob(params, job));
  }

  /** The next run of the reads (its first candidate is run * this). */
  claimRead(): number {
    return Atomics.add(this.next, 1, 1);
  }

  /**
   * After the caller ran out of batches: takes back helper `i`'s job if it has not started (result 0), else
   * blocks until it is done and returns its result count.
   */
  finish(i: number): number {
    const { state } = this.helpers[i]!;
    if (Atomics.compareExchange(state, 0, POSTED, IDLE) === POSTED) return 0;
    for (let s = Atomics.load(state, 0); s !== DONE; s = Atomics.load(state, 0)) Atomics.wait(state, 0, s);
    const result = state[1]!;
    Atomics.store(state, 0, IDLE);
    if (result < 0) throw new Error('a search worker failed (vector file unreadable?)');
    return result;
  }

  close(): void {
    for (const { worker, state } of this.helpers) {
      Atomics.store(state, 0, QUIT);
      Atomics.notify(state, 0);
      void worker.terminate();
    }
  }

  private post(i: number, write: (params: Float64Array) => void): void {
    const helper = this.helpers[i]!;
    if (Atomics.load(helper.state, 0) !== IDLE) throw new Error(`search worker ${i} is busy`);
    write(helper.params);
    Atomics.store(helper.state, 0, POSTED);
    Atomics.notify(helper.state, 0);
  }
}
