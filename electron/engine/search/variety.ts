import { RowMatrix } from './dense-wasm';
import { dot } from '../math/vectors';

/*
 * Variety in results: a burst of near-identical shots should not fill the first page.
 *
 * - Near-duplicate groups: walking the ranked list best first, a photo whose cosine to an earlier group's leader
 *   is >= DUPLICATE_COSINE joins that group instead of showing. 0.95 between CLIP ViT-B/32 image embeddings is
 *   "the same scene a second apart" (bursts, re-saves, crops and small edits land at 0.95-0.99; two different
 *   photos of the same beach usually at 0.80-0.92). Greedy in rank order, so the first N groups never change when
 *   more results are appended (paging stays stable).
 * - MMR (maximal marginal relevance, Carbonell & Goldstein 1998): the first MMR_WINDOW results are re-ordered,
 *   each pick maximising λ·relevance - (1-λ)·(max similarity to the picks so far).
 */

export const DUPLICATE_COSINE = 0.95;
/**
 * Grouping looks at the first GROUP_WINDOW results (cost grows with window x groups x dim; see
 * `npm run bench -- query`).
 */
export const GROUP_WINDOW = 512;
export const MMR_WINDOW = 50;
export const MMR_LAMBDA = 0.7;

export interface Ranked {
  photoId: number;
  score: number;
}

export interface Grouped extends Ranked {
  duplicateIds: number[];
}

export function groupNearDuplicates(
  ranked: readonly Ranked[],
  vectors: ReadonlyMap<number, Float32Array>,
  threshold = DUPLICATE_COSINE,
  window = GROUP_WINDOW,
): Grouped[] {
  const groups: Grouped[] = [];
  // Leaders' vectors side by side in one matrix: the inner loop is the whole cost (window x leaders x dim).
  const dim = vectors.values().next().value?.length ?? 0;
  const leaders = dim > 0 ? leaderMatrix(dim, Math.min(window, ranked.length)) : null;
  const leaderGroups: Grouped[] = [];
  for (let i = 0; i < ranked.length; i++) {
    const item = ranked[i]!;
    const vector = i < window ? vectors.get(item.photoId) : undefined;
    const usable = leaders !== null && vector !== undefined && vector.length === dim;
    if (usable && leaderGroups.length > 0) {
      const scores = leaders.dots(vector, leaderGroups.length);
      const home = scores.findIndex((score) => score >= threshold);
      if (home >= 0) {
        leaderGroups[home]!.duplicateIds.push(item.photoId);
        continue;
      }
    }
    const group = { ...item, duplicateIds: [] };
    groups.push(group);
    if (usable) {
      leaders.set(leaderGroups.length, vector);
      leaderGroups.push(group);
    }
  }
  return groups;
}

/** One scratch matrix for the leaders, reused while big enough (queries come one at a time). */
let scratch: RowMatrix | undefined;
function leaderMatrix(dim: number, rows: number): RowMatrix {
  if (!scratch || scratch.dim !== dim || scratch.capacity < rows) scratch = new RowMatrix(dim, Math.max(rows, GROUP_WINDOW));
  scratch.clear();
  return scratch;
}

/**
 * Re-orders the first `window` items by MMR; the rest keep their order. Relevance is rescaled to 0..1 within the
 * window first: query scores span a few hundredths with CLIP while photo-to-photo similarities span most of 0..1,
 * so raw scores would let the diversity term decide everything, and λ would mean something different per model.
 */
export function diversify<T extends Ranked>(
  items: readonly T[],
  vectors: ReadonlyMap<number, Float32Array>,
  lambda = MMR_LAMBDA,
  window = MMR_WINDOW,
): T[] {
  const head = items.slice(0, window).filter((item) => vectors.has(item.photoId));
  const headSet = new Set(head);
  const top = Math.max(...head.map((item) => item.score));
  const bottom = Math.min(...head.map((item) => item.score));
  const relevance = (item: T): number => (top > bottom ? (item.score - bottom) / (top - bottom) : 1);
  const picked: T[] = [];
  const maxSimilarity = new Map<T, number>(head.map((item) => [item, -Infinity]));
  while (maxSimilarity.size > 0) {
    let best: T | undefined;
    let bestValue = -Infinity;
    for (const [item, similarity] of maxSimilarity) {
      const value = lambda * relevance(item) - (1 - lambda) * (picked.length === 0 ? 0 : similarity);
      if (value > bestValue) [best, bestValue] = [item, value];
    }
    const chosen = best!;
    picked.push(chosen);
    maxSimilarity.delete(chosen);
    const v = vectors.get(chosen.photoId)!;
    for (const [item, similarity] of maxSimilarity) {
      maxSimilarity.set(item, Math.max(similarity, dot(v, vectors.get(item.photoId)!)));
    }
  }
  // Items of the window without a vector keep their place after the re-ordered ones.
  return [...picked, ...items.slice(0, window).filter((item) => !headSet.has(item)), ...items.slice(window)];
}
