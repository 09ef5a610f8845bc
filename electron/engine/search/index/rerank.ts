import { dot, norm } from '../../math/vectors';
import { QUERY_AT, SCORES_AT, SLOTS_AT } from './code-memory';
import type { CodeMemory } from './code-memory';
import type { IdTable } from './id-table';
import type { SearchWorkers } from './search-workers';
import type { Candidates } from './top-k';
import type { VectorFile } from './vector-file';
import type { VectorSource } from './vector-source';

/*
 * Re-ranking: exact cosines for a query's candidates, with full-precision vectors read by offset from the vector
 * file (several threads read at once, see search-workers.ts) or, without one, fetched from the source (slow).
 */

export interface SearchHit {
  photoId: number;
  /** Cosine similarity between the query and the photo's stored vector (exact). */
  score: number;
}

/**
 * Re-ranking stops at the first candidate whose estimate, corrected by the mean estimate error seen so far, is
 * more than STOP_SIGMAS standard deviations of that error below the k-th best exact score.
 */
const STOP_SIGMAS = 3.5;
/** From this many reads the helper threads share them. */
const PARALLEL_READ_MIN = 48;
/** Re-rank candidates per run a thread takes (see score()), and the time per read that means the disk. */
const READ_RUN = 4;
const SLOW_READ_MS = 0.025;

/** What re-ranking reads of the index. */
export interface RerankSource {
  dim: number;
  ids: IdTable;
  memory: CodeMemory;
  vectorFile: VectorFile | undefined;
  source: VectorSource;
  /** dim floats to read a vector into. */
  scratch: Float32Array;
  /** The helper threads for re-rank reads (undefined: none). */
  helpers(): SearchWorkers | undefined;
  /** Told when the reads have been seen to come from the disk rather than the page cache. */
  readsAreSlow(): void;
}

/**
 * Exact cosines for the candidates, best estimates first, in two rounds: the first 2k (at least 200), then - from
 * the error between estimates and exact scores seen in round one - only those that could still beat the k-th
 * best (see STOP_SIGMAS).
 */
export function rerank(index: RerankSource, q: Float32Array, candidates: Candidates, k: number): SearchHit[] {
  const { slots, estimates } = candidates;
  const first = Math.min(slots.length, Math.max(2 * k, 200));
  const scores = new Float64Array(slots.length).fill(NaN);
  score(index, q, slots, 0, first, scores);
  let end = first;
  if (first < slots.length) {
    let sum = 0;
    let sum2 = 0;
    let seen = 0;
    const best: number[] = [];
    for (let i = 0; i < first; i++) {
      if (Number.isNaN(scores[i]!)) continue;
      const error = scores[i]! - estimates[i]!;
      sum += error;
      sum2 += error * error;
      seen++;
      best.push(scores[i]!);
    }
    best.sort((a, b) => b - a);
    const kth = best.length >= k ? best[k - 1]! : -Infinity;
    const mean = seen > 0 ? sum / seen : 0;
    const spread = seen > 1 ? Math.sqrt(Math.max(0, sum2 / seen - mean * mean)) : Infinity;
    while (end < slots.length && estimates[end]! + mean + STOP_SIGMAS * spread >= kth) end++;
    score(index, q, slots, first, end, scores);
  }
  const ids = index.ids.ids;
  const hits: SearchHit[] = [];
  for (let i = 0; i < end; i++) if (!Number.isNaN(scores[i]!)) hits.push({ photoId: ids[slots[i]!]!, score: scores[i]! });
  hits.sort((a, b) => b.score - a.score || a.photoId - b.photoId);
  return hits.slice(0, k);
}

/** scores[i] = cosine(q, vector of slots[i]) for i in [from, to); NaN where the source no longer has it. */
function score(index: RerankSource, q: Float32Array, slots: number[], from: number, to: number, scores: Float64Array): void {
  if (to <= from) return;
  const { vectorFile } = index;
  if (!vectorFile) {
    const ids = slots.slice(from, to).map((s) => index.ids.ids[s]!);
    const vectors = index.source.fetch(ids);
    ids.forEach((id, i) => {
      const v = vectors.get(id);
      if (v) scores[from + i] = dot(q, v) / norm(v);
    });
    return;
  }
  // Ascending file offsets. With helpers every thread takes the next run of READ_RUN candidates until none is
  // left, so a thread stuck on a slow read (a page not in the cache) holds up only its run.
  const order = Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => slots[a]! - slots[b]!);
  const count = order.length;
  const helpers = count >= PARALLEL_READ_MIN ? index.helpers() : undefined;
  const v = index.scratch;
  const started = performance.now();
  let mine = 0;
  const noteSpeed = (): void => {
    // A read from the page cache takes microseconds, from the disk far longer: then more threads should read at once.
    if (mine >= 16 && (performance.now() - started) / mine > SLOW_READ_MS) index.readsAreSlow();
  };
  if (!helpers) {
    for (const i of order) {
      vectorFile.read(slots[i]!, v);
      scores[i] = dot(q, v);
    }
    mine = count;
    noteSpeed();
    return;
  }
  const buffer = index.memory.wasm.memory.buffer;
  new Int32Array(buffer, SLOTS_AT, count).set(order.map((i) => slots[i]!));
  new Float32Array(buffer, QUERY_AT, index.dim).set(q);
  const shared = new Float64Array(buffer, SCORES_AT, count);
  helpers.startRead({ slotsAt: SLOTS_AT, count, queryAt: QUERY_AT, scoresAt: SCORES_AT, run: READ_RUN });
  for (;;) {
    const first = helpers.claimRead() * READ_RUN;
    if (first >= count) break;
    for (let j = first; j < Math.min(first + READ_RUN, count); j++) {
      vectorFile.read(slots[order[j]!]!, v);
      // The same expression as the helpers' (search-worker.ts), so either thread gives the same score.
      shared[j] = dot(q, v);
      mine++;
    }
  }
  noteSpeed();
  for (let h = 0; h < helpers.size; h++) helpers.finish(h);
  for (let j = 0; j < count; j++) scores[order[j]!] = shared[j]!;
}
