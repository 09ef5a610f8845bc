import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { LibraryChange, PhotoSummary, SearchFilters, SearchHit, SearchQuery, SearchResult, Settings, UploadedImage } from '@shared/types';
import { errorMessage } from '@shared/errors';
import type { Catalog, CatalogChange } from '../catalog/catalog';
import { dot } from '../math/vectors';
import { toSummary } from '../photos/photo-summary';
import type { PreparedImage } from '../clip/preprocess';
import { prepareImage } from '../clip/preprocess';
import type { PreprocessConfig } from '../clip/preprocess-config';
import { PhotoTextVectors, REFERENCE_CAPTIONS, type TextEmbedder } from './photo-text';
import { QueryError, parseQuery, type QueryTerm } from './query-parser';
import { GROUP_WINDOW, diversify, groupNearDuplicates, type Grouped, type Ranked } from './variety';
import { RowMatrix } from './dense-wasm';
import { scoreStats, unitCopy, weightedUnitSum } from './vector-math';
import { VectorIndex, catalogVectorSource, type VectorIndexOptions, type VectorSource } from './index/index';

/*
 * Text -> photos, photo -> photos and composed queries over the active model's vectors.
 *
 * A query becomes one unit vector: text terms (with +/- arithmetic, see query-parser.ts) summed by weight, example
 * photos and uploaded images averaged, and the two mixed by `textWeight`. The vector index (vector-index.ts) gives
 * the nearest photos with exact cosines; then:
 * - Relevance cut-off. Scores mean different things for different queries ('dog' tops out near 0.32 with CLIP
 *   ViT-B/32, 'a receipt' near 0.28), so the cut is relative: from a fixed random sample of the library's vectors
 *   the query's score distribution (mean, std) is estimated, and results need mean + CUTOFF_Z * std. The user's
 *   threshold (settings) is a floor on top. With fewer than MIN_SAMPLE photos the distribution says nothing and
 *   only the floor applies.
 * - Text fusion: photos with their own text (caption, keywords, note) score the average of two standardised
 *   similarities, to the image and to the text, mapped back to the image scale. Averaging raw cosines of the
 *   normalised embeddings would put every captioned photo above every other: text-to-text cosines run about twice
 *   text-to-image ones (CLIP's modality gap). Text queries only.
 * - Near-duplicates grouped and optional MMR re-ranking (variety.ts), then sort and paging.
 * The ranked list of a query is cached, so paging and re-sorting do not search again; any catalog change clears it.
 */

export interface SearchModel extends TextEmbedder {
  embedImages(images: readonly PreparedImage[]): Promise<Float32Array[]>;
  readonly preprocess: PreprocessConfig;
}

/** Past queries join Describe's caption bank; the text population calibrates fused text scores. */
export interface QueryHistorySink {
  recordQuery(text: string): void;
  /** A population of caption vectors (unit length) to standardise text-to-text scores. */
  textPopulation?(): RowMatrix | undefined;
}

export interface SearchServiceOptions {
  /** Its repositories, its change events and its file (for the worker that builds the index). */
  catalog: Catalog;
  model: SearchModel;
  /** The catalog's id for this model's vectors. */
  modelId: string;
  dim: number;
  /** Folder for the index's cache files; none keeps it in memory only. */
  cacheDir?: string;
  settings: () => Settings;
  history?: QueryHistorySink;
  /** Photos became searchable or left (throttled to one call per CHANGE_EVENT_MS). */
  onLibraryChange?: (change: LibraryChange) => void;
  index?: Omit<VectorIndexOptions, 'file'>;
  /** Electron's build of better-sqlite3, for the worker that builds the index (see VectorIndex.openInBackground). */
  nativeBinding?: string;
  /** A text query is recorded in the history once no other text query followed it for this long. */
  historyDelayMs?: number;
}

