import path from 'node:path';
import type { SqliteDatabase } from './database';
import { statementCache } from './database';

export type WatchMode = 'watching' | 'polling' | 'manual';

export interface Folder {
  id: number;
  path: string;
  addedAt: number;
  watchMode: WatchMode;
  lastScanAt: number | null;
  error: string | null;
}

interface FolderRow {
  id: number;
  path: string;
  added_at: number;
  watch_mode: WatchMode;
  last_scan_at: number | null;
  error: string | null;
}

const COLUMNS = 'id, path, added_at, watch_mode, last_scan_at, error';

function toFolder(row: FolderRow): Folder {
  return {
    id: row.id,
    path: row.path,
    addedAt: row.added_at,
    watchMode: row.watch_mode,
    lastScanAt: row.last_scan_at,
    error: row.error,
  };
}

/** The library folders the user added. Removing one removes its photos and their vectors (cascade + triggers). */
export class FolderRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.prepare = statementCache(db);
  }

  private readonly prepare: SqliteDatabase['prepare'];

  /** Adds the folder, or returns the existing one with that path. */
  add(folderPath: string, watchMode: WatchMode = 'watching'): Folder {
    requireAbsolute(folderPath);
    this.prepare('INSERT INTO folders (path, added_at, watch_mode) VALUES (?, ?, ?) ON CONFLICT(path) DO NOTHING')
      .run(folderPath, this.now(), watchMode);
    return this.getByPath(folderPath)!;
  }

  /** Deletes the folder with all its photos and their vectors. Returns whether it existed. */
  remove(id: number): boolean {
    return this.prepare('DELETE FROM folders WHERE id = ?').run(id).changes > 0;
  }

  get(id: number): Folder | undefined {
    const row = this.prepare<[number], FolderRow>(`SELECT ${COLUMNS} FROM folders WHERE id = ?`).get(id);
    return row && toFolder(row);
  }

  getByPath(folderPath: string): Folder | undefined {
    const row = this.prepare<[string], FolderRow>(`SELECT ${COLUMNS} FROM folders WHERE path = ?`).get(folderPath);
    return row && toFolder(row);
  }

  list(): Folder[] {
    return this.prepare<[], FolderRow>(`SELECT ${COLUMNS} FROM folders ORDER BY path`).all().map(toFolder);
  }

  setWatchMode(id: number, watchMode: WatchMode): void {
    this.prepare('UPDATE folders SET watch_mode = ? WHERE id = ?').run(watchMode, id);
  }

  /** Records a finished scan: error is null when it succeeded (which also clears an earlier error). */
  recordScan(id: number, error: string | null, at: number = this.now()): void {
    this.prepare('UPDATE folders SET last_scan_at = ?, error = ? WHERE id = ?').run(at, error, id);
  }
}

export function requireAbsolute(p: string): void {
  if (!path.isAbsolute(p)) throw new Error(`catalog paths must be absolute: ${p}`);
}
