import type { SqliteDatabase } from './database';
import { statementCache } from './database';

/** App settings as JSON values by key (the settings table), so they travel with the library. */
export class SettingsRepository {
  private readonly prepare: SqliteDatabase['prepare'];

  constructor(private readonly db: SqliteDatabase) {
    this.prepare = statementCache(db);
  }

  /** Every stored value, parsed; a value that is not valid JSON is left out. */
  readAll(): Record<string, unknown> {
    const rows = this.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings').all();
    const out: Record<string, unknown> = {};
    for (const row of rows) {
      try {
        out[row.key] = JSON.parse(row.value) as unknown;
      } catch {
        // A damaged value falls back to the default rather than stopping the app.
      }
    }
    return out;
  }

  /** Stores (or replaces) values, as JSON, in one transaction. */
  write(values: Record<string, unknown>): void {
    const write = this.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.db
      .transaction(() => {
        for (const [key, value] of Object.entries(values)) write.run(key, JSON.stringify(value));
      })
      .immediate();
  }
}
