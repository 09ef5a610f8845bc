import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../shared/types';
import { NO_SELECTION, selectAt, selectionAfter, type SelectableResults } from '../../renderer/src/lib/selection';

function results(ids: (number | undefined)[], total: number | null = ids.length): SelectableResults {
  const hits = ids.map((id) => (id === undefined ? undefined : ({ photo: { id }, duplicateIds: [] } as unknown as SearchHit)));
  return { total, get: (index) => hits[index], indexOf: (photoId) => ids.indexOf(photoId) };
}

describe('selection', () => {
  it('remembers the photo it selected, when that is loaded', () => {
    expect(selectAt(1, results([10, 11]))).toEqual({ index: 1, photoId: 11 });
    expect(selectAt(5, results([10, 11], 100))).toEqual({ index: 5, photoId: null });
  });

  it('is cleared by a new query', () => {
    expect(selectionAfter('query', { index: 1, photoId: 11 }, results([10, 11]))).toEqual(NO_SELECTION);
  });

  it('follows its photo when a refresh moved it, and stays put when the photo is not loaded', () => {
    const before = { index: 1, photoId: 11 };
    expect(selectionAfter('data', before, results([11, 10, 12]))).toEqual({ index: 0, photoId: 11 });
    expect(selectionAfter('data', before, results([12, 13, 14]))).toEqual({ index: 1, photoId: 11 });
    expect(selectionAfter('data', before, results([10, 11]))).toBe(before);
  });

  it('stays inside a list that got shorter, and goes when the list is empty', () => {
    expect(selectionAfter('data', { index: 4, photoId: 99 }, results([10, 11]))).toEqual({ index: 1, photoId: 99 });
    expect(selectionAfter('data', { index: 0, photoId: 10 }, results([], 0))).toEqual({ index: null, photoId: 10 });
    expect(selectionAfter('data', { index: 4, photoId: null }, results([10], null))).toEqual({ index: 4, photoId: null });
  });
});
