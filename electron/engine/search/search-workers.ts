import { Worker } from 'node:worker_threads';
import type { WasmMemory } from './fastscan-wasm';
import { fastScanWasm } from './fastscan-wasm';
import { HEADER_BYTES } from './vector-file';

/*
 * Helper threads for one index, sharing its wasm memory. They scan codes, or read and score re-rank candidates,
 * beside the calling thread, which then blocks (Atomics.wait) until they are done - so search() stays synchronous.
 * The scan is memory-bandwidth bound, and a second core gets 1.2-1.7x more of it; re-ranking is one pread per
 * candidate, 2-3 us from the page cache but ~100 us from disk when the OS has evicted the file, where several reads
 * in flight at once (one per thread) help 2-4x.
 *
 * Work is not split in fixed shares: every thread, the caller included, takes the next batch of blocks (or of
 * candidates) from a shared counter until none is left. On a busy machine a helper the OS has not scheduled yet
 * simply does less, and one that has not started at all is called off (its job taken back), so the caller never
 * idles waiting for a thread to get a core.
 *
 * The worker is a plain script (eval), so no bundler has to know about a second entry point.
 */

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { memory, bytes, control, counters, results, vectorPath, dim, headerBytes, PARAMS } = workerData;
const { scan, select } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const state = new Int32Array(control, 0, 2);
const params = new Float64Array(control, 8, PARAMS);
// [0]: the next scan batch, [1]: the next run of re-rank reads (shared by all threads of the index).
const next = new Int32Array(counters);
let fd = -1;
const record = Buffer.allocUnsafeSlow(dim * 4);
const vector = new Float32Array(record.buffer, record.byteOffset, dim);

// The keep-th largest of values (quickselect, reorders values).
function kthLargest(values, k) {
  let lo = 0;
  let hi = values.length - 1;
  const want = values.length - k;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i++] = values[j];
        values[j--] = t;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return values[want];
  }
  return values[want];
}

// Scans batches of blocks of [firstBlock, firstBlock + blocks) taken from the shared counter and keeps at least the
// keep best estimates above the starting threshold (as VectorIndex's Survivors does); writes them as
// (slot i32, estimate f32) pairs to the results buffer.
function runScan() {
  const [, codesAt, firstBlock, blocks, lutAt, outAt, pickAt, factorsAt, scanned, blockBytes, scale, bias, keep, batch, allowedAt, start, scratchAt] = params;
  const values = new Float32Array(2 * keep);
  const items = new Int32Array(2 * keep);
  let size = 0;
  let threshold = start;
  const shrink = () => {
    threshold = kthLargest(values.slice(0, size), keep);
    let n = 0;
    for (let i = 0; i < size; i++) {
      if (values[i] > threshold) {
        values[n] = values[i];
        items[n++] = items[i];
      }
    }
    size = n;
  };
  for (;;) {
    const b = firstBlock + Atomics.add(next, 0, 1) * batch;
    if (b >= firstBlock + blocks) break;
    const n = Math.min(batch, firstBlock + blocks - b);
    scan(codesAt + b * blockBytes, n, lutAt, outAt, scanned, blockBytes);
    const picked = select(outAt, factorsAt, n * 16, b * 16, scale, bias, Math.fround(threshold), pickAt, allowedAt, scratchAt);
    const pairs = new Int32Array(memory.buffer, pickAt, picked * 2);
    const estimates = new Float32Array(memory.buffer, pickAt, picked * 2);
    for (let i = 0; i < picked; i++) {
      const value = estimates[2 * i + 1];
      if (value <= threshold) continue;
      if (size === values.length) shrink();
      values[size] = value;
      items[size++] = pairs[2 * i];
    }
  }
  if (size > keep) shrink();
  const outPairs = new Int32Array(results, 0, size * 2);
  const outValues = new Float32Array(results, 0, size * 2);
  for (let i = 0; i < size; i++) {
    outPairs[2 * i] = items[i];
    outValues[2 * i + 1] = values[i];
  }
  return size;
}

// Reads and scores runs of slots[0..count) taken from the shared counter.
function runRead() {
  const [, slotsAt, count, queryAt, scoresAt, run] = params;
  if (fd < 0) fd = fs.openSync(vectorPath, 'r');
  const slots = new Int32Array(memory.buffer, slotsAt, count);
  const query = new Float32Array(memory.buffer, queryAt, dim);
  const scores = new Float64Array(memory.buffer, scoresAt, count);
  let done = 0;
  for (;;) {
    const first = Atomics.add(next, 1, 1) * run;
    if (first >= count) break;
    for (let i = first; i < Math.min(first + run, count); i++) {
      if (fs.readSync(fd, record, 0, dim * 4, headerBytes + slots[i] * dim * 4) !== dim * 4) throw new Error('vector file truncated');
      let sum = 0;
      for (let j = 0; j < dim; j++) sum += vector[j] * query[j];
      scores[i] = sum;
      done++;
    }
  }
  return done;
}

