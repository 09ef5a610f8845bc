import { closeSync, openSync, readSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { dot } from '../../math/vectors';
import { instantiateOn } from './fastscan-wasm';
import { CONTROL_WORDS, DONE, JOB_PARAMS, PARAMS_AT, POSTED, QUIT, RUNNING, SCAN_JOB, readReadJob, readScanJob } from './search-worker-protocol';
import type { ReadJob, ScanJob, SearchWorkerData } from './search-worker-protocol';
import { Survivors } from './top-k';
import { recordOffset } from './vector-file';

/*
 * A search helper thread (see search-workers.ts): waits for a job in its control block, runs it on the index's
 * shared wasm memory beside the calling thread - a scan, or re-rank reads - and reports how many results it left.
 * It takes its share of the work from the shared counters, as the calling thread does, with the same kernels and
 * the same selection code (top-k.ts), so the results are the same as if one thread had done it all.
 */

const { memory, control, counters, results, vectorPath, dim } = workerData as SearchWorkerData;
const kernels = instantiateOn(memory);
const state = new Int32Array(control, 0, CONTROL_WORDS);
const params = new Float64Array(control, PARAMS_AT, JOB_PARAMS);
const next = new Int32Array(counters);
const record = Buffer.allocUnsafeSlow(dim * 4);
const vector = new Float32Array(record.buffer, record.byteOffset, dim);
let fd = -1;

/**
 * Scans batches of blocks of [firstBlock, firstBlock + blocks) taken from the shared counter and keeps at least the
 * `keep` best estimates above the starting threshold; writes them as (slot i32, estimate f32) pairs to the results.
 */
function runScan(job: ScanJob): number {
  const { codesAt, firstBlock, blocks, lutAt, outAt, pickAt, factorsAt, scanned, blockBytes, scale, bias, batch, allowedAt, scratchAt } = job;
  const best = new Survivors(job.keep, job.threshold);
  for (;;) {
    const b = firstBlock + Atomics.add(next, 0, 1) * batch;
    if (b >= firstBlock + blocks) break;
    const n = Math.min(batch, firstBlock + blocks - b);
    kernels.scan(codesAt + b * blockBytes, n, lutAt, outAt, scanned, blockBytes);
    const picked = kernels.select(outAt, factorsAt, n * 16, b * 16, scale, bias, Math.fround(best.threshold), pickAt, allowedAt, scratchAt);
    const pairs = new Int32Array(memory.buffer, pickAt, picked * 2);
    const estimates = new Float32Array(memory.buffer, pickAt, picked * 2);
    for (let i = 0; i < picked; i++) best.add(estimates[2 * i + 1]!, pairs[2 * i]!);
  }
  const size = best.finish();
  const outPairs = new Int32Array(results, 0, size * 2);
  const outValues = new Float32Array(results, 0, size * 2);
  for (let i = 0; i < size; i++) {
    outPairs[2 * i] = best.items[i]!;
    outValues[2 * i + 1] = best.values[i]!;
  }
  return size;
}

/** Reads and scores runs of slots[0..count) taken from the shared counter; returns how many it scored. */
function runRead({ slotsAt, count, queryAt, scoresAt, run }: ReadJob): number {
  if (fd < 0) fd = openSync(vectorPath, 'r');
  const slots = new Int32Array(memory.buffer, slotsAt, count);
  const query = new Float32Array(memory.buffer, queryAt, dim);
  const scores = new Float64Array(memory.buffer, scoresAt, count);
  let done = 0;
  for (;;) {
    const first = Atomics.add(next, 1, 1) * run;
    if (first >= count) break;
    for (let i = first; i < Math.min(first + run, count); i++) {
      if (readSync(fd, record, 0, dim * 4, recordOffset(slots[i]!, dim)) !== dim * 4) throw new Error('vector file truncated');
      // As the calling thread scores (vector-index.ts), so that either thread gives the same number.
      scores[i] = dot(query, vector);
      done++;
    }
  }
  return done;
}

// Started: the index may now hand this thread jobs (SearchWorkers.ready waits for this).
Atomics.store(state, 2, 1);
Atomics.notify(state, 2);
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
    state[1] = params[0] === SCAN_JOB ? runScan(readScanJob(params)) : runRead(readReadJob(params));
  } catch {
    state[1] = -1;
  }
  Atomics.store(state, 0, DONE);
  Atomics.notify(state, 0);
}
if (fd >= 0) closeSync(fd);
