import type { SqliteDatabase } from './database';
import { statementCache } from './database';

/** A stored text vector as its raw bytes (float32): a damaged row may have any length, so callers check it. */
export interface StoredTextVector {
  text: string;
  vector: Buffer;
}

/**
 * Text-tower vectors cached per model and method (the text_vectors table): Describe's caption bank, labels and
 * past queries. `method` says how a text became a vector, so a new recipe computes everything again.
 */
export class TextVectorRepository {
  private readonly prepare: SqliteDatabase['prepare'];

  constructor(private readonly db: SqliteDatabase) {
    this.prepare = statementCache(db);
  }

  /** Every vector stored for a model and method. */
  all(modelId: string, method: string): StoredTextVector[] {
    return this.prepare('SELECT text, vector FROM text_vectors WHERE model_id = ? AND method = ?').all(modelId, method) as StoredTextVector[];
  }

  /** The bytes stored for one text, if any. */
  get(modelId: string, method: string, text: string): Buffer | undefined {
    return this.prepare('SELECT vector FROM text_vectors WHERE model_id = ? AND method = ? AND text = ?').pluck().get(modelId, method, text) as
      | Buffer
      | undefined;
  }

  /** Stores (or replaces) vectors in one transaction. */
  putMany(modelId: string, method: string, entries: readonly { text: string; vector: Float32Array }[]): void {
    const store = this.prepare('INSERT OR REPLACE INTO text_vectors (model_id, method, text, vector) VALUES (?, ?, ?, ?)');
    this.db
      .transaction(() => {
        for (const { text, vector } of entries) store.run(modelId, method, text, toBlob(vector));
      })
      .immediate();
  }
}

function toBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}