const POSTED = 1;
const DONE = 2;
const QUIT = 3;
const RUNNING = 4;
for (;;) {
  const s = Atomics.load(state, 0);
  if (s === QUIT) break;
  if (s !== POSTED) {
    Atomics.wait(state, 0, s);
    continue;
  }
  // The caller may take back a job this thread has not started (see SearchWorkers.finish).
  if (Atomics.compareExchange(state, 0, POSTED, RUNNING) !== POSTED) continue;
  try {
    state[1] = params[0] === 1 ? runScan() : runRead();
  } catch (error) {
    state[1] = -1;
  }
  Atomics.store(state, 0, DONE);
  Atomics.notify(state, 0);
}
if (fd >= 0) fs.closeSync(fd);
`;

/** Job parameters (f64) per helper, after its state and result (i32). */
const PARAMS = 20;
const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const QUIT = 3;

export interface ScanJob {
  codesAt: number;
  firstBlock: number;
  blocks: number;
  lutAt: number;
  outAt: number;
  pickAt: number;
  factorsAt: number;
  /** Bytes per vector the kernel reads, and the block stride. */
  scanned: number;
  blockBytes: number;
  scale: number;
  bias: number;
  keep: number;
  /** Blocks per batch taken from the shared counter (reset by startScan; the caller takes batches with claimScan). */
  batch: number;
  /** A bitmap of allowed slots in the wasm memory, or 0 for all. */
  allowedAt: number;
  /** Estimates at or below this are not kept. */
  threshold: number;
  /** 64 bytes of the wasm memory for the select kernel. */
  scratchAt: number;
}

export interface ReadJob {
  /** slots[0..count) as i32 in the wasm memory; scores (f64) land at scoresAt. */
  slotsAt: number;
  count: number;
  queryAt: number;
  scoresAt: number;
  /** Candidates per run taken from the shared counter (reset by startRead; the caller takes runs with claimRead). */
  run: number;
}

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
  private readonly bytes = fastScanWasm();

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
    const { memory, bytes, counters, dim } = this;
    while (this.helpers.length < count) {
      const control = new SharedArrayBuffer(8 + PARAMS * 8);
      const results = new SharedArrayBuffer(this.helpers.length === 0 ? this.scanPairs * 8 : 0);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { memory, bytes, control, counters, results, vectorPath: this.vectorPath ?? '', dim, headerBytes: HEADER_BYTES, PARAMS },
      });
      worker.unref();
      this.helpers.push({ worker, state: new Int32Array(control, 0, 2), params: new Float64Array(control, 8, PARAMS), results });
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
    this.post(0, [1, job.codesAt, job.firstBlock, job.blocks, job.lutAt, job.outAt, job.pickAt, job.factorsAt, job.scanned, job.blockBytes, job.scale, job.bias, job.keep, job.batch, job.allowedAt, job.threshold, job.scratchAt]);
  }

  /** The next batch of the running scan (the index of its first block is firstBlock + batch * this). */
  claimScan(): number {
    return Atomics.add(this.next, 0, 1);
  }

  /** The (slot, estimate) pairs of helper 0's last scan: count from wait(0). */
  scanResults(count: number): { slots: Int32Array; estimates: Float32Array } {
    const { results } = this.helpers[0]!;
    return { slots: new Int32Array(results, 0, count * 2), estimates: new Float32Array(results, 0, count * 2) };
  }

  get size(): number {
    return this.helpers.length;
  }

  /** Starts every helper reading and scoring runs of the job's slots; the caller takes runs with claimRead(). */
  startRead(job: ReadJob): void {
    Atomics.store(this.next, 1, 0);
    for (let i = 0; i < this.helpers.length; i++) this.post(i, [2, job.slotsAt, job.count, job.queryAt, job.scoresAt, job.run]);
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

  private post(i: number, values: number[]): void {
    const helper = this.helpers[i]!;
    if (Atomics.load(helper.state, 0) !== IDLE) throw new Error(`search worker ${i} is busy`);
    helper.params.set(values);
    Atomics.store(helper.state, 0, POSTED);
    Atomics.notify(helper.state, 0);
  }
}
