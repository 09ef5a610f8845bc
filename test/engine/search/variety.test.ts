import { describe, expect, it } from 'vitest';
import { DUPLICATE_COSINE, diversify, groupNearDuplicates } from '../../../electron/engine/search/variety';

/** Unit vectors in 2-d at the given angles (degrees), keyed by photo id 1..n. */
function vectors(angles: number[]): Map<number, Float32Array> {
  return new Map(angles.map((a, i) => [i + 1, Float32Array.of(Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180))]));
}

describe('groupNearDuplicates', () => {
  it('folds photos at cosine >= the threshold into the first (best) photo of their group', () => {
    // cos(10°) = 0.985 (duplicate), cos(30°) = 0.866 (not), cos(95°-90°) near-duplicate of photo 3.
    const v = vectors([0, 10, 90, 95, 40]);
    const ranked = [1, 2, 3, 4, 5].map((photoId, i) => ({ photoId, score: 1 - i / 10 }));
    expect(groupNearDuplicates(ranked, v)).toEqual([
      { photoId: 1, score: 1, duplicateIds: [2] },
      { photoId: 3, score: 0.8, duplicateIds: [4] },
      { photoId: 5, score: 0.6, duplicateIds: [] },
    ]);
    expect(Math.cos((10 * Math.PI) / 180)).toBeGreaterThan(DUPLICATE_COSINE);
  });

  it('is stable under appending: the groups of a prefix do not change', () => {
    const v = vectors([0, 50, 5, 100, 52, 3]);
    const ranked = [1, 2, 3, 4, 5, 6].map((photoId, i) => ({ photoId, score: -i }));
    const whole = groupNearDuplicates(ranked, v).map((g) => g.photoId);
    const prefix = groupNearDuplicates(ranked.slice(0, 4), v).map((g) => g.photoId);
    expect(whole.slice(0, prefix.length)).toEqual(prefix);
  });

  it('photos without a vector (beyond the window) stay ungrouped', () => {
    const v = vectors([0, 1]);
    const ranked = [1, 2].map((photoId) => ({ photoId, score: 1 }));
    expect(groupNearDuplicates(ranked, v, DUPLICATE_COSINE, 1)).toHaveLength(2);
  });
});

describe('diversify (MMR)', () => {
  it('puts a different photo between two near-identical ones of similar relevance', () => {
    const v = vectors([0, 2, 80, 120, 200]);
    const items = [
      { photoId: 1, score: 0.31 },
      { photoId: 2, score: 0.309 },
      { photoId: 3, score: 0.305 },
      { photoId: 4, score: 0.25 },
      { photoId: 5, score: 0.2 },
    ];
    expect(diversify(items, v).map((i) => i.photoId).slice(0, 3)).toEqual([1, 3, 2]);
    // Plain relevance order for a set that is already varied: with photos 3 and 4 close together, 4 waits.
    expect(diversify(items.filter((i) => i.photoId !== 2), v).map((i) => i.photoId)[0]).toBe(1);
  });

  it('keeps a much more relevant photo first and leaves items past the window in place', () => {
    const v = vectors([0, 1, 90, 45]);
    const items = [1, 2, 3, 4].map((photoId, i) => ({ photoId, score: 1 - i * 0.1 }));
    const out = diversify(items, v, 0.7, 3).map((i) => i.photoId);
    expect(out[0]).toBe(1);
    expect(out[3]).toBe(4);
    expect(out.slice(0, 3).sort()).toEqual([1, 2, 3]);
  });
});
