import type { SqliteDatabase } from './database';
import { statementCache } from './database';

/** The user's own labels (the labels table): texts that join Describe's caption bank. Unique ignoring case. */
export class LabelRepository {
  private readonly prepare: SqliteDatabase['prepare'];

  constructor(db: SqliteDatabase) {
    this.prepare = statementCache(db);
  }

  /** Every label, alphabetically (ignoring case). */
  list(): string[] {
    return this.prepare('SELECT text FROM labels ORDER BY text COLLATE NOCASE, text').pluck().all() as string[];
  }

  /** Adds a label; one already there in any case is left as it is. */
  add(text: string, addedAt: number): void {
    this.prepare('INSERT INTO labels (text, added_at) VALUES (?, ?) ON CONFLICT (text) DO NOTHING').run(text, addedAt);
  }

  /** Removes a label (matched ignoring case). */
  remove(text: string): void {
    this.prepare('DELETE FROM labels WHERE text = ?').run(text);
  }
}
