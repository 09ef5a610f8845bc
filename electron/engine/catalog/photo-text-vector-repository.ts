import type { SqliteDatabase } from './database';
import { statementCache } from './database';

/** The text an indexed photo carries: embedded caption, keywords and the user's note. */
export interface PhotoTextRow {
  id: number;
  description: string | null;
  keywords: string | null;
  note: string | null;
}

export interface PhotoTextVectorEntry {
  photoId: number;
  /** Which text the vector was computed from (a hash), so an edited note is embedded again. */
  textHash: string;
  vector: Float32Array;
}

/** A stored vector as its raw bytes (float32): a damaged row may have any length, so callers check it. */
export interface StoredPhotoTextVector {
  photoId: number;
  vector: Buffer;
}

/**
 * Text-tower vectors of photos' own text, per model (the photo_text_vectors table), for fused text search.
 * Rows go with their photo (foreign key, ON DELETE CASCADE).
 */
export class PhotoTextVectorRepository {
  private readonly prepare: SqliteDatabase['prepare'];

  constructor(private readonly db: SqliteDatabase) {
    this.prepare = statementCache(db);
  }

  /** Indexed photos with any text of their own. */
  photosWithText(): PhotoTextRow[] {
    return this.prepare<[], PhotoTextRow>(
      `SELECT id, description, keywords, note FROM photos
         WHERE state = 'indexed' AND (description IS NOT NULL OR keywords IS NOT NULL OR note IS NOT NULL)`,
    ).all();
  }

  /** The text hash of every stored vector of a model, by photo id. */
  textHashes(modelId: string): Map<number, string> {
    return new Map(
      this.prepare<[string], { photo_id: number; text_hash: string }>('SELECT photo_id, text_hash FROM photo_text_vectors WHERE model_id = ?')
        .all(modelId)
        .map((r) => [r.photo_id, r.text_hash]),
    );
  }

  /** Which of these photos are still in the catalog. */
  existingPhotoIds(photoIds: readonly number[]): Set<number> {
    return new Set(
      this.prepare<[string], { id: number }>('SELECT id FROM photos WHERE id IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(photoIds))
        .map((r) => r.id),
    );
  }

  /** Stores (or replaces) vectors in one transaction. Every photo must exist (the foreign key refuses others). */
  putMany(modelId: string, entries: readonly PhotoTextVectorEntry[]): void {
    const put = this.prepare(
      `INSERT INTO photo_text_vectors (photo_id, model_id, text_hash, vector) VALUES (?, ?, ?, ?)
       ON CONFLICT(model_id, photo_id) DO UPDATE SET text_hash = excluded.text_hash, vector = excluded.vector`,
    );
    this.db
      .transaction(() => {
        for (const { photoId, textHash, vector } of entries) {
          put.run(photoId, modelId, textHash, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
        }
      })
      .immediate();
  }

  /** Deletes the vectors of these photos for a model, in one transaction. */
  deleteMany(modelId: string, photoIds: readonly number[]): void {
    const remove = this.prepare('DELETE FROM photo_text_vectors WHERE model_id = ? AND photo_id = ?');
    this.db
      .transaction(() => {
        for (const id of photoIds) remove.run(modelId, id);
      })
      .immediate();
  }

  /** Every stored vector of a model whose photo is indexed, by photo id. */
  indexedVectors(modelId: string): StoredPhotoTextVector[] {
    return this.prepare<[string], { photo_id: number; vector: Buffer }>(
      // The join drops rows of photos no longer indexed (a changed file waiting to be read again).
      `SELECT t.photo_id, t.vector FROM photo_text_vectors t JOIN photos p ON p.id = t.photo_id
         WHERE t.model_id = ? AND p.state = 'indexed' ORDER BY t.photo_id`,
    )
      .all(modelId)
      .map((r) => ({ photoId: r.photo_id, vector: r.vector }));
  }
}
