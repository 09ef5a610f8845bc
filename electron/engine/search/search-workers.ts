import { Worker } from 'node:worker_threads';
import type { WasmMemory } from './fastscan-wasm';
import { fastScanWasm } from './fastscan-wasm';
import { HEADER_BYTES } from './vector-file';

/*
 * Helper threads for one index, sharing its wasm memory. They scan part of the codes, or read and score a share of
 * the re-rank candidates, while the calling thread does its own part and then blocks (Atomics.wait) until they are
 * done - so search() stays synchronous. The scan is memory-bandwidth bound, and a second core gets 1.2-1.7x more
 * of it; re-ranking is one pread per candidate, 2-3 us from the page cache but ~80 us from disk when the OS has
 * evicted the file, where several reads in flight at once (one per thread) help 2-4x.
 *
 * The worker is a plain script (eval), so no bundler has to know about a second entry point.
 */

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { memory, bytes, control, results, vectorPath, dim, headerBytes } = workerData;
const { scan, select } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const state = new Int32Array(control, 0, 2);
const params = new Float64Array(control, 8, 16);
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

// Scans blocks [firstBlock, firstBlock + blocks) and keeps at least the keep best estimates (as VectorIndex's
// Survivors does); writes them as (slot i32, estimate f32) pairs to the results buffer.
function runScan() {
  const [, codesAt, firstBlock, blocks, lutAt, outAt, pickAt, factorsAt, scanned, blockBytes, scale, bias, keep, batch, allowedAt] = params;
  const values = new Float32Array(2 * keep);
  const items = new Int32Array(2 * keep);
  let size = 0;
  let threshold = -Infinity;
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
  for (let b = firstBlock; b < firstBlock + blocks; b += batch) {
    const n = Math.min(batch, firstBlock + blocks - b);
    scan(codesAt + b * blockBytes, n, lutAt, outAt, scanned, blockBytes);
    const picked = select(outAt, factorsAt, n * 16, b * 16, scale, bias, Math.fround(threshold), pickAt, allowedAt);
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

function runRead() {
  const [, slotsAt, first, count, queryAt, scoresAt] = params;
  if (fd < 0) fd = fs.openSync(vectorPath, 'r');
  const slots = new Int32Array(memory.buffer, slotsAt, first + count);
  const query = new Float32Array(memory.buffer, queryAt, dim);
  const scores = new Float64Array(memory.buffer, scoresAt, first + count);
  for (let i = first; i < first + count; i++) {
    if (fs.readSync(fd, record, 0, dim * 4, headerBytes + slots[i] * dim * 4) !== dim * 4) throw new Error('vector file truncated');
    let sum = 0;
    for (let j = 0; j < dim; j++) sum += vector[j] * query[j];
    scores[i] = sum;
  }
  return count;
}

for (;;) {
  const s = Atomics.load(state, 0);
  if (s === 3) break;
  if (s !== 1) {
    Atomics.wait(state, 0, s);
    continue;
  }
  try {
    state[1] = params[0] === 1 ? runScan() : runRead();
  } catch (error) {
    state[1] = -1;
  }
  Atomics.store(state, 0, 2);
  Atomics.notify(state, 0);
}
if (fd >= 0) fs.closeSync(fd);
`;

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
  batch: number;
  /** A bitmap of allowed slots in the wasm memory, or 0 for all. */
  allowedAt: number;
}

export interface ReadJob {
  slotsAt: number;
  first: number;
  count: number;
  queryAt: number;
  scoresAt: number;
}

interface Helper {
  worker: Worker;
  state: Int32Array;
  params: Float64Array;
  /** Where a scan job leaves its (slot i32, estimate f32) pairs; empty for a helper that only reads. */
  results: SharedArrayBuffer;
}

export class SearchWorkers {
  private readonly helpers: Helper[];

  /** `scanPairs`: room for helper 0's scan results (0: the helpers only read). */
  constructor(memory: WasmMemory, count: number, vectorPath: string | undefined, dim: number, readonly scanPairs: number) {
    const bytes = fastScanWasm();
    this.helpers = Array.from({ length: count }, (_, i) => {
      const control = new SharedArrayBuffer(8 + 16 * 8);
      const results = new SharedArrayBuffer(i === 0 ? scanPairs * 8 : 0);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { memory, bytes, control, results, vectorPath: vectorPath ?? '', dim, headerBytes: HEADER_BYTES },
      });
      worker.unref();
      return { worker, state: new Int32Array(control, 0, 2), params: new Float64Array(control, 8, 16), results };
    });
  }

  /** Bytes held outside the wasm memory (the scan results buffer). */
  get bufferBytes(): number {
    return this.helpers.reduce((sum, h) => sum + h.results.byteLength, 0);
  }

  /** Starts a scan on helper 0 (job.keep <= scanPairs); read its pairs with scanResults() after wait(0). */
  startScan(job: ScanJob): void {
    if (job.keep > this.scanPairs) throw new Error('scan results buffer too small');
    this.post(0, [1, job.codesAt, job.firstBlock, job.blocks, job.lutAt, job.outAt, job.pickAt, job.factorsAt, job.scanned, job.blockBytes, job.scale, job.bias, job.keep, job.batch, job.allowedAt]);
  }

  /** The (slot, estimate) pairs of helper 0's last scan: count from wait(0). */
  scanResults(count: number): { slots: Int32Array; estimates: Float32Array } {
    const { results } = this.helpers[0]!;
    return { slots: new Int32Array(results, 0, count * 2), estimates: new Float32Array(results, 0, count * 2) };
  }

  get size(): number {
    return this.helpers.length;
  }

  /** Starts reading and scoring slots[first..first+count) on helper `i`; scores (f64) land at job.scoresAt. */
  startRead(i: number, job: ReadJob): void {
    this.post(i, [2, job.slotsAt, job.first, job.count, job.queryAt, job.scoresAt]);
  }

  /** Blocks until helper `i` is done; returns its result count. */
  wait(i: number): number {
    const { state } = this.helpers[i]!;
    while (Atomics.load(state, 0) !== DONE) Atomics.wait(state, 0, POSTED);
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
