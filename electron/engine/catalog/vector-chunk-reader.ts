import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { Catalog } from './catalog';
import type { SqliteDatabase } from './database';

/** Vectors of some photos: photoIds.length * dim floats, row-major. */
export interface VectorChunk {
  photoIds: number[];
  vectors: Float32Array;
}

/**
 * One model's vectors as this module reads them: the shape of the search index's VectorSource
 * (search/index/vector-source.ts, which documents each member), which the catalog does not import.
 */
export interface VectorChunkSource {
  dim: number;
  iterate(): Iterable<VectorChunk>;
  fetch(photoIds: readonly number[]): Map<number, Float32Array>;
  count(): number;
  stamp?(): string | undefined;
  ids(): Iterable<number>;
  mark?(): number;
  since?(mark: number): Iterable<VectorChunk>;
  chunkDigests?(): Map<number, string>;
  chunks?(chunkIds: readonly number[]): Iterable<VectorChunk>;
}

/*
 * The catalog's vectors for one model, as the search index reads them (VectorChunkSource).
 *
 * vec0's own full scan (SELECT ... FROM vec_N) is slow: for every row it opens the 2 MB chunk blob and SQLite
 * walks the blob's overflow pages to the row's offset. Reading vec0's shadow tables directly - one chunk row (ids,
 * validity bitmap) and one vector blob per 1024 vectors - is far faster (see `npm run bench -- search`, "build
 * from catalog"). That layout is sqlite-vec 0.1's (checked: tables, columns and version); anything else falls
 * back to the public, slow scan, and gives no stamp (so a cached index is never trusted blindly).
 *
 * The stamp fingerprints the table's content cheaply: every chunk's id list and validity bitmap (which change on
 * any insert or delete) plus the newest chunk's vector blob, since vec0 0.1 writes new rows only into its newest
 * chunk and may reuse a freed slot there, where a replaced vector would otherwise keep the same id and position.
 */

const VEC_TABLE_NAME = /^vec_[0-9]+$/;

interface ChunkRow {
  chunk_id: number;
  size: number;
  validity: Buffer;
  rowids: Buffer;
  vectors: Buffer;
}

/** The catalog-backed source for `modelId` (its vec0 table is the source of truth). */
export function catalogVectorSource(catalog: Catalog, modelId: string): VectorChunkSource {
  const model = catalog.embeddings.getModel(modelId);
  if (!model) throw new Error(`unknown embedding model ${modelId}`);
  if (!VEC_TABLE_NAME.test(model.vecTable)) throw new Error(`unexpected vector table name ${JSON.stringify(model.vecTable)}`);
  const { db } = catalog;
  const table = model.vecTable;
  const dim = model.dim;
  const point = db.prepare(`SELECT embedding FROM ${table} WHERE photo_id = ?`).pluck();
  const fetch = (photoIds: readonly number[]): Map<number, Float32Array> => {
    const found = new Map<number, Float32Array>();
    // Ascending ids read vec0's blobs in storage order, which is several times faster than random order.
    for (const id of [...photoIds].sort((a, b) => a - b)) {
      const blob = point.get(id) as Buffer | undefined;
      if (blob) found.set(id, toFloats(blob, 0, dim));
    }
    return found;
  };
  if (!hasVec01Shadow(db, table, true)) {
    return {
      dim,
      iterate: () => publicChunks(catalog, modelId),
      fetch,
      count: () => catalog.embeddings.count(modelId),
      ids: () => db.prepare(`SELECT photo_id FROM ${table}`).pluck().all() as number[],
    };
  }
  return shadowSource(db, table, modelId, dim, fetch);
}

/**
 * The catalog file opened read-only on a connection of its own (a worker thread's), without sqlite-vec: for
 * databaseVectorSource. `nativeBinding`: a better-sqlite3 binary built for this runtime, as for Catalog.open.
 */
