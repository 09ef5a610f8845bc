import { describe, expect, it } from 'vitest';
import type { SearchHit, SearchQuery, SearchResult } from '../../shared/types';
import { ResultPages } from '../../renderer/src/lib/result-pages';

/** A fake engine with `size` results whose photo ids are 1..size (times `salt` for a changed library). */
function hit(id: number): SearchHit {
  return {
    photo: { id, folderId: 1, path: `/p/${id}.jpg`, name: `${id}.jpg`, width: 10, height: 10, takenAt: null, format: 'jpeg', mtimeMs: 0 },
    score: 0.3,
    relevance: 0.5,
    duplicateIds: [],
  };
}

interface Call {
  query: SearchQuery;
  resolve: (result?: Partial<SearchResult>) => void;
  reject: (error: Error) => void;
}

function fakeEngine(size: () => number) {
  const calls: Call[] = [];
  const fetch = (query: SearchQuery): Promise<SearchResult> =>
    new Promise((resolve, reject) => {
      calls.push({
        query,
        resolve: (override = {}) => {
          const offset = query.offset ?? 0;
          const total = size();
          const hits = [];
          for (let i = offset; i < Math.min(total, offset + (query.limit ?? 100)); i++) hits.push(hit(i + 1));
          resolve({ hits, total, complete: true, offset, cutoff: null, terms: [], tookMs: 1, ...override });
        },
        reject,
      });
    });
  return { calls, fetch };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ResultPages', () => {
  it('fetches the first page of a new query, then only the pages asked for', async () => {
    const engine = fakeEngine(() => 1000);
    const pages = new ResultPages(engine.fetch, { pageSize: 100 });
    pages.setQuery({ text: 'red' });
    expect(pages.loading).toBe(true);
    expect(engine.calls.map((c) => [c.query.offset, c.query.limit])).toEqual([[0, 100]]);
    expect(engine.calls[0]!.query.text).toBe('red');
    engine.calls[0]!.resolve();
    await flush();
    expect(pages.loading).toBe(false);
    expect(pages.total).toBe(1000);
    expect(pages.get(0)?.photo.id).toBe(1);
    expect(pages.get(150)).toBeUndefined();
    pages.ensure(150, 320);
    expect(engine.calls.slice(1).map((c) => c.query.offset)).toEqual([100, 200]);
    engine.calls[1]!.resolve();
    engine.calls[2]!.resolve();
    await flush();
    // Page 3 (300..399) was queued behind the concurrency limit and follows.
    expect(engine.calls.slice(3).map((c) => c.query.offset)).toEqual([300]);
    expect(pages.get(150)?.photo.id).toBe(151);
    expect(pages.get(1000)).toBeUndefined();
  });

  it('never asks for the same page twice while it is on its way', () => {
    const engine = fakeEngine(() => 1000);
    const pages = new ResultPages(engine.fetch, { pageSize: 100, concurrency: 4 });
    pages.setQuery({});
    pages.ensure(0, 50);
    pages.ensure(0, 99);
    expect(engine.calls).toHaveLength(1);
  });

  it('ignores answers to a query that has been replaced (sequence numbers)', async () => {
    const engine = fakeEngine(() => 10);
    const pages = new ResultPages(engine.fetch, { pageSize: 100 });
    pages.setQuery({ text: 'r' });
    pages.setQuery({ text: 're' });
    pages.setQuery({ text: 'red' });
    // The newest answers first, then the stale ones arrive late with other data.
    engine.calls[2]!.resolve();
    engine.calls[0]!.resolve({ total: 999, hits: [hit(77)] });
    engine.calls[1]!.reject(new Error('stale failure'));
    await flush();
    expect(pages.currentQuery).toEqual({ text: 'red' });
    expect(pages.total).toBe(10);
    expect(pages.get(0)?.photo.id).toBe(1);
    expect(pages.error).toBeNull();
  });

  it('skips pages scrolled past before a request slot freed up', async () => {
    const engine = fakeEngine(() => 100_000);
    const pages = new ResultPages(engine.fetch, { pageSize: 200, concurrency: 1 });
    pages.setQuery({});
    engine.calls[0]!.resolve();
    await flush();
    pages.ensure(2000, 2400); // pages 10..12; one slot: page 10 goes out
    pages.ensure(50_000, 50_300); // the user dragged the scrollbar far away
    expect(engine.calls.map((c) => c.query.offset)).toEqual([0, 2000]);
    engine.calls[1]!.resolve();
    await flush();
    // Next comes what is on screen now, not pages 11 and 12.
    expect(engine.calls[2]!.query.offset).toBe(50_000);
  });

  it('keeps the old pages on screen during a refresh and swaps them when the new ones arrive', async () => {
    let size = 300;
    const engine = fakeEngine(() => size);
    const pages = new ResultPages(engine.fetch, { pageSize: 100 });
    const reasons: string[] = [];
    pages.onChange((reason) => reasons.push(reason));
    pages.setQuery({});
    engine.calls[0]!.resolve();
    await flush();
    pages.ensure(100, 199);
    engine.calls[1]!.resolve();
    await flush();
    reasons.length = 0;

    size = 301;
    pages.refresh();
    expect(pages.refreshing).toBe(true);
    // Still showing the previous data while the refreshed page is on its way: no empty tiles.
    expect(pages.get(150)?.photo.id).toBe(151);
    expect(pages.total).toBe(300);
    const refreshCall = engine.calls.at(-1)!;
    expect(refreshCall.query.offset).toBe(100);
    refreshCall.resolve({ hits: [hit(999)], total: 301 });
    await flush();
    expect(pages.refreshing).toBe(false);
    expect(pages.total).toBe(301);
    expect(pages.get(100)?.photo.id).toBe(999);
    // A refresh is new data, not a new query: the view keeps its scroll position.
    expect(reasons).toEqual(['data']);
  });

  it('ends a refresh when the result shrank below the pages that were on screen', async () => {
    let size = 1000;
    const engine = fakeEngine(() => size);
    const pages = new ResultPages(engine.fetch, { pageSize: 100, concurrency: 1 });
    pages.setQuery({});
    engine.calls[0]!.resolve();
    await flush();
    pages.ensure(700, 950);
    for (let i = 0; i < 3; i++) {
      engine.calls.at(-1)!.resolve();
      await flush();
    }
    size = 50;
    pages.refresh();
    engine.calls.at(-1)!.resolve();
    await flush();
    expect(pages.total).toBe(50);
    expect(pages.refreshing).toBe(false);
    expect(pages.get(800)).toBeUndefined();
  });

  it('reports a failure once and waits for retry() instead of hammering the engine', async () => {
    const engine = fakeEngine(() => 500);
    const pages = new ResultPages(engine.fetch, { pageSize: 100 });
    pages.setQuery({ text: 'red' });
    engine.calls[0]!.reject(new Error('the engine is busy'));
    await flush();
    expect(pages.error).toBe('the engine is busy');
    expect(pages.loading).toBe(false);
    pages.ensure(0, 300);
    expect(engine.calls).toHaveLength(1);
    pages.retry();
    // What is wanted now (0..300), two requests at a time.
    expect(engine.calls.slice(1).map((c) => c.query.offset)).toEqual([0, 100]);
    expect(pages.error).toBeNull();
    engine.calls[1]!.resolve();
    await flush();
    expect(pages.total).toBe(500);
  });

  it('keeps memory bounded by dropping the pages furthest from the view', async () => {
    const engine = fakeEngine(() => 100_000);
    const pages = new ResultPages(engine.fetch, { pageSize: 100, maxPages: 4, concurrency: 8 });
    pages.setQuery({});
    engine.calls[0]!.resolve();
    await flush();
    for (const start of [1000, 2000, 3000, 4000, 5000]) {
      pages.ensure(start, start + 50);
      engine.calls.at(-1)!.resolve();
      await flush();
    }
    expect(pages.cachedPages).toBe(4);
    expect(pages.hasPage(50)).toBe(true);
    expect(pages.hasPage(0)).toBe(false);
    // The dropped page is fetched again when it comes back into view.
    pages.ensure(0, 10);
    expect(engine.calls.at(-1)!.query.offset).toBe(0);
  });

  it('asks past the end of an incomplete result, where a deeper search may find more', async () => {
    const engine = fakeEngine(() => 200);
    const pages = new ResultPages(engine.fetch, { pageSize: 100 });
    pages.setQuery({ text: 'red' });
    engine.calls[0]!.resolve({ total: 100, complete: false });
    await flush();
    pages.ensure(0, 500);
    expect(engine.calls.slice(1).map((c) => c.query.offset)).toEqual([100]);
    engine.calls[1]!.resolve({ total: 200, complete: true });
    await flush();
    expect(pages.total).toBe(200);
    expect(pages.meta?.complete).toBe(true);
    pages.ensure(0, 500);
    // Complete now: nothing past the end.
    expect(engine.calls).toHaveLength(2);
  });

  it('finds a loaded photo by id and clears everything on clear()', async () => {
    const engine = fakeEngine(() => 250);
    const pages = new ResultPages(engine.fetch, { pageSize: 100 });
    pages.setQuery({});
    engine.calls[0]!.resolve();
    await flush();
    expect(pages.indexOf(42)).toBe(41);
    expect(pages.indexOf(242)).toBe(-1);
    pages.clear();
    expect(pages.total).toBeNull();
    expect(pages.currentQuery).toBeNull();
    expect(pages.get(0)).toBeUndefined();
    pages.ensure(0, 10);
    expect(engine.calls).toHaveLength(1);
  });
});