/** Standard deviations above the query's mean score a result needs (see the note at the top). */
export const CUTOFF_Z = 2.0;
export const MIN_SAMPLE = 30;
/** Below this spread of scores over the sample, the query tells photos apart no better than chance. */
const FLAT_STD = 1e-4;
/** Library vectors the score distribution is estimated from (the std's standard error is ~2% at 1024). */
export const SAMPLE_SIZE = 1024;
/** Most results a query returns (all pages together). */
export const MAX_RESULTS = 1000;
/**
 * A first page needs fewer candidates: a relevance-sorted request for at most FIRST_TIER_NEED results searches a
 * quarter deeper than it asks (at least FIRST_TIER_MIN), and twice as deep again while near-duplicate grouping
 * leaves fewer than asked for; anything more searches MAX_RESULTS deep. (The index's cost grows with the depth:
 * it re-ranks ~16 candidates per result.)
 */
const FIRST_TIER_NEED = 100;
const FIRST_TIER_MIN = 32;
export const DEFAULT_LIMIT = 100;
export const DEFAULT_TEXT_WEIGHT = 0.5;
const TEXT_CACHE = 512;
const RESULT_CACHE = 16;
const UPLOAD_CACHE = 32;
const MAX_UPLOAD_BYTES = 48 * 1024 * 1024;
const CHANGE_EVENT_MS = 500;
const SAVE_DELAY_MS = 30_000;

interface RankedList {
  entries: Grouped[];
  /** How many candidates the search asked the index for. */
  depth: number;
  /** False when the search stopped at its depth while results were still above the cut-off. */
  complete: boolean;
  cutoff: SearchResult['cutoff'];
  terms: SearchResult['terms'];
}

interface Uploaded {
  vector: Float32Array;
  width: number;
  height: number;
}

