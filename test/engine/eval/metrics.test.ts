import { describe, expect, it } from 'vitest';
import {
  dcgAtK,
  firstRelevantRank,
  meanReciprocalRank,
  ndcgAtK,
  recallAtK,
  summariseRanks,
  topK,
} from '../../../electron/engine/eval/metrics';

// One query's scores over five candidates. Ranked: 0 (0.9), 4 (0.7), 2 (0.5), 3 (0.5, tie: index 2 first), 1 (0.1).
const SCORES = [0.9, 0.1, 0.5, 0.5, 0.7];

describe('topK', () => {
  it('returns the best indices, best first, ties by index', () => {
    expect(topK(SCORES, 3)).toEqual([0, 4, 2]);
    expect(topK(SCORES, 4)).toEqual([0, 4, 2, 3]);
    expect(topK(SCORES, 10)).toEqual([0, 4, 2, 3, 1]);
    expect(topK(SCORES, 0)).toEqual([]);
    expect(topK([], 5)).toEqual([]);
  });

  it('keeps the lowest indices among equal scores', () => {
    expect(topK([0, 0, 0, 0, 0], 2)).toEqual([0, 1]);
    expect(topK([1, 2, 2, 1, 2], 2)).toEqual([1, 2]);
  });

  it('ranks NaN last', () => {
    expect(topK([NaN, 0.2, -5], 3)).toEqual([1, 2, 0]);
  });

  it('agrees with a full stable sort on random scores with many ties', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 50; trial++) {
      const scores = Array.from({ length: 200 }, () => Math.floor(random() * 20) / 20);
      const sorted = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
      for (const k of [1, 5, 10, 37]) expect(topK(scores, k)).toEqual(sorted.slice(0, k));
    }
  });
});

describe('firstRelevantRank', () => {
  it('is 1 + the number of candidates ranked before the best relevant one', () => {
    expect(firstRelevantRank(SCORES, [0])).toBe(1);
    // Candidate 3 ties candidate 2 at 0.5 but has the higher index: 0, 4, 2 come first -> rank 4.
    expect(firstRelevantRank(SCORES, [3])).toBe(4);
    // Of {1, 2} the better is 2 (0.5), behind 0 and 4 -> rank 3.
    expect(firstRelevantRank(SCORES, [1, 2])).toBe(3);
    expect(firstRelevantRank(SCORES, [1])).toBe(5);
  });

  it('breaks ties by index, so equal scores give deterministic ranks', () => {
    // All equal: candidate 2 comes after 0 and 1 -> rank 3; of {3, 1} candidate 1 is first, after 0 -> rank 2.
    expect(firstRelevantRank([0, 0, 0, 0], [2])).toBe(3);
    expect(firstRelevantRank([0, 0, 0, 0], [3, 1])).toBe(2);
  });

  it('ranks a NaN candidate last and refuses an empty or out-of-range relevant set', () => {
    expect(firstRelevantRank([NaN, 0.2, 0.1], [0])).toBe(3);
    expect(() => firstRelevantRank(SCORES, [])).toThrow(RangeError);
    expect(() => firstRelevantRank(SCORES, [9])).toThrow(RangeError);
  });
});

