import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import {
  CatalogTooNewError,
  NotACatalogError,
  integrityCheck,
  latestVersion,
  migrate,
  openDatabase,
  userVersion,
} from '../../../electron/engine/catalog/database';
import type { Migration, SqliteDatabase } from '../../../electron/engine/catalog/database';
import { MIGRATIONS } from '../../../electron/engine/catalog/migrations';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-catalog-db-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

function schemaOf(db: SqliteDatabase): SchemaRow[] {
  return db
    // sqlite_stat* hold planner statistics (PRAGMA optimize), not schema.
    .prepare<[], SchemaRow>(
      `SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT GLOB 'sqlite_stat*' ORDER BY type, name`,
    )
    .all()
    .map((r) => ({ ...r, sql: r.sql && r.sql.replace(/\s+/g, ' ').trim() }));
}

const LATEST = latestVersion(MIGRATIONS);
const T0 = 1_700_000_000_000;
const VECTOR = new Float32Array([0.6, 0.8, 0, 0]);

/**
 * For every schema version before the latest: fills a catalog at that version with data, written with raw SQL as
 * the app of that version would have. A new migration must add the fixture for the version before it.
 */
const FIXTURES: Record<number, (db: SqliteDatabase, folderPath: string) => void> = {
  1: (db, folderPath) => {
    db.prepare(`INSERT INTO folders (id, path, added_at, watch_mode, last_scan_at) VALUES (1, ?, ?, 'polling', ?)`).run(
      folderPath,
      T0,
      T0 + 5,
    );
    const insert = db.prepare(
      `INSERT INTO photos (id, folder_id, path, size, mtime_ms, content_hash, width, height, taken_at, state,
         failure_reason, thumbnail, description, added_at, updated_at)
       VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run(1, path.join(folderPath, 'a.jpg'), 100, T0, 'hash-a', 640, 480, '2019-07-14T16:03:22', 'indexed', null, 'hash-a', 'beach', T0, T0);
    insert.run(2, path.join(folderPath, 'b.jpg'), 200, T0 + 1, null, null, null, null, 'pending', null, null, null, T0, T0);
    insert.run(3, path.join(folderPath, 'c.jpg'), 300, T0 + 2, null, null, null, null, 'failed', 'truncated', null, null, T0, T0);
    db.prepare(`INSERT INTO models (id, dim, vec_table, status, active, created_at, completed_at) VALUES ('toy', 4, 'vec_1', 'complete', 1, ?, ?)`).run(T0, T0);
    // What v1's EmbeddingRepository.ensureModel created (same text as today's).
    db.exec(`CREATE VIRTUAL TABLE vec_1 USING vec0(photo_id INTEGER PRIMARY KEY, embedding float[4])`);
    db.exec(`CREATE TRIGGER vec_1_photo_deleted AFTER DELETE ON photos BEGIN DELETE FROM vec_1 WHERE photo_id = old.id; END`);
    db.prepare('INSERT INTO vec_1 (photo_id, embedding) VALUES (?, ?)').run(1n, VECTOR);
  },
  // Version 2 only added photos.embedded_model (and a queue index): the same data, with the marker set.
  2: (db, folderPath) => {
    FIXTURES[1]!(db, folderPath);
    db.prepare(`UPDATE photos SET embedded_model = 'toy' WHERE state = 'indexed'`).run();
  },
};

describe('migrations', () => {
  it('are numbered 1..n and every earlier version has a fixture', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST).toBeGreaterThanOrEqual(2);
    expect(Object.keys(FIXTURES).map(Number)).toEqual(Array.from({ length: LATEST - 1 }, (_, i) => i + 1));
  });

  it('a fresh catalog is at the latest version with the expected tables', () => {
    const db = openDatabase(path.join(dir, 'fresh.sqlite'));
    expect(userVersion(db)).toBe(LATEST);
    const tables = schemaOf(db).filter((r) => r.type === 'table').map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['folders', 'photos', 'models']));
    const photoColumns = db.prepare<[], { name: string }>('PRAGMA table_info(photos)').all().map((c) => c.name);
    expect(photoColumns).toEqual(
      expect.arrayContaining(['content_hash', 'taken_at', 'thumbnail', 'description', 'keywords', 'embedded_model', 'state']),
    );
    db.close();
  });

  for (let version = 1; version < LATEST; version++) {
    it(`migrates a catalog with data from version ${version} to ${LATEST}`, () => {
      const folderPath = path.join(dir, 'Pictures');
      const file = path.join(dir, `v${version}.sqlite`);
      const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, version) });
      expect(userVersion(old)).toBe(version);
      FIXTURES[version]!(old, folderPath);
      old.close();

      const catalog = Catalog.open(file);
      expect(catalog.schemaVersion).toBe(LATEST);

      // Same schema as a fresh catalog holding the same model.
      const fresh = Catalog.open(path.join(dir, 'fresh.sqlite'));
      fresh.embeddings.ensureModel('toy', 4);
      expect(schemaOf(catalog.db)).toEqual(schemaOf(fresh.db));
      fresh.close();

      // Data survived, and later columns got sensible values.
      expect(catalog.folders.list()).toMatchObject([{ id: 1, path: folderPath, watchMode: 'polling', lastScanAt: T0 + 5 }]);
      expect(catalog.photos.get(1)).toMatchObject({
        state: 'indexed',
        contentHash: 'hash-a',
        takenAt: '2019-07-14T16:03:22',
        description: 'beach',
        embeddedModel: 'toy',
        note: null,
      });
      expect(catalog.photos.get(2)).toMatchObject({ state: 'pending', embeddedModel: null });
      expect(catalog.photos.get(3)).toMatchObject({ state: 'failed', failureReason: 'truncated' });
      expect(catalog.embeddings.activeModel()).toMatchObject({ id: 'toy', status: 'complete' });
      expect(Array.from(catalog.embeddings.get('toy', 1)!)).toEqual(Array.from(VECTOR));
      expect(catalog.embeddings.knn('toy', VECTOR, 5)).toEqual([{ photoId: 1, distance: expect.closeTo(0, 6) }]);
      expect(catalog.findOrphans()).toEqual([]);
      expect(catalog.embeddings.findMissing()).toEqual([]);
      expect(catalog.integrityCheck()).toEqual([]);

      // The vector-deleting trigger from the old version still works.
      catalog.folders.remove(1);
      expect(catalog.embeddings.count('toy')).toBe(0);
      catalog.close();
    });
  }

  it('version 2 re-queues photos marked indexed in a version 1 catalog without an active model', () => {
    const file = path.join(dir, 'v1-no-model.sqlite');
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 1) });
    old.prepare(`INSERT INTO folders (id, path, added_at) VALUES (1, '/p', 0)`).run();
    old.prepare(`INSERT INTO photos (id, folder_id, path, size, mtime_ms, state, added_at, updated_at) VALUES (1, 1, '/p/a.jpg', 1, 1, 'indexed', 0, 0)`).run();
    old.close();
    const catalog = Catalog.open(file);
    expect(catalog.photos.get(1)).toMatchObject({ state: 'pending', embeddedModel: null });
    catalog.close();
  });

  it('a failing migration rolls back completely and leaves the earlier version', () => {
    const file = path.join(dir, 'broken.sqlite');
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        version: LATEST + 1,
        description: 'fails half-way',
        up: (db) => {
          db.exec('CREATE TABLE half_done (x INTEGER)');
          db.exec('INSERT INTO no_such_table VALUES (1)');
        },
      },
    ];
    expect(() => openDatabase(file, { migrations: broken })).toThrow(/no_such_table/);
    const db = openDatabase(file);
    expect(userVersion(db)).toBe(LATEST);
    expect(schemaOf(db).some((r) => r.name === 'half_done')).toBe(false);
    db.close();
  });

  it('refuses a migration that breaks a foreign key', () => {
    const file = path.join(dir, 'fk.sqlite');
    const bad: Migration[] = [
      ...MIGRATIONS,
      {
        version: LATEST + 1,
        description: 'dangling photo',
        up: `INSERT INTO photos (folder_id, path, size, mtime_ms, added_at, updated_at) VALUES (999, '/x.jpg', 1, 1, 0, 0)`,
      },
    ];
    expect(() => openDatabase(file, { migrations: bad })).toThrow(/foreign keys/);
    const db = openDatabase(file);
    expect(db.prepare('SELECT count(*) AS n FROM photos').get()).toEqual({ n: 0 });
    db.close();
  });

  it('rejects a misnumbered migration list', () => {
    const db = new Database(path.join(dir, 'x.sqlite'));
    expect(() => migrate(db, [{ version: 2, description: 'gap', up: '' }])).toThrow(/numbered/);
    db.close();
  });
});

describe('opening', () => {
  it('refuses a catalog written by a newer app, without touching it', () => {
    const file = path.join(dir, 'future.sqlite');
    Catalog.open(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST + 1}`);
    raw.close();

    expect(() => Catalog.open(file)).toThrow(CatalogTooNewError);
    expect(() => Catalog.open(file)).toThrow(/newer version of Shoebox.*Update Shoebox/);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST + 1);
    after.close();
  });

  it('refuses an SQLite file that is not a catalog', () => {
    const file = path.join(dir, 'other.sqlite');
    const other = new Database(file);
    other.exec('CREATE TABLE notes (body TEXT)');
    other.close();
    expect(() => Catalog.open(file)).toThrow(NotACatalogError);
  });

  it('sets the connection pragmas', () => {
    const db = openDatabase(path.join(dir, 'p.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    expect(db.prepare('SELECT vec_version() AS v').get()).toEqual({ v: 'v0.1.9' });
    db.close();
  });

  it('integrity_check passes and the catalog persists across reopen', () => {
    const file = path.join(dir, 'c.sqlite');
    const a = Catalog.open(file);
    expect(a.integrityCheck()).toEqual([]);
    const folder = a.folders.add(path.join(dir, 'Pictures'));
    a.close();
    const b = Catalog.open(file);
    expect(b.folders.list()).toEqual([folder]);
    expect(integrityCheck(b.db)).toEqual([]);
    b.close();
  });

  it('openInDataDir creates the directory and the catalog file in it', () => {
    const dataDir = path.join(dir, 'data', 'nested');
    const catalog = Catalog.openInDataDir(dataDir);
    expect(catalog.db.name).toBe(path.join(dataDir, 'catalog.sqlite'));
    catalog.close();
  });
});
