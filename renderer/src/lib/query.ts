import { LIMITS } from '@shared/limits';
import type { SearchFilters, SearchQuery, SearchSort } from '@shared/types';

/** A library photo used as an example in the query (find similar, photo + text). */
export interface PhotoExample {
  id: number;
  name: string;
}

/** An external image dropped or pasted into the app, already uploaded (search.uploadImage). */
export interface ImageExample {
  imageId: string;
  name: string;
  /** A blob: URL of the dropped file for the chip's preview; null when the browser cannot show it. */
  previewUrl: string | null;
}

/** The filter controls as the UI holds them: empty strings and null mean "any". */
export interface FilterState {
  folderId: number | null;
  /** Date prefixes ('2019', '2019-07', '2019-07-14'), as the contract takes them. */
  takenFrom: string;
  takenTo: string;
  /** One catalog format name ('jpeg', 'png', ...) or '' for any. */
  format: string;
  camera: string;
}

/** Everything the user has put into the current search, independent of paging. */
export interface QueryState {
  /** The text box, verbatim (arithmetic like 'beach -people +sunset' is read by the engine). */
  text: string;
  photos: PhotoExample[];
  images: ImageExample[];
  /** Share of the text when text and examples are combined, 0..1. */
  textWeight: number;
  filters: FilterState;
  sort: SearchSort;
  /** Keep the engine's per-query cut-off (false: "show weaker matches too"). Resets with each new search. */
  relevantOnly: boolean;
}

export const FORMATS = ['jpeg', 'png', 'webp', 'heif', 'avif', 'tiff', 'gif'] as const;

export function emptyFilters(): FilterState {
  return { folderId: null, takenFrom: '', takenTo: '', format: '', camera: '' };
}

export function initialQueryState(): QueryState {
  return { text: '', photos: [], images: [], textWeight: 0.5, filters: emptyFilters(), sort: 'relevance', relevantOnly: true };
}

export function hasText(state: QueryState): boolean {
  return state.text.trim() !== '';
}

export function hasExamples(state: QueryState): boolean {
  return state.photos.length > 0 || state.images.length > 0;
}

/** No text and no examples: the whole library, newest first (filters may still narrow it). */
export function isBrowsing(state: QueryState): boolean {
  return !hasText(state) && !hasExamples(state);
}

/** Whether the weight slider means anything: text and at least one example photo or image. */
export function isComposed(state: QueryState): boolean {
  return hasText(state) && hasExamples(state);
}

const DATE_PREFIX = /^\d{4}(-\d{2}(-\d{2})?)?$/;

export function activeFilterCount(filters: FilterState): number {
  return [
    filters.folderId !== null,
    DATE_PREFIX.test(filters.takenFrom.trim()),
    DATE_PREFIX.test(filters.takenTo.trim()),
    filters.format !== '',
    filters.camera.trim() !== '',
  ].filter(Boolean).length;
}

export function buildFilters(filters: FilterState): SearchFilters | undefined {
  const out: SearchFilters = {};
  if (filters.folderId !== null) out.folderIds = [filters.folderId];
  const from = filters.takenFrom.trim();
  const to = filters.takenTo.trim();
  // Half-typed dates are left out rather than sent for the engine to refuse.
  if (DATE_PREFIX.test(from)) out.takenFrom = from;
  if (DATE_PREFIX.test(to)) out.takenTo = to;
  if (filters.format) out.formats = [filters.format];
  const camera = filters.camera.trim();
  if (camera) out.camera = camera.slice(0, LIMITS.cameraLength);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The contract's query for the current state (without offset and limit, which belong to paging). */
export function buildSearchQuery(state: QueryState): SearchQuery {
  const query: SearchQuery = {};
  const text = state.text.trim();
  if (text) query.text = text.slice(0, LIMITS.queryLength);
  if (state.photos.length > 0) query.photoIds = state.photos.map((p) => p.id).slice(0, LIMITS.examplePhotos);
  if (state.images.length > 0) query.imageIds = state.images.map((i) => i.imageId).slice(0, LIMITS.uploadedImages);
  if (isComposed(state)) query.textWeight = Math.min(1, Math.max(0, state.textWeight));
  const filters = buildFilters(state.filters);
  if (filters) query.filters = filters;
  if (!state.relevantOnly && !isBrowsing(state)) query.relevantOnly = false;
  // Browsing is newest first by default; 'relevance' is the default for a search: only the others are sent.
  if (state.sort !== 'relevance') query.sort = state.sort;
  return query;
}

/** A stable identity for a query (keys sorted), to tell whether two queries would answer the same. */
export function queryKey(query: SearchQuery): string {
  return JSON.stringify(query, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
    }
    return value;
  });
}

/** New text: a new search, so the "weaker matches too" choice starts over. */
export function withText(state: QueryState, text: string): QueryState {
  if (text.trim() === state.text.trim()) return { ...state, text };
  return { ...state, text, relevantOnly: true };
}

/** Adds an example photo (at most once). */
export function withPhoto(state: QueryState, photo: PhotoExample): QueryState {
  if (state.photos.some((p) => p.id === photo.id)) return state;
  return { ...state, photos: [...state.photos, { id: photo.id, name: photo.name }], relevantOnly: true };
}

export function withoutPhoto(state: QueryState, id: number): QueryState {
  return { ...state, photos: state.photos.filter((p) => p.id !== id), relevantOnly: true };
}

export function withImage(state: QueryState, image: ImageExample): QueryState {
  return { ...state, images: [...state.images.filter((i) => i.imageId !== image.imageId), image], relevantOnly: true };
}

export function withoutImage(state: QueryState, imageId: string): QueryState {
  return { ...state, images: state.images.filter((i) => i.imageId !== imageId), relevantOnly: true };
}

/** "Find similar": this photo alone, text cleared, filters kept. */
export function similarTo(state: QueryState, photo: PhotoExample): QueryState {
  return { ...state, text: '', photos: [{ id: photo.id, name: photo.name }], images: [], sort: 'relevance', relevantOnly: true };
}

export interface EmptyMessage {
  title: string;
  hint: string;
}

/** Plain-language copy for a search that found nothing. */
export function emptyMessage(state: QueryState): EmptyMessage {
  const filtered = activeFilterCount(state.filters) > 0;
  const text = state.text.trim();
  const clearFilters = filtered ? ' or clear the filters' : '';
  if (text && hasExamples(state)) {
    return { title: `No photos match '${text}' together with the example.`, hint: `Move the slider towards the photo, try fewer words${clearFilters}.` };
  }
  if (text) {
    const words = text.split(/\s+/).length;
    const hint = words > 1 ? `Try fewer words${clearFilters}.` : `Try another word${clearFilters}.`;
    return { title: `No photos match '${text}'.`, hint };
  }
  if (hasExamples(state)) {
    return { title: 'No similar photos found.', hint: filtered ? 'Clear the filters to look in the whole library.' : 'Try another photo.' };
  }
  if (filtered) return { title: 'No photos match these filters.', hint: 'Clear or widen the filters.' };
  return { title: 'No photos here yet.', hint: 'Photos appear as soon as they are indexed.' };
}