describe('Recall@K and MRR', () => {
  // Four queries whose first relevant candidates sit at ranks 1, 4, 3 and 5.
  const ranks = [1, 4, 3, 5];

  it('Recall@K counts the queries with a hit in the top K', () => {
    expect(recallAtK(ranks, 1)).toBe(0.25); // only rank 1: 1/4
    expect(recallAtK(ranks, 3)).toBe(0.5); // ranks 1 and 3: 2/4
    expect(recallAtK(ranks, 4)).toBe(0.75); // ranks 1, 4, 3: 3/4
    expect(recallAtK(ranks, 5)).toBe(1); // all four
    expect(recallAtK([], 5)).toBeNaN();
  });

  it('MRR averages 1/rank of the first relevant candidate', () => {
    // (1/1 + 1/4 + 1/3 + 1/5) / 4 = (60 + 15 + 20 + 12) / 60 / 4 = 107/240 = 0.4458333...
    expect(meanReciprocalRank(ranks)).toBeCloseTo(107 / 240, 12);
    expect(meanReciprocalRank(ranks)).toBeCloseTo(0.4458333333, 9);
  });

  it('summarises R@1, R@5, R@10 and MRR', () => {
    // Ranks 1, 4, 3, 5, 12: R@1 = 1/5, R@5 = 4/5, R@10 = 4/5; MRR = (1 + 1/4 + 1/3 + 1/5 + 1/12) / 5 = (112/60) / 5 = 0.37333...
    expect(summariseRanks([1, 4, 3, 5, 12])).toEqual({
      recallAt1: 0.2,
      recallAt5: 0.8,
      recallAt10: 0.8,
      mrr: expect.closeTo(112 / 300, 12) as number,
      queries: 5,
    });
  });
});

describe('nDCG', () => {
  // Grades of candidates 0..4; in ranked order (0, 4, 2, 3, 1) they read 0, 1, 2, 0, 3.
  const grades = [0, 3, 2, 0, 1];

  it('DCG sums gain / log2(position + 1)', () => {
    // 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.2618595 + 0.5 = 4.7618595
    expect(dcgAtK([3, 2, 1], 10)).toBeCloseTo(4.7618595071, 9);
    // exponential: 7/1 + 3/1.5849625 + 1/2 = 7 + 1.8927893 + 0.5 = 9.3927893
    expect(dcgAtK([3, 2, 1], 10, 'exponential')).toBeCloseTo(9.3927892607, 9);
    expect(dcgAtK([3, 2, 1], 1)).toBe(3);
  });

  it('nDCG@5 with linear gain', () => {
    // DCG  = 0/1 + 1/log2(3) + 2/log2(4) + 0/log2(5) + 3/log2(6) = 0.6309298 + 1 + 1.1605584 = 2.7914882
    // IDCG = 3/1 + 2/log2(3) + 1/log2(4) = 3 + 1.2618595 + 0.5 = 4.7618595
    // nDCG = 2.7914882 / 4.7618595 = 0.5862181
    expect(ndcgAtK(SCORES, grades, 5)).toBeCloseTo(0.5862180879, 9);
  });

  it('nDCG@5 with exponential gain (2^rel - 1)', () => {
    // gains in ranked order 0, 1, 3, 0, 7: DCG = 1/log2(3) + 3/2 + 7/log2(6) = 0.6309298 + 1.5 + 2.7079696 = 4.8388994
    // ideal gains 7, 3, 1: IDCG = 7 + 3/log2(3) + 1/2 = 9.3927893; nDCG = 4.8388994 / 9.3927893 = 0.5151717
    expect(ndcgAtK(SCORES, grades, 5, 'exponential')).toBeCloseTo(0.5151717206, 9);
  });

  it('nDCG@2 cuts both the ranking and the ideal list', () => {
    // DCG@2 = 0 + 1/log2(3) = 0.6309298; IDCG@2 = 3 + 2/log2(3) = 4.2618595; nDCG = 0.1480410
    expect(ndcgAtK(SCORES, grades, 2)).toBeCloseTo(0.1480409555, 9);
  });

  it('is 1 for the ideal order, null with no positive grade, and breaks ties by index', () => {
    expect(ndcgAtK([3, 2, 1], [2, 1, 0], 10)).toBe(1);
    expect(ndcgAtK([3, 2, 1], [0, 0, 0], 10)).toBeNull();
    // Tied scores: candidate 0 (grade 0) ranks before candidate 1 (grade 1): DCG = 1/log2(3), IDCG = 1 -> 0.6309298
    expect(ndcgAtK([0.5, 0.5], [0, 1], 10)).toBeCloseTo(0.6309297536, 9);
    expect(() => ndcgAtK([1, 2], [1], 10)).toThrow(RangeError);
  });
});
