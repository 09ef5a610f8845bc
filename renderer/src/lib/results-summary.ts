import type { SearchSort } from '@shared/types';
import { formatCount, plural } from './format';
import { activeFilterCount, isBrowsing, type QueryState } from './query';
import type { ResultMeta } from './result-pages';

/** What the result bar says about the results on screen, as pure functions of the shown query and its answer. */

export interface ShownResults {
  /** The query the results on screen answer (the box may be ahead of it by a debounce). */
  query: QueryState;
  /** Null while the first page is on its way. */
  total: number | null;
  error: string | null;
  meta: ResultMeta | null;
}

/** 'Searching…', '3 photos for 'red'', '1,000+ photos like IMG_1.jpg matching the filters', '12 photos, newest first'. */
export function resultsSummary({ query, total, error, meta }: ShownResults): string {
  if (total === null) return error ? '' : 'Searching…';
  const filtered = activeFilterCount(query.filters) > 0 ? ' matching the filters' : '';
  if (isBrowsing(query)) {
    const order = query.sort === 'date-asc' ? 'oldest first' : 'newest first';
    return `${plural(total, 'photo')}${filtered}, ${order}`;
  }
  // An incomplete result grows as the user scrolls (the engine searches deeper).
  const count = meta && !meta.complete ? `${formatCount(total)}+ photos` : plural(total, 'photo');
  const text = query.text.trim();
  const examples = [...query.photos.map((p) => p.name), ...query.images.map((i) => i.name)];
  const like = examples.length > 0 ? `like ${examples.join(', ')}` : '';
  const what = text && like ? `for '${text}' ${like}` : text ? `for '${text}'` : like;
  return `${count} ${what}${filtered}`;
}

/** The search's time after the summary (' · 12 ms'); empty while browsing or before an answer. */
export function tookText({ query, total, meta }: ShownResults): string {
  if (!meta || total === null || isBrowsing(query)) return '';
  return ` · ${meta.tookMs < 1 ? 'under 1' : formatCount(Math.round(meta.tookMs))} ms`;
}

/** The engine cut unrelated photos off by the query's own score distribution: offer to see them anyway. */
export function canWiden({ query, meta }: Pick<ShownResults, 'query' | 'meta'>): boolean {
  return !isBrowsing(query) && query.relevantOnly && meta?.cutoff?.reason === 'distribution';
}

/** How the engine read the text, shown only when there is arithmetic ('beach -people +sunset'). */
export function readTerms(meta: ResultMeta | null): ResultMeta['terms'] {
  return meta && meta.terms.length > 1 ? meta.terms : [];
}

/** The sort menu's value: browsing has no "Best match", so relevance shows as newest first there. */
export function sortChoice(query: QueryState): SearchSort {
  if (!isBrowsing(query)) return query.sort;
  return query.sort === 'date-asc' ? 'date-asc' : 'date-desc';
}

/** The sort a menu value asks for. While browsing, newest first is already the default order, so it stays 'relevance'. */
export function sortFromChoice(value: string, browsing: boolean): SearchSort {
  return value === 'date-asc' ? 'date-asc' : value === 'date-desc' && !browsing ? 'date-desc' : 'relevance';
}
