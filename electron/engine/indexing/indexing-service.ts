import type { IndexingProgress } from '@shared/types';
import type { Catalog } from '../catalog/catalog';
import type { Indexer } from './indexer';
import type { IndexScheduler } from './types';

/**
 * The indexer's lifecycle as the rest of the engine sees it. The library can schedule work before any model is
 * available (first run, model still downloading); the indexer is attached once one is, and picks that work up.
 */
export class IndexingService implements IndexScheduler {
  private indexer: Indexer | null = null;
  private paused = false;

  constructor(private readonly catalog: Catalog) {}

  /** Starts indexing with a ready model; pending work scheduled earlier is picked up at once. */
  attach(indexer: Indexer): void {
    this.indexer = indexer;
    if (this.paused) void indexer.pause();
    void indexer.start();
  }

  get attached(): boolean {
    return this.indexer !== null;
  }

  wake(): void {
    this.indexer?.wake();
  }

  cancelFolder(folderId: number): void {
    this.indexer?.cancelFolder(folderId);
  }

  pause(): IndexingProgress {
    this.paused = true;
    void this.indexer?.pause();
    return this.status();
  }

  resume(): IndexingProgress {
    this.paused = false;
    this.indexer?.resume();
    return this.status();
  }

  /** Queues failed photos again (after the user fixed a file, or a newer app reads a new format). */
  retryFailed(folderId?: number): IndexingProgress {
    if (this.catalog.photos.retryFailed(folderId) > 0) this.wake();
    return this.status();
  }

  status(): IndexingProgress {
    if (this.indexer) return this.indexer.progress();
    const counts = this.catalog.photos.counts();
    return {
      state: this.paused ? 'paused' : 'idle',
      pending: counts.pending,
      indexed: counts.indexed,
      failed: counts.failed,
      processedThisRun: 0,
      ratePerSecond: 0,
      etaSeconds: null,
    };
  }

  /** Finishes and saves the batch in progress (clean shutdown). */
  async stop(): Promise<void> {
    await this.indexer?.stop();
  }
}
