import type { WasmMemory } from './fastscan-wasm';

/*
 * What the calling thread and a search helper thread (search-worker.ts) share: the workerData it starts with, and
 * the control block through which jobs are posted. The helper's state word moves IDLE -> POSTED (caller) ->
 * RUNNING (helper) -> DONE (helper) -> IDLE (caller), or POSTED -> IDLE when the caller takes a job back that the
 * helper has not started; QUIT ends it.
 */

export const IDLE = 0;
export const POSTED = 1;
export const DONE = 2;
export const QUIT = 3;
export const RUNNING = 4;

/** Job kinds (the first job parameter). */
export const SCAN_JOB = 1;
export const READ_JOB = 2;

/** Job parameters (f64) per helper, after its state, result and started flag (i32). */
export const JOB_PARAMS = 20;
/** The control block: state, result, started (1 once the helper waits for jobs), padding (i32), then JOB_PARAMS f64. */
export const CONTROL_WORDS = 4;
export const PARAMS_AT = CONTROL_WORDS * 4;
export const CONTROL_BYTES = PARAMS_AT + JOB_PARAMS * 8;

export interface SearchWorkerData {
  /** The index's wasm memory (shared). */
  memory: WasmMemory;
  /** This helper's control block (CONTROL_BYTES). */
  control: SharedArrayBuffer;
  /** The shared counters: [0] the next scan batch, [1] the next run of re-rank reads. */
  counters: SharedArrayBuffer;
  /** Where a scan job leaves its (slot i32, estimate f32) pairs; empty for a helper that only reads. */
  results: SharedArrayBuffer;
  /** The index's vector file ('' without one: the helper only scans). */
  vectorPath: string;
  dim: number;
}

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

/** The order of a scan job's fields after the job kind: one list for posting and for reading a job. */
const SCAN_FIELDS = [
  'codesAt', 'firstBlock', 'blocks', 'lutAt', 'outAt', 'pickAt', 'factorsAt', 'scanned', 'blockBytes',
  'scale', 'bias', 'keep', 'batch', 'allowedAt', 'threshold', 'scratchAt',
] as const satisfies readonly (keyof ScanJob)[];
const READ_FIELDS = ['slotsAt', 'count', 'queryAt', 'scoresAt', 'run'] as const satisfies readonly (keyof ReadJob)[];

export function writeScanJob(params: Float64Array, job: ScanJob): void {
  params[0] = SCAN_JOB;
  SCAN_FIELDS.forEach((field, i) => (params[1 + i] = job[field]));
}

export function writeReadJob(params: Float64Array, job: ReadJob): void {
  params[0] = READ_JOB;
  READ_FIELDS.forEach((field, i) => (params[1 + i] = job[field]));
}

export function readScanJob(params: Float64Array): ScanJob {
  const job = {} as Record<(typeof SCAN_FIELDS)[number], number>;
  SCAN_FIELDS.forEach((field, i) => (job[field] = params[1 + i]!));
  return job;
}

export function readReadJob(params: Float64Array): ReadJob {
  const job = {} as Record<(typeof READ_FIELDS)[number], number>;
  READ_FIELDS.forEach((field, i) => (job[field] = params[1 + i]!));
  return job;
}
