import { errorMessage } from '@shared/errors';
import type { SearchHit, SearchQuery, SearchResult } from '@shared/types';

/** Asks the engine for one page: the query with offset and limit filled in. */
export type FetchPage = (query: SearchQuery) => Promise<SearchResult>;

export interface ResultMeta {
  /** False when the engine stopped at its search depth: later pages may find more (total grows). */
  complete: boolean;
  cutoff: SearchResult['cutoff'];
  terms: SearchResult['terms'];
  tookMs: number;
}

export interface ResultPagesOptions {
  /** Hits per request (search.query's limit). */
  pageSize?: number;
  /** Pages kept in memory; the ones furthest from what is on screen go first. */
  maxPages?: number;
  /** Page requests in flight at once. */
  concurrency?: number;
}

/** Why listeners are called: a new query (scroll to the top) or new data for the same one. */
export type ChangeReason = 'query' | 'data';

/**
 * The result list of one query as a sparse, paged cache. Only pages near what is on screen are fetched
 * (search.query with offset/limit), so a 100 000-hit result costs a few requests; older answers are told apart by a
 * generation number and dropped, so a slow reply to a stale query can never overwrite a newer one.
 *
 * `refresh()` re-asks the same query (the library changed) while the previous pages stay visible until their
 * replacements arrive: no flash of empty tiles, and the scroll position keeps its meaning.
 */
export class ResultPages {
  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly concurrency: number;
  private readonly fetchPage: FetchPage;

  private generation = 0;
  private query: SearchQuery | null = null;
  private pages = new Map<number, SearchHit[]>();
  /** The previous generation's pages, shown while a refresh is in flight. */
  private stale: Map<number, SearchHit[]> | null = null;
  private staleWaiting = new Set<number>();
  private inflight = new Set<number>();
  private wanted: { first: number; last: number } = { first: 0, last: 0 };
  private readonly listeners = new Set<(reason: ChangeReason) => void>();

  /** Hits in the whole result (null until the first page of a new query answers). */
  total: number | null = null;
  meta: ResultMeta | null = null;
  /** The last failure's one-line reason for the current query, cleared by the next success. */
  error: string | null = null;
  /** Bumped on every change; handy as a reactive dependency. */
  version = 0;

  constructor(fetchPage: FetchPage, options: ResultPagesOptions = {}) {
    this.fetchPage = fetchPage;
    this.pageSize = options.pageSize ?? 200;
    this.maxPages = Math.max(2, options.maxPages ?? 60);
    this.concurrency = Math.max(1, options.concurrency ?? 2);
  }

