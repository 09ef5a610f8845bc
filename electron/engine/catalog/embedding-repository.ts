import { normalize } from '../math/vectors';
import type { SqliteDatabase } from './database';
import { statementCache } from './database';

export type ModelStatus = 'building' | 'complete';

export interface ModelInfo {
  id: string;
  dim: number;
  /** The vec0 table holding this model's vectors (vec_<n>). */
  vecTable: string;
  status: ModelStatus;
  /** The model new vectors are computed with; exactly one at a time. */
  active: boolean;
  createdAt: number;
  completedAt: number | null;
}

export interface Neighbor {
  photoId: number;
  /** Cosine distance, 1 - cos(query, vector): 0 = same direction, 2 = opposite. */
  distance: number;
}

export interface VectorEntry {
  photoId: number;
  vector: Float32Array;
}

/** A page of vectors: row i of `vectors` (dim floats, unit length) belongs to photoIds[i]. */
export interface VectorChunk {
  photoIds: number[];
  vectors: Float32Array;
  dim: number;
}

export interface OrphanVector {
  modelId: string;
  photoId: number;
}

interface ModelRow {
  id: string;
  dim: number;
  vec_table: string;
  status: ModelStatus;
  active: number;
  created_at: number;
  completed_at: number | null;
}

/** vec0's ceiling on k in a KNN query (sqlite-vec 0.1.9). */
export const MAX_K = 4096;

const MODEL_COLUMNS = 'id, dim, vec_table, status, active, created_at, completed_at';
const VEC_TABLE_NAME = /^vec_[0-9]+$/;
/** Why a vector is refused: without a direction it has no cosine to anything. */
const NO_DIRECTION = 'vector must be finite and non-zero';

function toModel(r: ModelRow): ModelInfo {
  return {
    id: r.id,
    dim: r.dim,
    vecTable: r.vec_table,
    status: r.status,
    active: r.active === 1,
    createdAt: r.created_at,
    completedAt: r.completed_at,
  };
}

/**
 * Vectors in sqlite-vec vec0 tables, one table per model (vec0 fixes the dimension per table).
 *
 * Vectors are stored unit-length and the tables use vec0's default L2 metric: for unit vectors
 * L2^2 = 2 - 2cos, so the ranking is exactly cosine's, and vec0's L2 scan is faster than its distance_metric=cosine
 * (which re-normalises every row on every query; see `npm run bench -- search`). knn() reports cosine distance.
 *
 * vec0 tables cannot have foreign keys; each one gets an AFTER DELETE trigger on photos, so deleting a photo - by
 * id, by folder cascade, by move over an existing path - deletes its vectors in the same transaction.
 * put() refuses photo ids that do not exist, so no orphan vector can be written either; findOrphans() checks.
 */
