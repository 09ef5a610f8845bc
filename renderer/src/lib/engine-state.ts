import type { ShoeboxClient } from '@shared/contract';
import { errorMessage } from '@shared/errors';
import type { AppStatus, FolderStatus, IndexingProgress, ModelProgress } from '@shared/types';
import { debounce, type Debounced } from './debounce';

/** What the app knows about the engine, kept current by its events. Replaced whole on every change. */
export interface EngineSnapshot {
  /** Null until the engine first answers. */
  status: AppStatus | null;
  /** The engine could not be reached at all. */
  engineError: string | null;
  /** The model download's progress, once one has started. */
  download: ModelProgress | null;
  /** Null until listed. */
  folders: FolderStatus[] | null;
  progress: IndexingProgress | null;
}

export interface EngineStateOptions {
  /** Photos were indexed or removed: the results should be asked for again. */
  onLibraryChanged: () => void;
  /** A failure to tell the user about. */
  onError: (message: string) => void;
  /** Quiet time between folder reloads while indexing runs. */
  folderReloadMs?: number;
}

/**
 * The engine's status, model download, folders and indexing progress in one place, and the one subscriber to the
 * engine's events. Plain TypeScript with a change listener, so components only render the snapshot.
 */
export class EngineState {
  private current: EngineSnapshot = { status: null, engineError: null, download: null, folders: null, progress: null };
  private readonly listeners = new Set<(snapshot: EngineSnapshot) => void>();
  /** Folder counts change as photos are indexed; the engine's folder event covers scans, so ask (at most 2/s). */
  private readonly reloadFolders: Debounced<[]>;

  constructor(
    private readonly client: ShoeboxClient,
    private readonly options: EngineStateOptions,
  ) {
    this.reloadFolders = debounce(() => {
      client.api['library.folders'](undefined).then(
        (folders) => this.set({ folders }),
        () => undefined,
      );
    }, options.folderReloadMs ?? 500);
  }

  get snapshot(): EngineSnapshot {
    return this.current;
  }

  onChange(listener: (snapshot: EngineSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribes to the engine's events and asks for its status; returns the function that stops it all. */
  start(): () => void {
    const offs = [
      this.client.on('app.status', (status) => this.setStatus(status)),
      this.client.on('model.progress', (download) => this.set({ download })),
      this.client.on('indexing.progress', (progress) => this.onProgress(progress)),
      this.client.on('library.folders', (folders) => this.set({ folders })),
      this.client.on('library.changed', () => this.options.onLibraryChanged()),
    ];
    this.client.api['app.status'](undefined).then(
      (status) => this.setStatus(status),
      (reason: unknown) => this.set({ engineError: errorMessage(reason) }),
    );
    return () => {
      for (const off of offs) off();
      this.reloadFolders.cancel();
    };
  }

  /** The model's state as a download request answered it. */
  setModel(model: AppStatus['model']): void {
    const { status } = this.current;
    if (status) this.set({ status: { ...status, model } });
  }

  folderAdded(folder: FolderStatus): void {
    this.set({ folders: [...(this.current.folders ?? []).filter((f) => f.id !== folder.id), folder] });
  }

  folderRemoved(id: number): void {
    this.set({ folders: (this.current.folders ?? []).filter((f) => f.id !== id) });
  }

  async pauseIndexing(): Promise<void> {
    try {
      this.set({ progress: await this.client.api['indexing.pause'](undefined) });
    } catch (reason) {
      this.options.onError(`Could not pause: ${errorMessage(reason)}`);
    }
  }

  async resumeIndexing(): Promise<void> {
    try {
      this.set({ progress: await this.client.api['indexing.resume'](undefined) });
    } catch (reason) {
      this.options.onError(`Could not resume: ${errorMessage(reason)}`);
    }
  }

  private setStatus(status: AppStatus): void {
    const first = this.current.status === null;
    this.set({ status });
    // Folders and indexing do not need the model: a library shows (browsing) while the model downloads.
    if (first) this.loadLibrary();
  }

  private loadLibrary(): void {
    this.client.api['library.folders'](undefined).then(
      (folders) => this.set({ folders }),
      (reason: unknown) => this.options.onError(`Could not list the folders: ${errorMessage(reason)}`),
    );
    this.client.api['indexing.status'](undefined).then(
      (progress) => this.set({ progress }),
      () => undefined,
    );
  }

  private onProgress(progress: IndexingProgress): void {
    const before = this.current.progress;
    this.set({ progress });
    if (!before || progress.indexed !== before.indexed || progress.failed !== before.failed || progress.pending !== before.pending) {
      this.reloadFolders();
    }
    // Newly indexed photos become searchable: a fallback for engines that do not send library.changed.
    if (before && progress.indexed !== before.indexed) this.options.onLibraryChanged();
  }

  private set(patch: Partial<EngineSnapshot>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) listener(this.current);
  }
}

/** Photos that could not be read: the indexer's count, else the folders' sum before it has reported. */
export function failedTotal(snapshot: Pick<EngineSnapshot, 'progress' | 'folders'>): number {
  return snapshot.progress?.failed ?? (snapshot.folders ?? []).reduce((sum, folder) => sum + folder.failed, 0);
}
