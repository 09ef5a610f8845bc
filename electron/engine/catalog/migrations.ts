import type { Migration, SqliteDatabase } from './database';

/*
 * The catalog schema, as an append-only list. Never edit a migration that has shipped: add a new one.
 * Conventions: times are integer milliseconds since the epoch; paths are absolute; tables are STRICT so a wrong
 * type is an error instead of a silently stored string.
 * Vector tables (vec_<n>, sqlite-vec vec0) are not created here: EmbeddingRepository creates one per model on
 * demand, with a trigger that deletes a photo's vector when the photo row goes.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'folders, photos, models',
    up: `
      CREATE TABLE folders (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        path         TEXT    NOT NULL UNIQUE,
        added_at     INTEGER NOT NULL,
        watch_mode   TEXT    NOT NULL DEFAULT 'watching' CHECK (watch_mode IN ('watching', 'polling', 'manual')),
        last_scan_at INTEGER,
        error        TEXT
      ) STRICT;

      -- AUTOINCREMENT: an id is never reused, so an id cached outside the catalog (a search index, a UI
      -- selection) can never come to mean a different photo.
      CREATE TABLE photos (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        folder_id      INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        path           TEXT    NOT NULL UNIQUE,
        size           INTEGER NOT NULL,
        mtime_ms       INTEGER NOT NULL,
        content_hash   TEXT,
        width          INTEGER,
        height         INTEGER,
        -- The camera's wall-clock time as ISO 8601 ('2019-07-14T16:03:22', offset appended when EXIF has one):
        -- EXIF dates rarely carry a zone, so an epoch number would invent one. Sorts chronologically as text.
        taken_at       TEXT    CHECK (taken_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'),
        camera_make    TEXT,
        camera_model   TEXT,
        gps_lat        REAL,
        gps_lon        REAL,
        format         TEXT,
        state          TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'indexed', 'failed')),
        failure_reason TEXT,
        thumbnail      TEXT,
        description    TEXT,
        keywords       TEXT,
        added_at       INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX photos_state ON photos(state);
      CREATE INDEX photos_folder ON photos(folder_id, state);
      CREATE INDEX photos_content_hash ON photos(content_hash) WHERE content_hash IS NOT NULL;
      CREATE INDEX photos_taken_at ON photos(taken_at) WHERE taken_at IS NOT NULL;

      -- One row per embedding model. vec_table maps the model to its vec0 table. Exactly one model is active
      -- (the one new vectors are computed with); 'building' until every photo has a vector from it, so search
      -- keeps using the previous complete model meanwhile.
      CREATE TABLE models (
        id           TEXT    PRIMARY KEY,
        dim          INTEGER NOT NULL CHECK (dim > 0),
        vec_table    TEXT    NOT NULL UNIQUE,
        status       TEXT    NOT NULL DEFAULT 'building' CHECK (status IN ('building', 'complete')),
        active       INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
        created_at   INTEGER NOT NULL,
        completed_at INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX models_one_active ON models(active) WHERE active = 1;
    `,
  },
  {
    version: 2,
    description: 'indexing queue: embedded_model marker and pending-queue index',
    up: (db: SqliteDatabase) => {
      // Which model the photo's 'indexed' state refers to: after a model switch, photos embedded with the old model
      // go back to 'pending' while keeping their old vectors, and this column tells the two apart.
      db.exec(`
        ALTER TABLE photos ADD COLUMN embedded_model TEXT REFERENCES models(id) ON DELETE SET NULL;
        -- The work queue in the order the pipeline takes it: newest files first.
        CREATE INDEX photos_queue ON photos(mtime_ms DESC, id DESC) WHERE state = 'pending';
      `);
      // Version 1 catalogs only ever embedded with the active model.
      db.prepare(
        `UPDATE photos SET embedded_model = (SELECT id FROM models WHERE active = 1) WHERE state = 'indexed'`,
      ).run();
      // Without an active model nothing can have been embedded; queue those photos again.
      db.prepare(`UPDATE photos SET state = 'pending' WHERE state = 'indexed' AND embedded_model IS NULL`).run();
    },
  },
  {
    version: 3,
    description: 'search: user notes, settings, labels, query history, text vectors',
    up: `
      -- The user's own note on a photo; searchable like an embedded caption.
      ALTER TABLE photos ADD COLUMN note TEXT;

      -- Browsing and date sort order by this key (EXIF time, else the file's mtime); the expression must match
      -- DATE_KEY in photo-query-repository.ts character for character for SQLite to use the index, and browsing's
      -- condition (BROWSABLE there) implies this WHERE.
      CREATE INDEX photos_date ON photos(COALESCE(taken_at, strftime('%Y-%m-%dT%H:%M:%S', mtime_ms / 1000, 'unixepoch')), id)
        WHERE state != 'failed';

      -- App settings as JSON values (see SettingsService).
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- The user's own labels: they join the caption bank that Describe ranks.
      CREATE TABLE labels (
        text     TEXT    PRIMARY KEY COLLATE NOCASE,
        added_at INTEGER NOT NULL
      ) STRICT;

      -- Past text queries: they join the caption bank too (most recent and most used first).
      CREATE TABLE query_history (
        text         TEXT    PRIMARY KEY COLLATE NOCASE,
        last_used_at INTEGER NOT NULL,
        uses         INTEGER NOT NULL DEFAULT 1
      ) STRICT;

      -- Text-tower embeddings cached per model: caption bank entries, labels, queries. 'method' says how the text
      -- was turned into a vector (e.g. a prompt-template ensemble version), so a change of method recomputes.
      -- model_id is the catalog's model id (weights fingerprint included) but not a foreign key: text vectors may
      -- be computed before the model has embedded any photo.
      CREATE TABLE text_vectors (
        model_id TEXT NOT NULL,
        method   TEXT NOT NULL,
        text     TEXT NOT NULL,
        vector   BLOB NOT NULL,
        PRIMARY KEY (model_id, method, text)
      ) STRICT;

      -- Text-tower embeddings of photos' own text (caption, keywords, note), for fused text search. text_hash
      -- says which text the vector was computed from, so an edited note is embedded again.
      CREATE TABLE photo_text_vectors (
        photo_id  INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        model_id  TEXT    NOT NULL,
        text_hash TEXT    NOT NULL,
        vector    BLOB    NOT NULL,
        PRIMARY KEY (model_id, photo_id)
      ) STRICT;
    `,
  },
];
