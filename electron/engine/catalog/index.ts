export { Catalog, CATALOG_FILE_NAME } from './catalog';
export type { CatalogChange, CatalogOptions, FailedResult, IndexedResult, SaveOutcome } from './catalog';
export { CatalogTooNewError, NotACatalogError, closeDatabase, integrityCheck, latestVersion, migrate, openDatabase, userVersion } from './database';
export type { Migration, OpenOptions, SqliteDatabase } from './database';
export { MIGRATIONS } from './migrations';
export { FolderRepository } from './folder-repository';
export type { Folder, WatchMode } from './folder-repository';
export { PhotoRepository } from './photo-repository';
export type {
  Failure,
  FileVersion,
  FolderCounts,
  KnownFile,
  PendingPhoto,
  Photo,
  PhotoDetails,
  PhotoState,
  QueueCursor,
  ScanChange,
  ScanRecord,
  StateCounts,
} from './photo-repository';
export { EmbeddingRepository, MAX_K, normalize } from './embedding-repository';
export type { ModelInfo, ModelStatus, Neighbor, OrphanVector, VectorChunk, VectorEntry } from './embedding-repository';
