/*
 * Retrieval metrics, as pure functions over one query's scores (higher = better match).
 *
 * Ranking order: by score, descending; equal scores rank by candidate index, ascending (a stable sort), so every
 * number here is deterministic even for a model that scores many candidates alike. NaN scores rank last.
 */

/** A score with NaN sent to the bottom, so comparisons stay a total order. */
function key(score: number): number {
  return Number.isNaN(score) ? -Infinity : score;
}

/** Whether candidate `a` ranks before candidate `b`. */
function before(scores: ArrayLike<number>, a: number, b: number): boolean {
  const sa = key(scores[a]!);
  const sb = key(scores[b]!);
  return sa > sb || (sa === sb && a < b);
}

/**
 * The indices of the `k` best candidates, best first. One pass with a sorted buffer of at most `k` entries
 * (O(n log k) comparisons plus O(k) shifts for the rare candidate that enters it), not a full sort of n scores.
 */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  const n = scores.length;
  const size = Math.max(0, Math.min(Math.floor(k), n));
  const best: number[] = [];
  if (size === 0) return best;
  for (let i = 0; i < n; i++) {
    // Candidates arrive in index order, so one that ties the last kept entry ranks after it and cannot enter.
    if (best.length === size && !before(scores, i, best[size - 1]!)) continue;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(scores, best[mid]!, i)) lo = mid + 1;
      else hi = mid;
    }
    if (best.length === size) best.pop();
    best.splice(lo, 0, i);
  }
  return best;
}

/**
 * 1-based rank of the best-ranked relevant candidate: 1 + the number of candidates ranked before it. One pass over
 * the scores; no sorting. This single number gives Recall@K (rank <= K) and the reciprocal rank (1 / rank).
 */
export function firstRelevantRank(scores: ArrayLike<number>, relevant: ArrayLike<number>): number {
  if (relevant.length === 0) throw new RangeError('a query needs at least one relevant candidate');
  let best = relevant[0]!;
  for (let r = 1; r < relevant.length; r++) if (before(scores, relevant[r]!, best)) best = relevant[r]!;
  if (!(best >= 0 && best < scores.length)) throw new RangeError(`relevant candidate ${best} is outside 0..${scores.length - 1}`);
  let ahead = 0;
  for (let i = 0; i < scores.length; i++) if (i !== best && before(scores, i, best)) ahead++;
  return ahead + 1;
}

/** Recall@K: the share of queries with at least one relevant candidate in the top K, from firstRelevantRank. */
export function recallAtK(ranks: ArrayLike<number>, k: number): number {
  if (ranks.length === 0) return NaN;
  let hits = 0;
  for (let q = 0; q < ranks.length; q++) if (ranks[q]! <= k) hits++;
  return hits / ranks.length;
}

/** Mean reciprocal rank of the first relevant candidate, over the full ranking (no cut-off). */
export function meanReciprocalRank(ranks: ArrayLike<number>): number {
  if (ranks.length === 0) return NaN;
  let sum = 0;
  for (let q = 0; q < ranks.length; q++) sum += 1 / ranks[q]!;
  return sum / ranks.length;
}

export interface RetrievalMetrics {
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  mrr: number;
  /** Number of queries averaged over. */
  queries: number;
}

/** The standard summary of a set of queries, from each query's firstRelevantRank. */
export function summariseRanks(ranks: ArrayLike<number>): RetrievalMetrics {
  return {
    recallAt1: recallAtK(ranks, 1),
    recallAt5: recallAtK(ranks, 5),
    recallAt10: recallAtK(ranks, 10),
    mrr: meanReciprocalRank(ranks),
    queries: ranks.length,
  };
}

/**
 * How a relevance grade becomes a gain. `linear` (gain = rel, Järvelin & Kekäläinen's original nDCG and trec_eval's)
 * is what graded image-caption evaluations use; `exponential` (gain = 2^rel - 1, Burges et al.) stresses the top grade.
 */
export type GainKind = 'linear' | 'exponential';

function gainOf(grade: number, kind: GainKind): number {
  return kind === 'linear' ? grade : 2 ** grade - 1;
}

/** DCG@k of grades listed in ranked order: sum of gain(rel_i) / log2(i + 1), i = 1..k. */
export function dcgAtK(gradesInRankOrder: ArrayLike<number>, k: number, kind: GainKind = 'linear'): number {
  let sum = 0;
  const n = Math.min(k, gradesInRankOrder.length);
  for (let i = 0; i < n; i++) sum += gainOf(gradesInRankOrder[i]!, kind) / Math.log2(i + 2);
  return sum;
}

/**
 * nDCG@k of one query: `scores[i]` is the model's score of candidate i and `grades[i]` its judged relevance (>= 0;
 * unjudged candidates should be left out, or given 0). The ideal DCG is that of the judged grades sorted best first.
 * Null when no candidate has a positive grade (the ideal DCG is 0, so nDCG is undefined).
 */
export function ndcgAtK(scores: ArrayLike<number>, grades: ArrayLike<number>, k: number, kind: GainKind = 'linear'): number | null {
  if (scores.length !== grades.length) throw new RangeError(`${scores.length} scores but ${grades.length} grades`);
  const ideal = dcgAtK(Array.from(grades).sort((a, b) => b - a), k, kind);
  if (!(ideal > 0)) return null;
  const ranked = topK(scores, k).map((i) => grades[i]!);
  return dcgAtK(ranked, k, kind) / ideal;
}