export function openCatalogReadOnly(file: string, nativeBinding?: string): SqliteDatabase {
  const db = new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
  try {
    // The engine may be committing a batch: wait for it rather than fail with SQLITE_BUSY.
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * The same source over a connection that has not loaded sqlite-vec (a worker's read-only connection to the
 * catalog file): it reads vec0's shadow tables with plain SQL, so it needs sqlite-vec 0.1's layout and throws
 * otherwise. Whether the sqlite-vec that writes the file is 0.1 too is for the caller to check (catalogVectorSource
 * on a connection that has loaded it gives a stamp only then).
 */
export function databaseVectorSource(db: SqliteDatabase, modelId: string): VectorChunkSource {
  const model = db.prepare('SELECT dim, vec_table FROM models WHERE id = ?').get(modelId) as { dim: number; vec_table: string } | undefined;
  if (!model) throw new Error(`unknown embedding model ${modelId}`);
  const table = model.vec_table;
  if (!VEC_TABLE_NAME.test(table)) throw new Error(`unexpected vector table name ${JSON.stringify(table)}`);
  if (!hasVec01Shadow(db, table, false)) throw new Error(`vector table ${table} is not in sqlite-vec 0.1's layout`);
  const { dim } = model;
  // Without vec0's point lookup: whole chunks, each read once for all the ids it holds.
  const locate = db.prepare(`SELECT chunk_id, chunk_offset FROM ${table}_rowids WHERE rowid = ?`).raw();
  const blob = db.prepare(`SELECT vectors FROM ${table}_vector_chunks00 WHERE rowid = ?`).pluck();
  const fetch = (photoIds: readonly number[]): Map<number, Float32Array> => {
    const byChunk = new Map<number, [number, number][]>();
    for (const id of new Set(photoIds)) {
      const [chunk, offset] = (locate.get(id) as [number | null, number | null] | undefined) ?? [null, null];
      if (chunk === null || offset === null) continue;
      let list = byChunk.get(chunk);
      if (!list) byChunk.set(chunk, (list = []));
      list.push([id, offset]);
    }
    const found = new Map<number, Float32Array>();
    for (const [chunk, list] of byChunk) {
      const vectors = blob.get(chunk) as Buffer | undefined;
      for (const [id, offset] of list) if (vectors && vectors.length >= (offset + 1) * dim * 4) found.set(id, toFloats(vectors, offset * dim * 4, dim));
    }
    return found;
  };
  return shadowSource(db, table, modelId, dim, fetch);
}

function shadowSource(db: SqliteDatabase, table: string, modelId: string, dim: number, fetch: VectorChunkSource['fetch']): VectorChunkSource {
  return {
    dim,
    iterate: () => shadowChunks(db, table, dim, -1),
    fetch,
    count: () => db.prepare(`SELECT count(*) FROM ${table}_rowids`).pluck().get() as number,
    stamp: () => shadowStamp(db, table, modelId, dim),
    ids: () => shadowIds(db, table),
    // vec0 0.1 writes every new row (a replacement too: delete + insert) into its newest chunk, so everything
    // written after mark() is in chunks numbered mark() or above.
    mark: () => (db.prepare(`SELECT max(chunk_id) FROM ${table}_chunks`).pluck().get() as number | null) ?? -1,
    since: (mark) => shadowChunks(db, table, dim, mark),
    chunkDigests: () => shadowDigests(db, table),
    chunks: (chunkIds) => shadowChunksById(db, table, dim, chunkIds),
  };
}

/**
 * Per chunk, a digest of its size and id list. vec0 0.1 writes rows (replacements included) only into its newest
 * chunk, so an older chunk's digest changes only when it loses rows (a deletion zeroes the row's id) or when the
 * table was recreated; such a chunk is read again.
 */
function shadowDigests(db: SqliteDatabase, table: string): Map<number, string> {
  const digests = new Map<number, string>();
  const rows = db.prepare(`SELECT chunk_id, size, rowids FROM ${table}_chunks`).raw();
  for (const [chunkId, size, rowids] of rows.iterate() as IterableIterator<[number, number, Buffer]>) {
    digests.set(chunkId, createHash('sha1').update(`${size}:`).update(rowids).digest('hex'));
  }
  return digests;
}

function* shadowChunksById(db: SqliteDatabase, table: string, dim: number, chunkIds: readonly number[]): Generator<VectorChunk> {
  const read = db.prepare(
    `SELECT c.chunk_id, c.size, c.validity, c.rowids, v.vectors
     FROM ${table}_chunks c JOIN ${table}_vector_chunks00 v ON v.rowid = c.chunk_id
     WHERE c.chunk_id = ?`,
  );
  for (const chunkId of chunkIds) {
    const row = read.get(chunkId) as ChunkRow | undefined;
    const chunk = row && validRows(row, dim);
    if (chunk) yield chunk;
  }
}

/** Every id marked valid in vec0's chunks (ids and validity bitmaps only, no vectors). */
function shadowIds(db: SqliteDatabase, table: string): number[] {
  const ids: number[] = [];
  const rows = db.prepare(`SELECT size, validity, rowids FROM ${table}_chunks`).raw();
  for (const [size, validity, rowids] of rows.iterate() as IterableIterator<[number, Buffer, Buffer]>) {
    for (let i = 0; i < size; i++) {
      if (((validity[i >> 3] ?? 0) >> (i & 7)) & 1) ids.push(Number(rowids.readBigInt64LE(i * 8)));
    }
  }
  return ids;
}

/** Whether `table` has sqlite-vec 0.1's shadow tables (and, with `loaded`, the connection runs sqlite-vec 0.1). */
function hasVec01Shadow(db: SqliteDatabase, table: string, loaded: boolean): boolean {
  try {
    const columns = (name: string): string[] =>
      (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(name) as string[]).sort();
    const same = (a: string[], b: string[]): boolean => a.join() === [...b].sort().join();
    const created = db.prepare(`SELECT value FROM ${table}_info WHERE key = 'CREATE_VERSION'`).pluck().get();
    const running = loaded ? db.prepare('SELECT vec_version()').pluck().get() : 'v0.1.';
    return (
      typeof created === 'string' &&
      created.startsWith('v0.1.') &&
      typeof running === 'string' &&
      running.startsWith('v0.1.') &&
      same(columns(`${table}_chunks`), ['chunk_id', 'size', 'validity', 'rowids']) &&
      same(columns(`${table}_vector_chunks00`), ['rowid', 'vectors']) &&
      same(columns(`${table}_rowids`), ['rowid', 'id', 'chunk_id', 'chunk_offset'])
    );
  } catch {
    return false;
  }
}

/** The valid vectors of the chunks numbered `from` and above. */
function* shadowChunks(db: SqliteDatabase, table: string, dim: number, from: number): Generator<VectorChunk> {
  // One chunk per query, so the database is free between chunks.
  const next = db.prepare(
    `SELECT c.chunk_id, c.size, c.validity, c.rowids, v.vectors
     FROM ${table}_chunks c JOIN ${table}_vector_chunks00 v ON v.rowid = c.chunk_id
     WHERE c.chunk_id > ? ORDER BY c.chunk_id LIMIT 1`,
  );
  let after = from - 1;
  for (;;) {
    const row = next.get(after) as ChunkRow | undefined;
    if (!row) return;
    after = row.chunk_id;
    const chunk = validRows(row, dim);
    if (chunk) yield chunk;
  }
}

/** A chunk row's valid ids and their vectors (undefined when none is valid). */
function validRows(row: ChunkRow, dim: number): VectorChunk | undefined {
  const photoIds: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < row.size; i++) {
    if (((row.validity[i >> 3] ?? 0) >> (i & 7)) & 1) {
      photoIds.push(Number(row.rowids.readBigInt64LE(i * 8)));
      offsets.push(i);
    }
  }
  if (photoIds.length === 0) return undefined;
  const vectors = new Float32Array(photoIds.length * dim);
  const bytes = new Uint8Array(vectors.buffer);
  offsets.forEach((offset, j) => bytes.set(row.vectors.subarray(offset * dim * 4, (offset + 1) * dim * 4), j * dim * 4));
  return { photoIds, vectors };
}

function* publicChunks(catalog: Catalog, modelId: string): Generator<VectorChunk> {
  for (const chunk of catalog.embeddings.iterate(modelId, 16384)) yield { photoIds: chunk.photoIds, vectors: chunk.vectors };
}

function shadowStamp(db: SqliteDatabase, table: string, modelId: string, dim: number): string {
  return db
    .transaction(() => {
      const hash = createHash('sha1');
      hash.update(`vec0-0.1|${modelId}|${table}|${dim}|`);
      const rows = db.prepare(`SELECT chunk_id, size, validity, rowids FROM ${table}_chunks ORDER BY chunk_id`).raw();
      let last = -1;
      for (const [chunkId, size, validity, rowids] of rows.iterate() as IterableIterator<[number, number, Buffer, Buffer]>) {
        hash.update(`${chunkId}:${size}:`);
        hash.update(validity);
        hash.update(rowids);
        last = chunkId;
      }
      const newest = db.prepare(`SELECT vectors FROM ${table}_vector_chunks00 WHERE rowid = ?`).pluck().get(last) as Buffer | undefined;
      if (newest) hash.update(newest);
      return hash.digest('hex');
    })
    .deferred();
}

/** A Buffer from SQLite need not be 4-byte aligned, so copy rather than view. */
function toFloats(blob: Buffer, offset: number, dim: number): Float32Array {
  const out = new Float32Array(dim);
  new Uint8Array(out.buffer).set(blob.subarray(offset, offset + dim * 4));
  return out;
}
