import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SearchQuery, SearchResult } from '../../shared/types';
import { initialQueryState, similarTo } from '../../renderer/src/lib/query';
import { SearchController } from '../../renderer/src/lib/search-controller';

function engine() {
  const queries: SearchQuery[] = [];
  const fetch = async (query: SearchQuery): Promise<SearchResult> => {
    queries.push(query);
    return { hits: [], total: 0, complete: true, offset: query.offset ?? 0, cutoff: null, terms: [], tookMs: 0 };
  };
  return { queries, fetch };
}

describe('SearchController', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends nothing until it is active, then browses the whole library', () => {
    const e = engine();
    const search = new SearchController(e.fetch, { pageSize: 200 });
    search.setText('red');
    vi.advanceTimersByTime(1000);
    expect(e.queries).toEqual([]);
    search.setActive(true);
    expect(e.queries).toEqual([{ text: 'red', offset: 0, limit: 200 }]);
  });

  it('answers as you type: one query after a 150 ms pause, not one per keystroke', () => {
    const e = engine();
    const search = new SearchController(e.fetch, { pageSize: 200, debounceMs: 150 });
    search.setActive(true);
    expect(e.queries).toEqual([{ offset: 0, limit: 200 }]);
    for (const text of ['r', 're', 'red']) {
      search.setText(text);
      vi.advanceTimersByTime(100);
    }
    expect(e.queries).toHaveLength(1);
    // The results on screen still belong to the empty box.
    expect(search.state.text).toBe('red');
    expect(search.shownState.text).toBe('');
    vi.advanceTimersByTime(60);
    expect(search.shownState.text).toBe('red');
    expect(e.queries.map((q) => q.text)).toEqual([undefined, 'red']);
    // A trailing space means the same query: nothing is sent.
    search.setText('red ');
    vi.advanceTimersByTime(200);
    expect(e.queries).toHaveLength(2);
  });

  it('runs at once on Enter and on non-text changes', () => {
    const e = engine();
    const search = new SearchController(e.fetch, { pageSize: 50 });
    search.setActive(true);
    search.setText('blue');
    search.flush();
    expect(e.queries.at(-1)).toEqual({ text: 'blue', offset: 0, limit: 50 });
    search.update(similarTo(search.state, { id: 7, name: 'x.jpg' }));
    expect(e.queries.at(-1)).toEqual({ photoIds: [7], offset: 0, limit: 50 });
    vi.advanceTimersByTime(500);
    expect(e.queries).toHaveLength(3);
  });

  it('coalesces library changes into one refresh of the current query', () => {
    const e = engine();
    const search = new SearchController(e.fetch, { pageSize: 100, refreshMs: 400 });
    search.setActive(true);
    search.update({ ...initialQueryState(), text: 'green' });
    const before = e.queries.length;
    for (let i = 0; i < 5; i++) {
      search.libraryChanged();
      vi.advanceTimersByTime(100);
    }
    expect(e.queries).toHaveLength(before);
    vi.advanceTimersByTime(400);
    expect(e.queries).toHaveLength(before + 1);
    expect(e.queries.at(-1)?.text).toBe('green');
  });

  it('a new query cancels a pending refresh; deactivating drops the results', () => {
    const e = engine();
    const search = new SearchController(e.fetch, { pageSize: 100, refreshMs: 400 });
    search.setActive(true);
    search.libraryChanged();
    search.update({ ...search.state, text: 'pink' });
    vi.advanceTimersByTime(1000);
    expect(e.queries.map((q) => q.text)).toEqual([undefined, 'pink']);
    search.setActive(false);
    expect(search.pages.currentQuery).toBeNull();
    search.libraryChanged();
    vi.advanceTimersByTime(1000);
    expect(e.queries).toHaveLength(2);
  });

  it('tells listeners about state changes and new queries', () => {
    const e = engine();
    const search = new SearchController(e.fetch);
    const reasons: string[] = [];
    search.onChange((reason) => reasons.push(reason));
    search.setActive(true);
    search.setText('x');
    vi.advanceTimersByTime(200);
    expect(reasons).toEqual(['query', 'state', 'query']);
    search.dispose();
  });
});
