import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { OpenOptions, SqliteDatabase } from './database';
import { closeDatabase, integrityCheck, openDatabase, userVersion } from './database';
import { EmbeddingRepository } from './embedding-repository';
import type { OrphanVector, VectorEntry } from './embedding-repository';
import { FolderRepository } from './folder-repository';
import { LabelRepository } from './label-repository';
import { PhotoQueryRepository } from './photo-query-repository';
import { PhotoRepository } from './photo-repository';
import type { FileVersion, PhotoDetails } from './photo-repository';
import { PhotoTextVectorRepository } from './photo-text-vector-repository';
import { QueryHistoryRepository } from './query-history-repository';
import { SettingsRepository } from './settings-repository';
import { TextVectorRepository } from './text-vector-repository';

export const CATALOG_FILE_NAME = 'catalog.sqlite';

export interface CatalogOptions extends OpenOptions {
  /** Clock for added_at/updated_at columns (tests pin it). */
  now?: () => number;
}

export interface IndexedResult {
  photoId: number;
  vector: Float32Array;
  details: PhotoDetails;
  /** The file version that was read; if the file changed since, the result is dropped and the photo stays queued. */
  expected?: FileVersion;
}

export interface FailedResult {
  photoId: number;
  reason: string;
  expected?: FileVersion;
}

export interface SaveOutcome {
  /** Photo ids whose result was recorded. */
  saved: number[];
  /** Photo ids whose result was dropped: photo gone, no longer pending, file changed, or model no longer active. */
  skipped: number[];
}

/**
 * What changed in the catalog, for in-memory structures built from it (the search index). Told after the
 * transaction that made the change has committed.
 */
export type CatalogChange =
  | { kind: 'vectors'; modelId: string; entries: readonly VectorEntry[] }
  | { kind: 'deleted'; photoIds: readonly number[] }
  /** Photos left in bulk (a folder removed): the ids are not listed. */
  | { kind: 'folder-removed'; folderId: number };

/**
 * The catalog: one SQLite file with the library's folders, photos, vectors, texts and settings, behind small
 * repositories. Every SQL statement of the engine lives in this folder; services receive repositories.
 */
export class Catalog {
  readonly folders: FolderRepository;
  readonly photos: PhotoRepository;
  readonly embeddings: EmbeddingRepository;
  /** Filters, dates and pages by date, for search and browsing. */
  readonly photoQueries: PhotoQueryRepository;
  readonly photoTextVectors: PhotoTextVectorRepository;
  readonly textVectors: TextVectorRepository;
  readonly labels: LabelRepository;
  readonly queryHistory: QueryHistoryRepository;
  readonly settings: SettingsRepository;
  private readonly changeListeners = new Set<(change: CatalogChange) => void>();

  private constructor(readonly db: SqliteDatabase, now: () => number) {
    this.folders = new FolderRepository(db, now);
    this.photos = new PhotoRepository(db, now);
    this.embeddings = new EmbeddingRepository(db, now);
    this.photoQueries = new PhotoQueryRepository(db);
    this.photoTextVectors = new PhotoTextVectorRepository(db);
    this.textVectors = new TextVectorRepository(db);
    this.labels = new LabelRepository(db);
    this.queryHistory = new QueryHistoryRepository(db);
    this.settings = new SettingsRepository(db);
  }

  /** Opens or creates the catalog file and migrates it to the current schema. */
  static open(file: string, options: CatalogOptions = {}): Catalog {
    const { now = Date.now, ...openOptions } = options;
    return new Catalog(openDatabase(file, openOptions), now);
  }

  /** Opens `<dataDir>/catalog.sqlite`, creating the directory if needed. */
  static openInDataDir(dataDir: string, options: CatalogOptions = {}): Catalog {
    mkdirSync(dataDir, { recursive: true });
    return Catalog.open(path.join(dataDir, CATALOG_FILE_NAME), options);
  }

  /** Listens to changes (see CatalogChange); returns the unsubscribe function. */
  onChange(listener: (change: CatalogChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Tells listeners about a committed change; writers outside the catalog (the library) call it too. */
  changed(change: CatalogChange): void {
    for (const listener of this.changeListeners) listener(change);
  }

  /** The catalog file's path. */
  get file(): string {
    return this.db.name;
  }

  get schemaVersion(): number {
    return userVersion(this.db);
  }

  /**
   * Runs fn in one write transaction (BEGIN IMMEDIATE, so a second process waits instead of deadlocking);
   * rolled back if fn throws. fn must be synchronous: nothing may be awaited inside. Nests as a savepoint.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Records a batch of indexing results in ONE transaction: for each photo the vector is written and the state
   * flipped together, so after a crash a photo is either pending with no new vector or indexed with it.
   * Results for photos that are gone, no longer pending or changed since (see `expected`) are skipped, as are
   * vectors for a model that is no longer active (the photos stay pending for the new one).
   */
  saveResults(modelId: string, results: { indexed?: readonly IndexedResult[]; failed?: readonly FailedResult[] }): SaveOutcome {
    const vectors: VectorEntry[] = [];
    const saved = this.transaction(() => {
      const outcome: SaveOutcome = { saved: [], skipped: [] };
      const modelActive = this.embeddings.activeModel()?.id === modelId;
      for (const r of results.indexed ?? []) {
        // State first: only a photo this call actually flipped gets a vector.
        if (modelActive && this.photos.markIndexed(r.photoId, modelId, r.details, r.expected)) {
          vectors.push({ photoId: r.photoId, vector: r.vector });
          outcome.saved.push(r.photoId);
        } else {
          outcome.skipped.push(r.photoId);
        }
      }
      if (vectors.length > 0) this.embeddings.putMany(modelId, vectors);
      for (const r of results.failed ?? []) {
        (this.photos.markFailed(r.photoId, r.reason, r.expected) ? outcome.saved : outcome.skipped).push(r.photoId);
      }
      return outcome;
    });
    if (vectors.length > 0) this.changed({ kind: 'vectors', modelId, entries: vectors });
    return saved;
  }

  /** PRAGMA integrity_check; an empty list means the file is sound. */
  integrityCheck(): string[] {
    return integrityCheck(this.db);
  }

  /** Vectors without a photo row (see EmbeddingRepository.findOrphans). */
  findOrphans(): OrphanVector[] {
    return this.embeddings.findOrphans();
  }

  close(): void {
    closeDatabase(this.db);
  }
}