export class EmbeddingRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.prepare = statementCache(db);
  }

  private readonly prepare: SqliteDatabase['prepare'];

  /**
   * Registers the model (creating its vector table) and makes it the active one. Switching models queues every
   * photo not embedded with the new model (state back to 'pending') and leaves the old vectors in place, so search
   * keeps using the previous complete model until markComplete() on the new one. Already active: no-op.
   */
  ensureModel(id: string, dim: number): ModelInfo {
    if (!Number.isInteger(dim) || dim <= 0) throw new Error(`invalid vector dimension ${dim}`);
    return this.db
      .transaction(() => {
        let model = this.getModel(id);
        if (model && model.dim !== dim) {
          throw new Error(`model ${id} is registered with dimension ${model.dim}, not ${dim}`);
        }
        if (model?.active) return model;
        const now = this.now();
        if (!model) {
          const vecTable = this.nextTableName();
          this.db.exec(`CREATE VIRTUAL TABLE ${vecTable} USING vec0(photo_id INTEGER PRIMARY KEY, embedding float[${dim}])`);
          this.db.exec(
            `CREATE TRIGGER ${vecTable}_photo_deleted AFTER DELETE ON photos BEGIN
               DELETE FROM ${vecTable} WHERE photo_id = old.id;
             END`,
          );
          this.prepare('INSERT INTO models (id, dim, vec_table, status, active, created_at) VALUES (?, ?, ?, ?, 0, ?)')
            .run(id, dim, vecTable, 'building', now);
        }
        this.prepare('UPDATE models SET active = 0 WHERE active = 1').run();
        this.prepare(`UPDATE models SET active = 1, status = 'building', completed_at = NULL WHERE id = ?`).run(id);
        // Re-activating an older model re-embeds too: its vectors may predate later file changes.
        this.prepare(
            `UPDATE photos SET state = 'pending', updated_at = ? WHERE state = 'indexed' AND embedded_model IS NOT ?`,
          )
          .run(now, id);
        model = this.getModel(id)!;
        return model;
      })
      .immediate();
  }

  getModel(id: string): ModelInfo | undefined {
    const row = this.prepare<[string], ModelRow>(`SELECT ${MODEL_COLUMNS} FROM models WHERE id = ?`).get(id);
    return row && toModel(row);
  }

  listModels(): ModelInfo[] {
    return this.prepare<[], ModelRow>(`SELECT ${MODEL_COLUMNS} FROM models ORDER BY created_at, id`)
      .all()
      .map(toModel);
  }

  activeModel(): ModelInfo | undefined {
    const row = this.prepare<[], ModelRow>(`SELECT ${MODEL_COLUMNS} FROM models WHERE active = 1`).get();
    return row && toModel(row);
  }

  /**
   * The model search should query: the active one once complete; while it is building, the most recently
   * completed one; with none complete (first indexing), the active one, since partial results beat none.
   */
  searchModel(): ModelInfo | undefined {
    const row = this.prepare<[], ModelRow>(
        `SELECT ${MODEL_COLUMNS} FROM models
         ORDER BY status = 'complete' DESC, active DESC, completed_at DESC LIMIT 1`,
      )
      .get();
    return row && toModel(row);
  }

  /**
   * Marks the active model complete once no photo is pending. Returns false (and changes nothing) while work is
   * left, or if the model is not the active one.
   */
  markComplete(id: string): boolean {
    return (
      this.prepare(
          `UPDATE models SET status = 'complete', completed_at = ?
           WHERE id = ? AND active = 1 AND status = 'building'
             AND NOT EXISTS (SELECT 1 FROM photos WHERE state = 'pending')`,
        )
        .run(this.now(), id).changes > 0
    );
  }

  /** Deletes a model that is not active, with its vector table. */
  dropModel(id: string): void {
    this.db
      .transaction(() => {
        const model = this.getModel(id);
        if (!model) return;
        if (model.active) throw new Error(`cannot drop the active model ${id}`);
        const table = safeTable(model.vecTable);
        this.db.exec(`DROP TRIGGER IF EXISTS ${table}_photo_deleted`);
        this.db.exec(`DROP TABLE IF EXISTS ${table}`);
        this.prepare('DELETE FROM models WHERE id = ?').run(id);
      })
      .immediate();
  }

  /** Drops every inactive model once the active one is complete: their vectors are no longer searched. */
  dropSupersededModels(): string[] {
    const active = this.activeModel();
    if (!active || active.status !== 'complete') return [];
    const dropped = this.listModels().filter((m) => !m.active);
    for (const m of dropped) this.dropModel(m.id);
    return dropped.map((m) => m.id);
  }

  /** Stores (or replaces) one photo's vector. */
  put(modelId: string, photoId: number, vector: Float32Array): void {
    this.putMany(modelId, [{ photoId, vector }]);
  }

  /** Stores (or replaces) vectors in one transaction: all of them or, if any is invalid, none. */
  putMany(modelId: string, entries: readonly VectorEntry[]): void {
    const model = this.requireModel(modelId);
    const photoExists = this.prepare<[number], number>('SELECT 1 FROM photos WHERE id = ?').pluck();
    const remove = this.prepare(`DELETE FROM ${safeTable(model.vecTable)} WHERE photo_id = ?`);
    const insert = this.prepare(`INSERT INTO ${safeTable(model.vecTable)} (photo_id, embedding) VALUES (?, ?)`);
    this.db
      .transaction(() => {
        for (const { photoId, vector } of entries) {
          if (vector.length !== model.dim) {
            throw new Error(`vector for photo ${photoId} has ${vector.length} dimensions; model ${modelId} has ${model.dim}`);
          }
          if (photoExists.get(photoId) === undefined) throw new Error(`photo ${photoId} is not in the catalog`);
          const unit = normalize(vector, NO_DIRECTION);
          // vec0 has no upsert; delete + insert replaces. Its primary key must be bound as a BigInt (an integer).
          remove.run(photoId);
          insert.run(BigInt(photoId), unit);
        }
      })
      .immediate();
  }

  /** The stored (unit-length) vector, if any. */
  get(modelId: string, photoId: number): Float32Array | undefined {
    const model = this.requireModel(modelId);
    const blob = this.prepare(`SELECT embedding FROM ${safeTable(model.vecTable)} WHERE photo_id = ?`)
      .pluck()
      .get(photoId) as Buffer | undefined;
    return blob && toFloats(blob);
  }

  delete(modelId: string, photoId: number): boolean {
    const model = this.requireModel(modelId);
    return this.prepare(`DELETE FROM ${safeTable(model.vecTable)} WHERE photo_id = ?`).run(photoId).changes > 0;
  }

  count(modelId: string): number {
    const model = this.requireModel(modelId);
    return this.prepare(`SELECT count(*) FROM ${safeTable(model.vecTable)}`).pluck().get() as number;
  }

  /** The k nearest photos to `query` by cosine distance, nearest first (exact: vec0 scans every vector). */
  knn(modelId: string, query: Float32Array, k: number): Neighbor[] {
    const model = this.requireModel(modelId);
    if (query.length !== model.dim) throw new Error(`query has ${query.length} dimensions; model ${modelId} has ${model.dim}`);
    if (!Number.isInteger(k) || k < 0 || k > MAX_K) throw new Error(`k must be an integer from 0 to ${MAX_K}`);
    if (k === 0) return [];
    const rows = this.prepare(
      `SELECT photo_id, distance FROM ${safeTable(model.vecTable)} WHERE embedding MATCH ? AND k = ? ORDER BY distance`,
    ).all(normalize(query, NO_DIRECTION), k) as Array<{ photo_id: number; distance: number }>;
    // L2 between unit vectors -> cosine distance.
    return rows.map((r) => ({ photoId: r.photo_id, distance: (r.distance * r.distance) / 2 }));
  }

  /**
   * Every vector of a model, in pages of `chunkSize` ordered by photo id. Each page is its own query, so the caller
   * may use the database between pages; rows written meanwhile with a higher id are included.
   * Each page costs one scan of vec0's id list, hence the large default.
   */
  *iterate(modelId: string, chunkSize = 4096): Generator<VectorChunk> {
    const model = this.requireModel(modelId);
    const page = this.prepare(
      `SELECT photo_id, embedding FROM ${safeTable(model.vecTable)} WHERE photo_id > ? ORDER BY photo_id LIMIT ?`,
    );
    let after = 0;
    for (;;) {
      const rows = page.all(after, chunkSize) as Array<{ photo_id: number; embedding: Buffer }>;
      if (rows.length === 0) return;
      const vectors = new Float32Array(rows.length * model.dim);
      const bytes = new Uint8Array(vectors.buffer);
      rows.forEach((r, i) => bytes.set(r.embedding, i * model.dim * 4));
      yield { photoIds: rows.map((r) => r.photo_id), vectors, dim: model.dim };
      after = rows[rows.length - 1]!.photo_id;
      if (rows.length < chunkSize) return;
    }
  }

  /**
   * Every vector of a model in one array, read with a single scan: faster than iterate() (one scan instead of one
   * per page; see `npm run bench -- search`) at the price of holding them all (n x dim x 4 bytes). Rows come in
   * vec0's storage order.
   */
  readAll(modelId: string): VectorChunk {
    const model = this.requireModel(modelId);
    const scan = this.prepare(`SELECT photo_id, embedding FROM ${safeTable(model.vecTable)}`);
    // One read transaction: the count and the scan see the same snapshot even if another process writes.
    return this.db.transaction(() => {
      const total = this.count(modelId);
      const photoIds: number[] = [];
      const vectors = new Float32Array(total * model.dim);
      const bytes = new Uint8Array(vectors.buffer);
      for (const row of scan.iterate() as IterableIterator<{ photo_id: number; embedding: Buffer }>) {
        bytes.set(row.embedding, photoIds.length * model.dim * 4);
        photoIds.push(row.photo_id);
      }
      return { photoIds, vectors, dim: model.dim };
    }).deferred();
  }

  /** Vectors whose photo row is gone. Should always be empty; a non-empty result means a bug or a hand edit. */
  findOrphans(): OrphanVector[] {
    return this.listModels().flatMap((m) =>
      (
        this.prepare(`SELECT photo_id FROM ${safeTable(m.vecTable)} WHERE photo_id NOT IN (SELECT id FROM photos)`)
          .pluck()
          .all() as number[]
      ).map((photoId) => ({ modelId: m.id, photoId })),
    );
  }

  /** Photos marked indexed whose vector is missing from their model's table (the other half of consistency). */
  findMissing(): OrphanVector[] {
    return this.listModels().flatMap((m) =>
      (
        this.prepare(
            `SELECT id FROM photos WHERE state = 'indexed' AND embedded_model = ?
             AND id NOT IN (SELECT photo_id FROM ${safeTable(m.vecTable)}) ORDER BY id`,
          )
          .pluck()
          .all(m.id) as number[]
      ).map((photoId) => ({ modelId: m.id, photoId })),
    );
  }

  /** Deletes orphan vectors; returns how many. */
  deleteOrphans(): number {
    return this.db
      .transaction(() => {
        let n = 0;
        for (const o of this.findOrphans()) n += this.delete(o.modelId, o.photoId) ? 1 : 0;
        return n;
      })
      .immediate();
  }

  private requireModel(id: string): ModelInfo {
    const model = this.getModel(id);
    if (!model) throw new Error(`unknown embedding model ${id}`);
    return model;
  }

  private nextTableName(): string {
    const taken = new Set(
      this.prepare<[], string>(`SELECT name FROM sqlite_schema WHERE name GLOB 'vec_[0-9]*'`).pluck().all(),
    );
    const maxModel = this.prepare<[], number>('SELECT coalesce(max(rowid), 0) FROM models').pluck().get()!;
    let n = maxModel + 1;
    while (taken.has(`vec_${n}`)) n++;
    return `vec_${n}`;
  }
}

/** Table names come from the catalog file; check them before putting them into SQL. */
function safeTable(name: string): string {
  if (!VEC_TABLE_NAME.test(name)) throw new Error(`unexpected vector table name ${JSON.stringify(name)}`);
  return name;
}

/** A Buffer from SQLite need not be 4-byte aligned, so copy rather than view. */
function toFloats(blob: Buffer): Float32Array {
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}
