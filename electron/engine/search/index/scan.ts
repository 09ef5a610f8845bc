import { BATCH_BLOCKS, CODES_AT, LUT_AT, MAX_WIDE, SLOT_UNIT, laneOf, outAt, pickAt, roundUp, scratchAt } from './code-memory';
import type { CodeMemory } from './code-memory';
import type { IdTable } from './id-table';
import type { SearchWorkers } from './search-workers';
import type { Candidates } from './top-k';
import { Survivors, TopK, kthLargest, largest } from './top-k';
import { queryTables } from './two-bit-codes';
import type { QueryTables, Rotation, ScanTables } from './two-bit-codes';

/*
 * A query's candidates: the best 2-bit estimates, from a scan of every code with the WebAssembly kernels
 * (fastscan-wasm.ts) or, for a small allowed set, from the codes of those photos only. In the split layout the scan
 * keeps the best 1-bit estimates and refines them with their rows of the low plane (see code-memory.ts).
 */

/** The split layout's scan keeps max(2 * count, WIDE_PER_ROOT * sqrt(size)) 1-bit estimates for refinement. */
const WIDE_PER_ROOT = 12;
/** The scan's starting threshold (see sampleFloor): pairs of blocks sampled, and the margin over what is kept. */
const SAMPLE_PAIRS = 64;
const FLOOR_MARGIN = 3;
/** From this many vectors a helper thread scans beside the calling one (see search-workers.ts). */
export const PARALLEL_SCAN_MIN = 65_536;

/** What a scan reads of the index. */
export interface ScanSource {
  memory: CodeMemory;
  ids: IdTable;
  rotation: Rotation;
  /** Slots in use, and live vectors among them. */
  slots: number;
  live: number;
  /** The helper threads for a scan (undefined: none). */
  helpers(): SearchWorkers | undefined;
}

/** The `count` best 2-bit estimates among accepted photos (see code-memory.ts for the two layouts). */
export function scanCandidates(
  index: ScanSource,
  q: Float32Array,
  count: number,
  allowed: ReadonlySet<number> | undefined,
  accept: ((id: number) => boolean) | undefined,
  wide?: number,
): Candidates {
  const { memory, slots } = index;
  const { wasm, split } = memory;
  const tables = queryTables(index.rotation, q, maxEntry);
  const factorsAt = memory.factorsAt();
  const usedBlocks = roundUp(slots, SLOT_UNIT) / 16;
  const ids = index.ids.ids;
  const scan = split ? tables.sign : tables.full;
  const best = split
    ? new Survivors(Math.min(slots, MAX_WIDE, wide ?? Math.max(2 * count, Math.ceil(WIDE_PER_ROOT * Math.sqrt(slots)))))
    : new TopK(count);
  const keep = best instanceof Survivors ? best.keep : count;
  memory.mem.set(scan.lut, LUT_AT);
  // An allowed set becomes a bitmap the kernel checks, so every thread can filter by it.
  const allowedAt = allowed ? memory.allowedAt() : 0;
  if (allowed) {
    memory.mem.fill(0, allowedAt, allowedAt + memory.capacity / 8);
    for (const id of allowed) {
      const slot = index.ids.slotOf(id);
      if (slot >= 0) memory.mem[allowedAt + (slot >> 3)]! |= 1 << (slot & 7);
    }
  }
  const { scanned, blockBytes } = memory;
  const { floor, acceptance } = sampleFloor(index, scan, keep, allowedAt, accept);
  const picks = new Int32Array(wasm.memory.buffer, pickAt(0), BATCH_BLOCKS * 32);
  const estimates = new Float32Array(wasm.memory.buffer, pickAt(0), BATCH_BLOCKS * 32);
  // A helper scans beside this thread. It cannot call a filter function (that lives here), so it keeps more
  // estimates, as many more as the filter rejects in the sample, and they are filtered here; a filter that
  // rejects most photos leaves the scan to this thread.
  const helper = acceptance >= 0.5 && slots >= PARALLEL_SCAN_MIN ? index.helpers() : undefined;
  if (helper) {
    helper.startScan({
      codesAt: CODES_AT,
      firstBlock: 0,
      blocks: usedBlocks,
      lutAt: LUT_AT,
      outAt: outAt(1),
      pickAt: pickAt(1),
      factorsAt,
      scanned,
      blockBytes,
      scale: scan.scale,
      bias: scan.bias,
      keep: Math.min(helper.scanPairs, Math.ceil(keep / acceptance)),
      batch: BATCH_BLOCKS,
      allowedAt,
      threshold: floor,
      scratchAt: scratchAt(1),
    });
  }
  let batch = 0;
  for (;;) {
    const b0 = (helper ? helper.claimScan() : batch++) * BATCH_BLOCKS;
    if (b0 >= usedBlocks) break;
    const blocks = Math.min(BATCH_BLOCKS, usedBlocks - b0);
    wasm.scan(CODES_AT + b0 * blockBytes, blocks, LUT_AT, outAt(0), scanned, blockBytes);
    // Only estimates above the threshold come back (Math.fround: the kernel compares in float32).
    const threshold = Math.max(best.threshold, floor);
    const picked = wasm.select(outAt(0), factorsAt, blocks * 16, b0 * 16, scan.scale, scan.bias, Math.fround(threshold), pickAt(0), allowedAt, scratchAt(0));
    for (let i = 0; i < picked; i++) {
      const slot = picks[2 * i]!;
      const estimate = estimates[2 * i + 1]!;
      if (estimate <= best.threshold || (accept && !accept(ids[slot]!))) continue;
      best.add(estimate, slot);
    }
  }
  if (helper) {
    const theirs = helper.scanResults(helper.finish(0));
    for (let i = 0; i < theirs.slots.length / 2; i++) {
      const estimate = theirs.estimates[2 * i + 1]!;
      const slot = theirs.slots[2 * i]!;
      if (estimate > best.threshold && (!accept || accept(ids[slot]!))) best.add(estimate, slot);
    }
  }
  if (best instanceof TopK) return best.sorted();
  const kept = best.finish();
  return refine(index, best.items, best.values, kept, tables, count);
}

