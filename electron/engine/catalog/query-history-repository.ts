import type { SqliteDatabase } from './database';
import { statementCache } from './database';

/** Past text queries (the query_history table), most recently used first. Unique ignoring case. */
export class QueryHistoryRepository {
  private readonly prepare: SqliteDatabase['prepare'];

  constructor(private readonly db: SqliteDatabase) {
    this.prepare = statementCache(db);
  }

  /**
   * Records one use of a query and keeps only the `keep` most recently used, in one transaction. The text vectors
   * stored under `vectorMethod` for queries that fell out go with them (for every model).
   */
  record(text: string, usedAt: number, keep: number, vectorMethod: string): void {
    this.db
      .transaction(() => {
        this.prepare(
          `INSERT INTO query_history (text, last_used_at, uses) VALUES (?, ?, 1)
         ON CONFLICT (text) DO UPDATE SET last_used_at = excluded.last_used_at, uses = uses + 1`,
        ).run(text, usedAt);
        const count = this.prepare('SELECT count(*) FROM query_history').pluck().get() as number;
        if (count <= keep) return;
        this.prepare(
          `DELETE FROM query_history WHERE rowid IN
           (SELECT rowid FROM query_history ORDER BY last_used_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
        ).run(keep);
        // Query vectors are stored under the history's own text, so an exact match finds the orphans.
        this.prepare('DELETE FROM text_vectors WHERE method = ? AND text NOT IN (SELECT text FROM query_history)').run(vectorMethod);
      })
      .immediate();
  }

  /** The `limit` most recently used queries, newest first. */
  recent(limit: number): string[] {
    return this.prepare('SELECT text FROM query_history ORDER BY last_used_at DESC, rowid DESC LIMIT ?').pluck().all(limit) as string[];
  }
}
