import { describe, expect, it } from 'vitest';
import { initialQueryState, type QueryState } from '../../renderer/src/lib/query';
import type { ResultMeta } from '../../renderer/src/lib/result-pages';
import { canWiden, readTerms, resultsSummary, sortChoice, sortFromChoice, tookText, type ShownResults } from '../../renderer/src/lib/results-summary';

function meta(patch: Partial<ResultMeta> = {}): ResultMeta {
  return { complete: true, cutoff: null, terms: [{ text: 'red', weight: 1 }], tookMs: 12.4, ...patch };
}

function shown(query: Partial<QueryState>, rest: Partial<ShownResults> = {}): ShownResults {
  return { query: { ...initialQueryState(), ...query }, total: 3, error: null, meta: meta(), ...rest };
}

describe('resultsSummary', () => {
  it('says it is searching until the first page lands, and nothing when that failed', () => {
    expect(resultsSummary(shown({ text: 'red' }, { total: null }))).toBe('Searching…');
    expect(resultsSummary(shown({ text: 'red' }, { total: null, error: 'engine down' }))).toBe('');
  });

  it('counts a browse with its order and the filters', () => {
    expect(resultsSummary(shown({}, { total: 1 }))).toBe('1 photo, newest first');
    expect(resultsSummary(shown({ sort: 'date-asc' }, { total: 2345 }))).toBe('2,345 photos, oldest first');
    expect(resultsSummary(shown({ filters: { ...initialQueryState().filters, format: 'png' } }, { total: 2 }))).toBe(
      '2 photos matching the filters, newest first',
    );
  });

  it('names the text and the example photos and images', () => {
    expect(resultsSummary(shown({ text: '  red car ' }))).toBe("3 photos for 'red car'");
    expect(resultsSummary(shown({ photos: [{ id: 1, name: 'a.jpg' }], images: [{ imageId: 'x', name: 'b.png', previewUrl: null }] }))).toBe(
      '3 photos like a.jpg, b.png',
    );
    expect(resultsSummary(shown({ text: 'night', photos: [{ id: 1, name: 'a.jpg' }] }, { total: 1 }))).toBe("1 photo for 'night' like a.jpg");
    expect(resultsSummary(shown({ text: 'red', filters: { ...initialQueryState().filters, camera: 'Canon' } }))).toBe(
      "3 photos for 'red' matching the filters",
    );
  });

  it('says "N+" while the engine has not searched to the end', () => {
    expect(resultsSummary(shown({ text: 'red' }, { total: 1000, meta: meta({ complete: false }) }))).toBe("1,000+ photos for 'red'");
    expect(resultsSummary(shown({ text: 'red' }, { total: 1, meta: null }))).toBe("1 photo for 'red'");
  });
});

describe('tookText', () => {
  it('shows the search time, under 1 ms as such, and nothing while browsing', () => {
    expect(tookText(shown({ text: 'red' }))).toBe(' · 12 ms');
    expect(tookText(shown({ text: 'red' }, { meta: meta({ tookMs: 0.3 }) }))).toBe(' · under 1 ms');
    expect(tookText(shown({ text: 'red' }, { meta: meta({ tookMs: 1234.6 }) }))).toBe(' · 1,235 ms');
    expect(tookText(shown({}))).toBe('');
    expect(tookText(shown({ text: 'red' }, { total: null }))).toBe('');
    expect(tookText(shown({ text: 'red' }, { meta: null }))).toBe('');
  });
});

describe('canWiden', () => {
  const cut = meta({ cutoff: { score: 0.2, reason: 'distribution' } });
  it('offers weaker matches only when the distribution cut-off ended a relevant-only search', () => {
    expect(canWiden(shown({ text: 'red' }, { meta: cut }))).toBe(true);
    expect(canWiden(shown({ text: 'red', relevantOnly: false }, { meta: cut }))).toBe(false);
    expect(canWiden(shown({ text: 'red' }, { meta: meta({ cutoff: { score: 0.2, reason: 'threshold' } }) }))).toBe(false);
    expect(canWiden(shown({ text: 'red' }, { meta: meta() }))).toBe(false);
    expect(canWiden(shown({}, { meta: cut }))).toBe(false);
  });
});

describe('readTerms', () => {
  it('shows the terms only when the text had arithmetic', () => {
    expect(readTerms(null)).toEqual([]);
    expect(readTerms(meta())).toEqual([]);
    const terms = [
      { text: 'beach', weight: 1 },
      { text: 'people', weight: -0.5 },
    ];
    expect(readTerms(meta({ terms }))).toEqual(terms);
  });
});

describe('sort menu', () => {
  it('shows browsing as newest or oldest first', () => {
    expect(sortChoice({ ...initialQueryState() })).toBe('date-desc');
    expect(sortChoice({ ...initialQueryState(), sort: 'date-asc' })).toBe('date-asc');
    expect(sortChoice({ ...initialQueryState(), text: 'red' })).toBe('relevance');
    expect(sortChoice({ ...initialQueryState(), text: 'red', sort: 'date-desc' })).toBe('date-desc');
  });

  it('keeps newest first as the default order while browsing', () => {
    expect(sortFromChoice('date-desc', true)).toBe('relevance');
    expect(sortFromChoice('date-desc', false)).toBe('date-desc');
    expect(sortFromChoice('date-asc', true)).toBe('date-asc');
    expect(sortFromChoice('relevance', false)).toBe('relevance');
    expect(sortFromChoice('nonsense', false)).toBe('relevance');
  });
});