export class SearchService {
  private index: VectorIndex | null = null;
  private opening: Promise<VectorIndex | null> | null = null;
  /** Changes told while the index was being opened, applied again once it is (add and remove are idempotent). */
  private missed: CatalogChange[] = [];
  private readonly abort = new AbortController();
  private source: VectorSource | null = null;
  private reconcileNeeded = false;
  private readonly photoText: PhotoTextVectors;
  private sample: { matrix: RowMatrix; basedOn: number } | null = null;
  private reference: RowMatrix | null = null;
  private readonly textCache = new Map<string, Float32Array>();
  private readonly results = new Map<string, RankedList>();
  private readonly uploads = new Map<string, Uploaded>();
  private pendingChange: LibraryChange = { added: 0, removed: 0 };
  private changeTimer: NodeJS.Timeout | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private historyTimer: NodeJS.Timeout | null = null;
  private lastQuery: string | null = null;
  private textSyncTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly options: SearchServiceOptions) {
    this.photoText = new PhotoTextVectors(options.catalog.photoTextVectors, options.model, options.modelId, options.dim);
    this.unsubscribe = options.catalog.onChange((change) => this.onCatalogChange(change));
  }

  // ---- queries ---------------------------------------------------------------------------------------------

  async search(query: SearchQuery): Promise<SearchResult> {
    const started = performance.now();
    const settings = this.options.settings();
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_LIMIT;
    const sort = query.sort ?? 'relevance';
    const text = query.text?.trim() ?? '';

    if (isBrowse(query)) {
      return browseLibrary(this.options.catalog, query);
    }

    const terms = text === '' ? [] : parseQuery(text);
    const needed = offset + limit;
    const depth = sort !== 'relevance' || needed > FIRST_TIER_NEED ? MAX_RESULTS : Math.max(FIRST_TIER_MIN, Math.ceil(1.25 * needed));
    let list = await this.ranked(query, terms, settings, depth);
    while (!list.complete && list.entries.length < needed && list.depth < MAX_RESULTS) {
      list = await this.ranked(query, terms, settings, Math.min(MAX_RESULTS, 2 * list.depth));
    }
    if (text !== '' && offset === 0) this.recordLater(text);

    let entries = list.entries;
    if (sort !== 'relevance') entries = this.sortByDate(entries, sort);
    const page = entries.slice(offset, offset + limit);
    const best = list.entries[0]?.score ?? 0;
    const floor = list.cutoff?.score ?? Math.min(...list.entries.map((e) => e.score), best);
    const photos = this.summaries(page.map((e) => e.photoId));
    const hits: SearchHit[] = [];
    for (const entry of page) {
      const photo = photos.get(entry.photoId);
      if (!photo) continue; // left the library since the list was made
      const relevance = best > floor ? clamp01((entry.score - floor) / (best - floor)) : 1;
      hits.push({ photo, score: entry.score, relevance, duplicateIds: entry.duplicateIds });
    }
    return {
      hits,
      total: entries.length,
      complete: list.complete,
      offset,
      cutoff: list.cutoff,
      terms: list.terms,
      tookMs: performance.now() - started,
    };
  }

  /** Embeds an external image for queries; it is not added to the library. */
  async upload(data: Buffer): Promise<UploadedImage> {
    if (data.byteLength === 0) throw new Error('the image is empty');
    if (data.byteLength > MAX_UPLOAD_BYTES) throw new Error(`the image is larger than ${MAX_UPLOAD_BYTES >> 20} MB`);
    const prepared = await prepareImage(data, this.options.model.preprocess);
    const [vector] = await this.options.model.embedImages([prepared]);
    const imageId = randomBytes(12).toString('base64url');
    this.uploads.set(imageId, { vector: vector!, width: prepared.sourceWidth, height: prepared.sourceHeight });
    while (this.uploads.size > UPLOAD_CACHE) this.uploads.delete(this.uploads.keys().next().value!);
    return { imageId, width: prepared.sourceWidth, height: prepared.sourceHeight };
  }

  /** The stored vector of a library photo, or an uploaded image's. */
  vectorOf(target: { photoId: number } | { imageId: string }): Float32Array {
    if ('imageId' in target) {
      const upload = this.uploads.get(target.imageId);
      if (!upload) throw new Error('that image is no longer available; drop it again');
      return upload.vector;
    }
    const vector = this.options.catalog.embeddings.get(this.options.modelId, target.photoId);
    if (!vector) {
      const photo = this.options.catalog.photos.get(target.photoId);
      throw new Error(photo ? `${path.basename(photo.path)} is not indexed yet` : `no photo with id ${target.photoId}`);
    }
    return vector;
  }

  /** The query vector for text terms (each term embedded once, then cached). */
  async textVector(terms: readonly QueryTerm[]): Promise<Float32Array> {
    const missing = [...new Set(terms.map((t) => t.text))].filter((t) => !this.textCache.has(t));
    if (missing.length > 0) {
      const vectors = await this.options.model.embedTexts(missing);
      missing.forEach((t, i) => this.textCache.set(t, vectors[i]!));
      while (this.textCache.size > TEXT_CACHE) this.textCache.delete(this.textCache.keys().next().value!);
    }
    return weightedUnitSum(terms.map((t) => ({ vector: this.touch(this.textCache, t.text)!, weight: t.weight })));
  }

  // ---- ranking ---------------------------------------------------------------------------------------------

  private async ranked(query: SearchQuery, terms: QueryTerm[], settings: Settings, depth: number): Promise<RankedList> {
    const useText = query.useText ?? settings.textFusion;
    const groupDuplicates = query.groupDuplicates ?? settings.groupDuplicates;
    const wantVariety = query.diversify ?? settings.diversify;
    const threshold = query.threshold ?? settings.threshold;
    const relevantOnly = query.relevantOnly ?? true;
    const key = JSON.stringify([
      relevantOnly,
      terms,
      query.photoIds ?? [],
      query.imageIds ?? [],
      query.textWeight ?? DEFAULT_TEXT_WEIGHT,
      query.filters ?? {},
      threshold,
      useText,
      groupDuplicates,
      wantVariety,
    ]);
    const cached = this.results.get(key);
    if (cached && (cached.complete || cached.depth >= depth)) return this.touch(this.results, key)!;

    const q = await this.queryVector(query, terms);
    const index = await this.openIndex();
    const exclude = new Set(query.photoIds ?? []);
    const allowed = this.allowedIds(query.filters);
    let hits: Ranked[] = [];
    if (index && index.size > 0) {
      hits = index.search(q, depth + exclude.size, {
        ...(allowed ? { allowed } : {}),
        ...(exclude.size > 0 ? { filter: (id: number) => !exclude.has(id) } : {}),
      });
    }
    // Fewer than asked for: the index has nothing more to give.
    const exhausted = hits.length < depth + exclude.size;

    const sample = this.scoreSample();
    const stats = sample && sample.rows >= MIN_SAMPLE ? scoreStats(q, sample) : null;
    const imageOnly = (query.photoIds?.length ?? 0) + (query.imageIds?.length ?? 0) === 0;
    if (useText && imageOnly && stats && this.photoText.size > 0) hits = this.fuse(q, hits, stats, await this.textPopulation(), allowed, exclude);

    // A query whose scores do not vary at all (text the model cannot read) picks nothing out: nothing is relevant.
    const flat = stats !== null && stats.std < FLAT_STD;
    const distributionCut = stats && relevantOnly ? (flat ? Infinity : stats.mean + CUTOFF_Z * stats.std) : -Infinity;
    const cut = Math.max(distributionCut, threshold);
    const cutoff: SearchResult['cutoff'] = cut > -1
      ? { score: Number.isFinite(cut) ? cut : 1, reason: distributionCut >= threshold ? 'distribution' : 'threshold' }
      : null;
    const kept = hits.filter((h) => h.score >= cut);
    // Complete when the list ends below the cut-off (nothing further can be relevant) or the index ran out.
    const complete = kept.length < hits.length || exhausted;

    let entries: Grouped[] = kept.map((h) => ({ ...h, duplicateIds: [] }));
    if (groupDuplicates || wantVariety) {
      // Everything a first page searched is grouped; a deeper list (up to MAX_RESULTS) groups its first GROUP_WINDOW.
      const window = Math.min(depth, GROUP_WINDOW);
      const vectors = this.vectorsOf(kept.slice(0, window).map((h) => h.photoId));
      if (groupDuplicates) entries = groupNearDuplicates(kept, vectors, undefined, window);
      if (wantVariety) entries = diversify(entries, vectors);
    }
    const list: RankedList = {
      entries,
      depth,
      complete,
      cutoff,
      terms: terms.map((t) => ({ text: t.text, weight: t.weight })),
    };
    this.results.set(key, list);
    while (this.results.size > RESULT_CACHE) this.results.delete(this.results.keys().next().value!);
    return list;
  }

  private async queryVector(query: SearchQuery, terms: QueryTerm[]): Promise<Float32Array> {
    const examples = [
      ...(query.photoIds ?? []).map((photoId) => this.vectorOf({ photoId })),
      ...(query.imageIds ?? []).map((imageId) => this.vectorOf({ imageId })),
    ];
    const text = terms.length > 0 ? await this.textVector(terms) : null;
    const image = examples.length > 0 ? weightedUnitSum(examples.map((vector) => ({ vector, weight: 1 }))) : null;
    if (text && image) {
      const w = query.textWeight ?? DEFAULT_TEXT_WEIGHT;
      if (w <= 0) return image;
      if (w >= 1) return text;
      return weightedUnitSum([
        { vector: image, weight: 1 - w },
        { vector: text, weight: w },
      ]);
    }
    return (text ?? image)!;
  }

  /**
   * Replaces the scores of photos with text by fused ones, and brings in captioned photos the image search missed
   * (their caption may match where the pixels did not).
   */
  private fuse(
    q: Float32Array,
    hits: Ranked[],
    image: { mean: number; std: number },
    population: RowMatrix,
    allowed: ReadonlySet<number> | undefined,
    exclude: ReadonlySet<number>,
  ): Ranked[] {
    if (population.rows < MIN_SAMPLE || image.std === 0) return hits;
    const text = scoreStats(q, population);
    if (text.std === 0) return hits;
    const ids = Array.from(this.photoText.photoIds()).filter((id) => !exclude.has(id) && (!allowed || allowed.has(id)));
    const vectors = this.vectorsOf(ids);
    const fused = new Map<number, number>();
    for (const id of ids) {
      const v = vectors.get(id);
      const t = this.photoText.score(q, id);
      if (!v || t === undefined) continue;
      const s = dot(q, v);
      const z = ((s - image.mean) / image.std + (t - text.mean) / text.std) / 2;
      fused.set(id, image.mean + z * image.std);
    }
    const merged = hits.filter((h) => !fused.has(h.photoId));
    for (const [photoId, score] of fused) merged.push({ photoId, score });
    return merged.sort((a, b) => b.score - a.score);
  }

  /** Captions to standardise text-to-text scores against: Describe's bank when ready, else REFERENCE_CAPTIONS. */
  private async textPopulation(): Promise<RowMatrix> {
    const bank = this.options.history?.textPopulation?.();
    if (bank && bank.rows >= MIN_SAMPLE) return bank;
    if (!this.reference) {
      const vectors = await this.options.model.embedTexts(REFERENCE_CAPTIONS);
      const matrix = new RowMatrix(this.options.dim, vectors.length);
      vectors.forEach((v, i) => matrix.set(i, unitCopy(v)));
      this.reference = matrix;
    }
    return this.reference;
  }

  private allowedIds(filters: SearchFilters | undefined): Set<number> | undefined {
    const ids = this.options.catalog.photoQueries.indexedIdsMatching(filters);
    return ids ? new Set(ids) : undefined;
  }

  // ---- browsing and dates -------------------------------------------------------------------------------------

  private sortByDate(entries: Grouped[], sort: 'date-desc' | 'date-asc'): Grouped[] {
    const keys = this.options.catalog.photoQueries.dateKeys(entries.map((e) => e.photoId));
    const direction = sort === 'date-asc' ? 1 : -1;
    return [...entries].sort((a, b) => direction * ((keys.get(a.photoId) ?? '').localeCompare(keys.get(b.photoId) ?? '') || a.photoId - b.photoId));
  }

  private summaries(ids: readonly number[]): Map<number, PhotoSummary> {
    return new Map(this.options.catalog.photos.getByIds(ids).map((p) => [p.id, toSummary(p)]));
  }

  // ---- the index and its statistics ------------------------------------------------------------------------

  /**
   * The index, opened on first use: from its cache file when that matches the catalog (fast), else built in a
   * worker thread so this thread keeps answering requests (a build takes minutes on a large library; see
   * `npm run bench -- search`). Null while the model has no vectors at all.
   */
  private async openIndex(): Promise<VectorIndex | null> {
    if (this.closed) return null;
    if (!this.index) {
      if (!this.options.catalog.embeddings.getModel(this.options.modelId)) return null;
      this.opening ??= this.openInBackground().finally(() => (this.opening = null));
      const index = await this.opening;
      if (!index || this.closed) return null;
      if (!this.index) {
        this.index = index;
        for (const change of this.missed.splice(0)) this.apply(change);
      }
    }
    if (this.reconcileNeeded) {
      this.reconcileNeeded = false;
      this.index.reconcile();
      this.scheduleSave();
    }
    return this.index;
  }

  private async openInBackground(): Promise<VectorIndex | null> {
    const source = catalogVectorSource(this.options.catalog, this.options.modelId);
    this.source = source;
    const file = this.cacheFile();
    const options = { ...this.options.index, ...(file ? { file } : {}) };
    if (file && source.stamp?.() !== undefined) {
      try {
        return await VectorIndex.openInBackground(source, {
          ...options,
          file,
          catalogFile: this.options.catalog.file,
          modelId: this.options.modelId,
          signal: this.abort.signal,
          ...(this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : {}),
        });
      } catch (error) {
        if (this.closed) return null;
        console.error(`shoebox: building the search index in the background failed (${errorMessage(error)}); building it here`);
      }
    }
    return VectorIndex.open(source, options);
  }

  /**
   * Opens the index now (at start, so the first query does not wait for it) and catches up photo texts. With
   * `text`, also loads the text tower and runs one query through it: that first run is much slower than the
   * next ones, and the user's first search should not pay for it.
   */
  async warmUp(options: { text?: boolean } = {}): Promise<void> {
    const index = await this.openIndex();
    await index?.startHelpers();
    await this.photoText.sync();
    if (options.text) await this.options.model.embedTexts(['a photo']);
  }

  private cacheFile(): string | undefined {
    if (!this.options.cacheDir) return undefined;
    mkdirSync(this.options.cacheDir, { recursive: true });
    return path.join(this.options.cacheDir, `${this.options.modelId.replace(/[^A-Za-z0-9._-]/g, '_')}.index`);
  }

  /** A random sample of the library's vectors, refreshed as the library grows or shrinks by a quarter. */
  private scoreSample(): RowMatrix | null {
    const index = this.index;
    if (!index || !this.source) return null;
    const size = index.size;
    const stale = !this.sample || (size <= SAMPLE_SIZE ? size !== this.sample.basedOn : Math.abs(size - this.sample.basedOn) > this.sample.basedOn / 4);
    if (stale) {
      const ids = Array.from(this.source.ids ? this.source.ids() : []);
      for (let i = ids.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [ids[i], ids[j]] = [ids[j]!, ids[i]!];
      }
      const chosen = ids.slice(0, SAMPLE_SIZE);
      const vectors = this.vectorsOf(chosen);
      const matrix = new RowMatrix(this.options.dim, vectors.size);
      let row = 0;
      for (const vector of vectors.values()) matrix.set(row++, vector);
      this.sample = { matrix, basedOn: size };
    }
    return this.sample?.matrix ?? null;
  }

  /** Stored vectors of photos, from the index's vector file (a few microseconds each). */
  private vectorsOf(ids: readonly number[]): Map<number, Float32Array> {
    if (ids.length === 0 || !this.index) return new Map();
    return this.index.vectors(ids);
  }

  // ---- keeping up with the catalog ---------------------------------------------------------------------------

  private onCatalogChange(change: CatalogChange): void {
    if (this.closed) return;
    if (change.kind === 'vectors' && change.modelId !== this.options.modelId) return;
    this.results.clear();
    if (!this.index && this.opening) this.missed.push(change);
    const counts = this.apply(change);
    this.announce(counts);
    if (change.kind === 'vectors') this.syncTextsSoon();
    else this.photoText.load();
    this.scheduleSave();
  }

  /** Brings the index in step with one change; returns what it added and removed. */
  private apply(change: CatalogChange): LibraryChange {
    const index = this.index;
    if (change.kind === 'vectors') {
      if (index) for (const { photoId, vector } of change.entries) index.add(photoId, vector);
      return { added: change.entries.length, removed: 0 };
    }
    if (change.kind === 'deleted') {
      if (!index) return { added: 0, removed: change.photoIds.length };
      let removed = 0;
      for (const id of change.photoIds) removed += index.remove(id) ? 1 : 0;
      return { added: 0, removed };
    }
    if (!index) {
      this.reconcileNeeded = true;
      return { added: 0, removed: 0 };
    }
    const before = index.size;
    index.reconcile();
    return { added: 0, removed: Math.max(0, before - index.size) };
  }

  /** A photo's own text changed (a note): embed it again. */
  textChanged(): Promise<number> {
    this.results.clear();
    return this.photoText.sync();
  }

  private syncTextsSoon(): void {
    if (this.textSyncTimer) return;
    this.textSyncTimer = setTimeout(() => {
      this.textSyncTimer = null;
      void this.photoText.sync().catch(() => undefined); // retried on the next change
    }, 1000);
    this.textSyncTimer.unref();
  }

  private announce(change: LibraryChange): void {
    this.pendingChange = { added: this.pendingChange.added + change.added, removed: this.pendingChange.removed + change.removed };
    if (this.changeTimer || !this.options.onLibraryChange) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      const pending = this.pendingChange;
      this.pendingChange = { added: 0, removed: 0 };
      this.options.onLibraryChange?.(pending);
    }, CHANGE_EVENT_MS);
    this.changeTimer.unref();
  }

  private scheduleSave(): void {
    if (this.saveTimer || !this.options.cacheDir) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.saveIndex();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  private saveIndex(): void {
    try {
      if (this.index && this.options.cacheDir) this.index.save();
    } catch (error) {
      // The cache is an optimisation: the next start rebuilds from the catalog.
      console.error(`shoebox: could not save the search index: ${errorMessage(error)}`);
    }
  }

  private recordLater(text: string): void {
    if (!this.options.history) return;
    this.lastQuery = text;
    if (this.historyTimer) clearTimeout(this.historyTimer);
    // Search-as-you-type sends every prefix; only the query the user settled on is worth remembering.
    this.historyTimer = setTimeout(() => {
      this.historyTimer = null;
      this.lastQuery = null;
      this.options.history?.recordQuery(text);
    }, this.options.historyDelayMs ?? 2000);
    this.historyTimer.unref();
  }

  private touch<V>(map: Map<string, V>, key: string): V | undefined {
    const value = map.get(key);
    if (value !== undefined) {
      map.delete(key);
      map.set(key, value);
    }
    return value;
  }

  close(): void {
    if (this.closed) return;
    for (const timer of [this.changeTimer, this.historyTimer, this.textSyncTimer]) if (timer) clearTimeout(timer);
    // The last query is kept even when the app closes right after it.
    if (this.historyTimer && this.lastQuery) this.options.history?.recordQuery(this.lastQuery);
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveIndex();
    }
    this.unsubscribe();
    this.closed = true;
    this.abort.abort();
    this.index?.close();
    this.index = null;
  }
}

