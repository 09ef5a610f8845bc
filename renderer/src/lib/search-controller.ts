import type { SearchHit } from '@shared/types';
import { debounce, type Debounced } from './debounce';
import { buildSearchQuery, initialQueryState, isBrowsing, queryKey, withText, type QueryState } from './query';
import { ResultPages, type ChangeReason, type FetchPage, type ResultPagesOptions } from './result-pages';

export interface SearchControllerOptions extends ResultPagesOptions {
  /** Quiet time after the last keystroke before the query runs. */
  debounceMs?: number;
  /** Quiet time after the last 'library.changed' before the current query is asked again. */
  refreshMs?: number;
}

/**
 * The search as the UI drives it: the query state, debounced runs while typing (Enter runs at once), the paged
 * result cache and live refreshes when the library changes. Plain TypeScript with a change listener, so the Svelte
 * components only render it.
 */
export class SearchController {
  readonly pages: ResultPages;
  private current: QueryState = initialQueryState();
  private shown: QueryState = this.current;
  private lastKey: string | null = null;
  private active = false;
  private readonly runLater: Debounced<[]>;
  private readonly refreshLater: Debounced<[]>;
  private readonly listeners = new Set<(reason: ChangeReason | 'state') => void>();
  private readonly unsubscribe: () => void;

  constructor(fetchPage: FetchPage, options: SearchControllerOptions = {}) {
    this.pages = new ResultPages(fetchPage, options);
    this.runLater = debounce(() => this.run(), options.debounceMs ?? 150);
    this.refreshLater = debounce(() => this.pages.refresh(), options.refreshMs ?? 400);
    this.unsubscribe = this.pages.onChange((reason) => this.emit(reason));
  }

  get state(): QueryState {
    return this.current;
  }

  /** The state whose results are in `pages` (the box may already hold newer text, waiting for its debounce). */
  get shownState(): QueryState {
    return this.shown;
  }

  get browsing(): boolean {
    return isBrowsing(this.current);
  }

  /** Whether queries are being sent (off while there is no library to search). */
  get running(): boolean {
    return this.active;
  }

  onChange(listener: (reason: ChangeReason | 'state') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts (or stops) sending queries; starting runs the current one. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) this.run(true);
    else {
      this.runLater.cancel();
      this.refreshLater.cancel();
      this.lastKey = null;
      this.pages.clear();
    }
  }

  /** Text edits wait for a pause in typing; every other change (chips, filters, sort) runs at once. */
  update(next: QueryState, options: { debounce?: boolean } = {}): void {
    this.current = next;
    this.emit('state');
    if (options.debounce) this.runLater();
    else {
      this.runLater.cancel();
      this.run();
    }
  }

  setText(text: string): void {
    this.update(withText(this.current, text), { debounce: true });
  }

  /** Runs a pending (debounced) query now: the Enter key. */
  flush(): void {
    if (this.runLater.pending()) this.runLater.flush();
    else this.run();
  }

  /** Runs the current query unless it is the one already shown (same meaning: 'red' and 'red '), or when forced. */
  run(force = false): void {
    if (!this.active) return;
    const query = buildSearchQuery(this.current);
    const key = queryKey(query);
    if (!force && key === this.lastKey && this.pages.error === null) return;
    this.lastKey = key;
    this.shown = this.current;
    this.refreshLater.cancel();
    this.pages.setQuery(query);
  }

  /** The library changed (photos indexed or removed): ask again soon, keeping what is on screen meanwhile. */
  libraryChanged(): void {
    if (!this.active || this.pages.currentQuery === null) return;
    this.refreshLater();
  }

  /** Re-asks now (settings changed, a folder was removed). */
  refreshNow(): void {
    this.refreshLater.cancel();
    if (this.active) this.pages.refresh();
  }

  hit(index: number): SearchHit | undefined {
    return this.pages.get(index);
  }

  dispose(): void {
    this.runLater.cancel();
    this.refreshLater.cancel();
    this.unsubscribe();
    this.listeners.clear();
  }

  private emit(reason: ChangeReason | 'state'): void {
    for (const listener of this.listeners) listener(reason);
  }
}
