/**
 * Plain data types that cross between the engine and the renderer. No functions, no classes, no Node types.
 * Request payload types are derived from their validators in payloads.ts and re-exported here; the types below are
 * replies and events, which the engine produces and nobody needs to validate.
 */
import type { Provider } from './payloads';

export type { Provider, SearchFilters, SearchQuery, SearchSort, Settings, SettingsPatch, UploadImageRequest } from './payloads';

export type EngineMode = 'electron' | 'web' | 'cli';

export interface RuntimeStatus {
  /** The provider the image tower actually runs on (null until it is loaded). */
  provider: Exclude<Provider, 'auto'> | null;
  /** What the user asked for. */
  requestedProvider: Provider;
  /** Why the provider in use is not the one asked for. */
  fallbackReason: string | null;
  intraOpThreads: number | null;
}

export type ModelState = 'available' | 'missing' | 'downloading' | 'failed';

export interface ModelStatus {
  /** Manifest id, or the folder's name for a model given as a directory. */
  id: string;
  name: string;
  state: ModelState;
  /** Bytes received and expected while downloading. */
  receivedBytes: number | null;
  totalBytes: number | null;
  /** Human-readable reason when state is 'failed' or 'missing'. */
  reason: string | null;
}

export interface AppStatus {
  app: { name: string; version: string };
  engine: { mode: EngineMode; state: 'starting' | 'ready' | 'error'; error: string | null };
  model: ModelStatus;
  runtime: RuntimeStatus;
}

export interface ModelProgress {
  id: string;
  state: ModelState;
  receivedBytes: number;
  totalBytes: number | null;
  bytesPerSecond: number;
}

/** Live indexing state, sent as the `indexing.progress` event (throttled) and answered by `indexing.status`. */
export interface IndexingProgress {
  state: 'idle' | 'running' | 'paused';
  /** Photos waiting to be embedded by the active model. */
  pending: number;
  /** Photos searchable with the active model. */
  indexed: number;
  /** Photos that could not be read, each with a reason (see library failures). */
  failed: number;
  /** Photos finished (indexed or failed) since the indexer started. */
  processedThisRun: number;
  /** Photos per second over the last few seconds. */
  ratePerSecond: number;
  /** Seconds until the queue is empty at the current rate; null when unknown or idle. */
  etaSeconds: number | null;
}

export type WatchMode = 'watching' | 'polling' | 'manual';

export interface FolderStatus {
  id: number;
  path: string;
  /** How changes are noticed: OS events, polling (after the OS watch limit was hit), or not at all. */
  mode: WatchMode;
  /** Why the mode is not 'watching' (e.g. the inotify limit), or the folder's last error. */
  reason: string | null;
  scanning: boolean;
  photos: number;
  indexed: number;
  pending: number;
  failed: number;
}

export interface PhotoFailure {
  photoId: number;
  path: string;
  reason: string;
}

/** What a photo looks like in a result grid. `name` is the file name (the image's accessible name). */
export interface PhotoSummary {
  id: number;
  folderId: number;
  path: string;
  name: string;
  width: number | null;
  height: number | null;
  /** EXIF wall-clock time, ISO 8601 (see the catalog). */
  takenAt: string | null;
  format: string | null;
  /** File modification time, ms since the epoch (the date shown when EXIF has none). */
  mtimeMs: number;
}

export interface PhotoDetails extends PhotoSummary {
  size: number;
  cameraMake: string | null;
  cameraModel: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
  /** Caption embedded in the file (EXIF ImageDescription, XMP/IPTC). */
  description: string | null;
  keywords: string | null;
  /** The user's own note. */
  note: string | null;
  state: 'pending' | 'indexed' | 'failed';
  failureReason: string | null;
}

export interface SearchHit {
  photo: PhotoSummary;
  /** Cosine similarity to the query (for browsing: null). */
  score: number | null;
  /** 0..1 strength for a relevance indicator: where the score sits between the cut-off and the best score. */
  relevance: number | null;
  /** Near-duplicates of this photo hidden behind it (grouped results). */
  duplicateIds: number[];
}

export interface SearchResult {
  hits: SearchHit[];
  /** Results in the relevant set found so far (all pages). */
  total: number;
  /**
   * False when the search stopped at its depth while results were still relevant: asking for a later page (or a
   * date sort) searches deeper and may find more. At most 1000 results per query.
   */
  complete: boolean;
  offset: number;
  /** The score below which results were cut, and why. null when browsing. */
  cutoff: { score: number; reason: 'distribution' | 'threshold' } | null;
  /** How the text was read: the positive and negative terms. */
  terms: { text: string; weight: number }[];
  tookMs: number;
}

export interface UploadedImage {
  imageId: string;
  width: number;
  height: number;
}

export interface Caption {
  caption: string;
  probability: number;
  /** Built-in bank, the user's labels, or a past query. */
  source: 'bank' | 'label' | 'query';
}

export interface LibraryChange {
  /** Photos that became searchable, or left the library, since the last event. */
  added: number;
  removed: number;
}
