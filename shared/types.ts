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
