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
export { EmbeddingRepository, MAX_K } from './embedding-repository';
export type { ModelInfo, ModelStatus, Neighbor, OrphanVector, VectorChunk, VectorEntry } from './embedding-repository';
export { LabelRepository } from './label-repository';
export { QueryHistoryRepository } from './query-history-repository';
export { TextVectorRepository } from './text-vector-repository';
export type { StoredTextVector } from './text-vector-repository';
export { PhotoTextVectorRepository } from './photo-text-vector-repository';
export type { PhotoTextRow, PhotoTextVectorEntry, StoredPhotoTextVector } from './photo-text-vector-repository';
export { SettingsRepository } from './settings-repository';
export { PhotoQueryRepository, filterClause } from './photo-query-repository';
export type { DateOrder, FilterClause } from './photo-query-repository';