export { QueryError };

/** True when the query asks for nothing in particular: the whole library, by date. */
export function isBrowse(query: SearchQuery): boolean {
  return (query.text?.trim() ?? '') === '' && (query.photoIds?.length ?? 0) === 0 && (query.imageIds?.length ?? 0) === 0;
}

/**
 * Browsing: the library's indexed photos (filtered) by date, newest first unless asked otherwise. No model needed,
 * only the catalog's photo repositories.
 */
export function browseLibrary(catalog: Pick<Catalog, 'photos' | 'photoQueries'>, query: SearchQuery): SearchResult {
  const started = performance.now();
  const offset = query.offset ?? 0;
  const limit = query.limit ?? DEFAULT_LIMIT;
  const total = catalog.photoQueries.countBrowsable(query.filters);
  const ids = catalog.photoQueries.browsableIds(query.filters, query.sort === 'date-asc' ? 'date-asc' : 'date-desc', limit, offset);
  const photos = new Map(catalog.photos.getByIds(ids).map((p) => [p.id, toSummary(p)]));
  const hits = ids.flatMap((id) => {
    const photo = photos.get(id);
    return photo ? [{ photo, score: null, relevance: null, duplicateIds: [] }] : [];
  });
  return { hits, total, complete: true, offset, cutoff: null, terms: [], tookMs: performance.now() - started };
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