/**
 * A floor for the scan's threshold: the estimate ~FLOOR_MARGIN times `keep` accepted photos are expected to
 * beat, from the estimates of SAMPLE_PAIRS pairs of blocks spread over the index (-Infinity where the sample
 * cannot tell). Without it the threshold only rises as the scan finds better estimates, and the early part of the
 * scan passes most of its estimates on to be sorted out. Also the share of sampled photos the filter accepts.
 */
function sampleFloor(
  index: ScanSource,
  scan: ScanTables,
  keep: number,
  allowedAt: number,
  accept: ((id: number) => boolean) | undefined,
): { floor: number; acceptance: number } {
  const { memory } = index;
  const { wasm, scanned, blockBytes } = memory;
  const ids = index.ids.ids;
  const pairs = roundUp(index.slots, SLOT_UNIT) / 32;
  const samples = Math.min(SAMPLE_PAIRS, pairs);
  const factorsAt = memory.factorsAt();
  const picks = new Int32Array(wasm.memory.buffer, pickAt(0), 64);
  const estimates = new Float32Array(wasm.memory.buffer, pickAt(0), 64);
  const found: number[] = [];
  let live = 0;
  let passed = 0;
  for (let j = 0; j < samples; j++) {
    const pair = Math.floor((j * pairs) / samples);
    wasm.scan(CODES_AT + pair * 2 * blockBytes, 2, LUT_AT, outAt(0), scanned, blockBytes);
    const picked = wasm.select(outAt(0), factorsAt, 32, pair * 32, scan.scale, scan.bias, -Infinity, pickAt(0), allowedAt, scratchAt(0));
    for (let s = pair * 32; s < pair * 32 + 32; s++) live += ids[s]! >= 0 ? 1 : 0;
    passed += picked;
    for (let i = 0; i < picked; i++) if (!accept || accept(ids[picks[2 * i]!]!)) found.push(estimates[2 * i + 1]!);
  }
  const acceptance = accept ? (passed > 0 ? found.length / passed : 0) : 1;
  // The rank, among the accepted samples, that FLOOR_MARGIN * keep accepted photos of the whole index beat.
  const rank = Math.ceil((FLOOR_MARGIN * keep * live) / Math.max(1, index.live));
  if (rank < 8 || rank >= found.length) return { floor: -Infinity, acceptance };
  return { floor: kthLargest(Float32Array.from(found), rank), acceptance };
}

/** The `count` best 2-bit estimates among `slots`, scanning only their pairs of blocks. */
export function estimateSlots(index: ScanSource, q: Float32Array, slots: number[], count: number): Candidates {
  const { memory } = index;
  const { wasm, scanned, blockBytes, factors } = memory;
  const tables = queryTables(index.rotation, q, maxEntry);
  const scan = memory.split ? tables.sign : tables.full;
  memory.mem.set(scan.lut, LUT_AT);
  const sorted = Int32Array.from(slots).sort();
  const sums = new Uint16Array(wasm.memory.buffer, outAt(0), 32);
  const estimates = new Float32Array(sorted.length);
  let pair = -1;
  sorted.forEach((slot, i) => {
    if (slot >> 5 !== pair) {
      pair = slot >> 5;
      wasm.scan(CODES_AT + pair * 2 * blockBytes, 2, LUT_AT, outAt(0), scanned, blockBytes);
    }
    estimates[i] = factors[slot]! * (scan.scale * sums[laneOf(slot)]! + scan.bias);
  });
  if (memory.split) return refine(index, sorted, estimates, sorted.length, tables, count);
  const top = new TopK(count);
  sorted.forEach((slot, i) => {
    if (estimates[i]! > top.threshold) top.add(estimates[i]!, slot);
  });
  return top.sorted();
}

/**
 * The `count` best 2-bit estimates of slots[0..n) given their 1-bit estimates (split layout):
 * factor * (2<s,q> + 2<l,q> - sum q), where factor * <s,q> is the 1-bit estimate and <l,q> comes from the
 * slot's row of the low plane (summed by the refine kernel).
 */
function refine(index: ScanSource, slots: Int32Array, signEstimates: Float32Array, n: number, tables: QueryTables, count: number): Candidates {
  const { memory } = index;
  const { wasm, factors } = memory;
  const { lowTables, total } = tables;
  const at = memory.refineAt();
  const slotsAt = at + lowTables.byteLength;
  const sumsAt = slotsAt + MAX_WIDE * 4;
  new Float32Array(wasm.memory.buffer, at, lowTables.length).set(lowTables);
  new Int32Array(wasm.memory.buffer, slotsAt, n).set(slots.subarray(0, n));
  wasm.refine(memory.lowsAt(), memory.planeBytes, slotsAt, n, at, sumsAt);
  const lows = new Float32Array(wasm.memory.buffer, sumsAt, n);
  const refined = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const factor = factors[slots[i]!]!;
    refined[i] = factor > 0 ? 2 * signEstimates[i]! + factor * (2 * lows[i]! - total) : 0;
  }
  return largest(refined, slots, n, count);
}

/** The largest table entry for a kernel pass over `bytesPerVector` bytes (see fastscan-wasm.ts). */
function maxEntry(bytesPerVector: number): number {
  return Math.min(127, Math.floor(65535 / (2 * bytesPerVector)));
}
