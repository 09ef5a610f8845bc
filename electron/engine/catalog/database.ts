import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { MIGRATIONS } from './migrations';

export type SqliteDatabase = Database.Database;

/**
 * db.prepare with a per-repository cache: better-sqlite3 compiles on every prepare() call, which in per-photo
 * loops costs more than the statement itself. Each SQL text must be used the same way (pluck or not) everywhere.
 */
export function statementCache(db: SqliteDatabase): SqliteDatabase['prepare'] {
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  return prepare as SqliteDatabase['prepare'];
}

/** One forward step of the schema. Versions are 1, 2, 3, ... in order; each runs in its own transaction. */
export interface Migration {
  version: number;
  description: string;
  up: string | ((db: SqliteDatabase) => void);
}

export interface OpenOptions {
  /** Path of a better-sqlite3 binary built for the running runtime (Electron needs its own build). */
  nativeBinding?: string;
  /** Path of the sqlite-vec loadable extension; defaults to the one shipped in the sqlite-vec package. */
  vecExtensionPath?: string;
  /** Migrations to apply; tests pass a prefix of the real list to build older catalogs. */
  migrations?: readonly Migration[];
}

/** 'ShBx': marks the file as a Shoebox catalog so we never migrate someone else's SQLite file. */
export const APPLICATION_ID = 0x53684278;

export class CatalogTooNewError extends Error {
  constructor(
    readonly fileVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `This photo catalog was written by a newer version of Shoebox (catalog schema ${fileVersion}; ` +
        `this version understands up to ${supportedVersion}). Update Shoebox to open it.`,
    );
    this.name = 'CatalogTooNewError';
  }
}

export class NotACatalogError extends Error {
  constructor(file: string) {
    super(`${file} is an SQLite database but not a Shoebox catalog; refusing to modify it.`);
    this.name = 'NotACatalogError';
  }
}

/**
 * Opens (creating if needed) the catalog file, loads sqlite-vec, sets the connection PRAGMAs and brings the
 * schema up to date. Throws CatalogTooNewError, without writing anything, if the file is from a newer app.
 */
export function openDatabase(file: string, options: OpenOptions = {}): SqliteDatabase {
  const migrations = options.migrations ?? MIGRATIONS;
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    // Wait for another process (the CLI beside the app) instead of failing at once with SQLITE_BUSY.
    db.pragma('busy_timeout = 5000');

    // Check before changing anything: a newer app's catalog must be left exactly as it is.
    const version = userVersion(db);
    const latest = latestVersion(migrations);
    if (version > latest) throw new CatalogTooNewError(version, latest);
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (appId !== 0 && appId !== APPLICATION_ID) throw new NotACatalogError(file);
    if (appId === 0 && (version !== 0 || hasTables(db))) throw new NotACatalogError(file);

    if (options.vecExtensionPath) db.loadExtension(options.vecExtensionPath);
    else sqliteVec.load(db);

    // WAL + synchronous=NORMAL: a commit appends to the WAL without waiting for fsync (the WAL is synced at
    // checkpoints). A committed transaction is in the WAL file, so it survives the process being killed
    // (kill -9, crash); only an OS crash or power loss can drop the last few commits, and even then the
    // database stays consistent (rolled back to an earlier commit, never corrupt).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Negative = KiB: 64 MiB of page cache per connection, which keeps the index pages and part of the vectors hot.
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');

    migrate(db, migrations);
    db.pragma('foreign_keys = ON');
    // SQLite's advice for long-lived connections: gather planner statistics where they are missing or stale.
    db.pragma('optimize = 0x10002');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function hasTables(db: SqliteDatabase): boolean {
  return db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get() !== undefined;
}

export function userVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

/**
 * Applies every migration newer than the file's user_version, each in one IMMEDIATE transaction that also records
 * the new user_version, so a kill mid-way leaves the file at the last completed version.
 * Foreign keys are off while migrating (SQLite's recommended procedure, so a future migration can rebuild a table)
 * and checked with foreign_key_check before each commit.
 */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[] = MIGRATIONS): number {
  checkOrder(migrations);
  const latest = latestVersion(migrations);
  if (userVersion(db) > latest) throw new CatalogTooNewError(userVersion(db), latest);
  if (userVersion(db) === latest) return latest;

  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    for (const migration of migrations) {
      db.transaction(() => {
        // Re-read inside the write lock: another process may have migrated while we waited.
        if (userVersion(db) >= migration.version) return;
        if (typeof migration.up === 'string') db.exec(migration.up);
        else migration.up(db);
        const violations = db.pragma('foreign_key_check') as unknown[];
        if (violations.length > 0) {
          throw new Error(`migration ${migration.version} (${migration.description}) broke ${violations.length} foreign keys`);
        }
        db.pragma(`user_version = ${migration.version}`);
        if (migration.version === 1) db.pragma(`application_id = ${APPLICATION_ID}`);
      }).immediate();
    }
  } finally {
    if (foreignKeys) db.pragma('foreign_keys = ON');
  }
  return latest;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3, ... (found ${m.version} at position ${i + 1})`);
  });
}

/** PRAGMA integrity_check: an empty list means the file is sound. */
export function integrityCheck(db: SqliteDatabase): string[] {
  const rows = db.prepare<[], { integrity_check: string }>('PRAGMA integrity_check').all();
  const messages = rows.map((r) => r.integrity_check);
  return messages.length === 1 && messages[0] === 'ok' ? [] : messages;
}

/** Lets SQLite refresh its query-planner statistics, folds the WAL back into the main file, and closes. */
export function closeDatabase(db: SqliteDatabase): void {
  if (!db.open) return;
  try {
    db.pragma('optimize');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // Another connection holding the database only means the checkpoint happens later.
  }
  db.close();
}
