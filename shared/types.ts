/** Plain data types that cross between the engine and the renderer. No functions, no classes, no Node types. */

export type EngineMode = 'electron' | 'web' | 'cli';

export interface RuntimeStatus {
  /** The provider the image tower actually runs on (null until it is loaded). */
  provider: 'cpu' | 'cuda' | null;
  /** What the user asked for. */
  requestedProvider: 'auto' | 'cpu' | 'cuda';
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