  onChange(listener: (reason: ChangeReason) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get currentQuery(): SearchQuery | null {
    return this.query;
  }

  /** True while the first page of the current query has not answered. */
  get loading(): boolean {
    return this.query !== null && this.total === null && this.error === null;
  }

  /** True while a refresh's pages are still on their way (the old ones are shown meanwhile). */
  get refreshing(): boolean {
    return this.stale !== null;
  }

  /** Starts a new query: everything cached is dropped and the first page is fetched. */
  setQuery(query: SearchQuery): void {
    this.generation++;
    this.query = query;
    this.pages = new Map();
    this.stale = null;
    this.staleWaiting.clear();
    this.inflight.clear();
    this.total = null;
    this.meta = null;
    this.error = null;
    this.wanted = { first: 0, last: this.pageSize - 1 };
    this.emit('query');
    this.pump();
  }

  /** Drops the query and its results (e.g. the library became empty). */
  clear(): void {
    this.generation++;
    this.query = null;
    this.pages = new Map();
    this.stale = null;
    this.staleWaiting.clear();
    this.inflight.clear();
    this.total = null;
    this.meta = null;
    this.error = null;
    this.emit('query');
  }

  /** Asks the same query again, keeping the current pages on screen until the new ones arrive. */
  refresh(): void {
    if (!this.query) return;
    this.generation++;
    const previous = this.stale ? new Map([...this.stale, ...this.pages]) : this.pages;
    this.stale = previous.size > 0 ? previous : null;
    this.pages = new Map();
    this.inflight.clear();
    this.error = null;
    this.staleWaiting = new Set(this.pagesIn(this.wanted.first, this.wanted.last));
    this.pump();
  }

  /** Tries again after a failed request. */
  retry(): void {
    if (!this.query || this.error === null) return;
    this.error = null;
    this.emit('data');
    this.pump();
  }

  /** Makes sure the hits first..last (inclusive) are loaded or on their way; called as the view scrolls. */
  ensure(first: number, last: number): void {
    if (!this.query) return;
    const lo = Math.max(0, Math.floor(first));
    const hi = Math.max(lo, Math.floor(last));
    this.wanted = { first: lo, last: hi };
    this.pump();
  }

  /** The hit at a position, if its page is loaded (or still shown from before a refresh). */
  get(index: number): SearchHit | undefined {
    if (this.total !== null && index >= this.total) return undefined;
    const page = Math.floor(index / this.pageSize);
    const offset = index - page * this.pageSize;
    const hits = this.pages.get(page) ?? this.stale?.get(page);
    return hits?.[offset];
  }

  /** Where a photo is among the loaded hits, or -1. */
  indexOf(photoId: number): number {
    for (const source of [this.pages, this.stale]) {
      if (!source) continue;
      for (const [page, hits] of source) {
        const at = hits.findIndex((hit) => hit.photo.id === photoId);
        if (at >= 0) return page * this.pageSize + at;
      }
    }
    return -1;
  }

  /** Whether a page is held for the current generation (for tests and diagnostics). */
  hasPage(page: number): boolean {
    return this.pages.has(page);
  }

  get cachedPages(): number {
    return this.pages.size;
  }

  private pagesIn(first: number, last: number): number[] {
    const from = Math.floor(first / this.pageSize);
    let to = Math.floor(last / this.pageSize);
    if (this.total !== null) {
      // An incomplete result may grow: the page just past what is known is worth asking for.
      const known = Math.ceil(this.total / this.pageSize);
      to = Math.min(to, Math.max(0, this.meta?.complete === false ? known : known - 1));
    }
    const out: number[] = [];
    for (let page = from; page <= to; page++) out.push(page);
    return out;
  }

  /** Starts fetches for wanted pages that are neither cached nor in flight, up to the concurrency limit. */
  private pump(): void {
    if (!this.query) return;
    for (const page of this.pagesIn(this.wanted.first, this.wanted.last)) {
      if (this.inflight.size >= this.concurrency) return;
      if (this.pages.has(page) || this.inflight.has(page)) continue;
      // After an error, wait for retry() or refresh() rather than hammering the engine on every scroll.
      if (this.error !== null) return;
      this.load(page);
    }
  }

  private load(page: number): void {
    const generation = this.generation;
    const query = this.query;
    if (!query) return;
    this.inflight.add(page);
    this.fetchPage({ ...query, offset: page * this.pageSize, limit: this.pageSize }).then(
      (result) => {
        if (generation !== this.generation) return;
        this.inflight.delete(page);
        this.pages.set(page, result.hits);
        this.total = result.total;
        this.meta = { complete: result.complete !== false, cutoff: result.cutoff, terms: result.terms, tookMs: result.tookMs };
        this.error = null;
        this.staleWaiting.delete(page);
        for (const waiting of this.staleWaiting) {
          if (waiting * this.pageSize >= result.total) this.staleWaiting.delete(waiting);
        }
        if (this.stale && this.staleWaiting.size === 0) this.stale = null;
        this.evict();
        this.emit('data');
        this.pump();
      },
      (reason: unknown) => {
        if (generation !== this.generation) return;
        this.inflight.delete(page);
        this.error = errorMessage(reason);
        this.staleWaiting.delete(page);
        if (this.stale && this.staleWaiting.size === 0) this.stale = null;
        this.emit('data');
      },
    );
  }

  private evict(): void {
    if (this.pages.size <= this.maxPages) return;
    const centre = (this.wanted.first + this.wanted.last) / 2 / this.pageSize;
    const byDistance = [...this.pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of byDistance) {
      if (this.pages.size <= this.maxPages) break;
      this.pages.delete(page);
    }
  }

  private emit(reason: ChangeReason): void {
    this.version++;
    for (const listener of this.listeners) listener(reason);
  }
}
