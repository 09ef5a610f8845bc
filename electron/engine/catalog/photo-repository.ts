import type { SqliteDatabase } from './database';
import { statementCache } from './database';
import { requireAbsolute } from './folder-repository';

/**
 * pending: needs (re)embedding with the active model - the work queue. indexed: has a vector from embedded_model.
 * failed: could not be read or decoded (failure_reason); retried when the file changes or on retryFailed().
 */
export type PhotoState = 'pending' | 'indexed' | 'failed';

/** What a folder scan knows about a file: enough to notice changes without reading it. */
export interface ScanRecord {
  folderId: number;
  path: string;
  size: number;
  mtimeMs: number;
}

export type ScanChange = 'added' | 'changed' | 'unchanged';

/** The file version a piece of work was done on; a result for an older version is not recorded. */
export interface FileVersion {
  size: number;
  mtimeMs: number;
}

/** What indexing learned about a photo. Dimensions are upright (after EXIF orientation). */
export interface PhotoDetails {
  contentHash: string;
  width?: number | null;
  height?: number | null;
  /** ISO 8601 wall-clock time from EXIF, e.g. '2019-07-14T16:03:22' or with an offset. */
  takenAt?: string | null;
  cameraMake?: string | null;
  cameraModel?: string | null;
  gpsLat?: number | null;
  gpsLon?: number | null;
  format?: string | null;
  /** Key (content hash) of the cached thumbnail file. */
  thumbnail?: string | null;
}

export interface Photo {
  id: number;
  folderId: number;
  path: string;
  size: number;
  mtimeMs: number;
  contentHash: string | null;
  width: number | null;
  height: number | null;
  takenAt: string | null;
  cameraMake: string | null;
  cameraModel: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
  format: string | null;
  state: PhotoState;
  failureReason: string | null;
  thumbnail: string | null;
  embeddedModel: string | null;
  description: string | null;
  keywords: string | null;
  /** The user's own note. */
  note: string | null;
  addedAt: number;
  updatedAt: number;
}

export interface PendingPhoto {
  id: number;
  folderId: number;
  path: string;
  size: number;
  mtimeMs: number;
  contentHash: string | null;
}

/** Position in the pending queue: pass the last photo of a page to get the next page. */
export interface QueueCursor {
  mtimeMs: number;
  id: number;
}

export interface KnownFile {
  id: number;
  path: string;
  size: number;
  mtimeMs: number;
  contentHash: string | null;
  state: PhotoState;
}

export interface StateCounts {
  pending: number;
  indexed: number;
  failed: number;
  total: number;
}

export interface FolderCounts extends StateCounts {
  folderId: number;
}

export interface Failure {
  id: number;
  folderId: number;
  path: string;
  reason: string;
  updatedAt: number;
}

interface PhotoRow {
  id: number;
  folder_id: number;
  path: string;
  size: number;
  mtime_ms: number;
  content_hash: string | null;
  width: number | null;
  height: number | null;
  taken_at: string | null;
  camera_make: string | null;
  camera_model: string | null;
  gps_lat: number | null;
  gps_lon: number | null;
  format: string | null;
  state: PhotoState;
  failure_reason: string | null;
  thumbnail: string | null;
  embedded_model: string | null;
  description: string | null;
  keywords: string | null;
  note: string | null;
  added_at: number;
  updated_at: number;
}

interface QueueRow {
  id: number;
  folder_id: number;
  path: string;
  size: number;
  mtime_ms: number;
  content_hash: string | null;
}

interface KnownRow {
  id: number;
  path: string;
  size: number;
  mtime_ms: number;
  content_hash: string | null;
  state: PhotoState;
}

interface FailureRow {
  id: number;
  folder_id: number;
  path: string;
  failure_reason: string | null;
  updated_at: number;
}

interface CountRow {
  folder_id: number;
  state: PhotoState;
  n: number;
}

const COLUMNS = `id, folder_id, path, size, mtime_ms, content_hash, width, height, taken_at, camera_make, camera_model,
  gps_lat, gps_lon, format, state, failure_reason, thumbnail, embedded_model, description, keywords, note, added_at, updated_at`;

function toPhoto(r: PhotoRow): Photo {
  return {
    id: r.id,
    folderId: r.folder_id,
    path: r.path,
    size: r.size,
    mtimeMs: r.mtime_ms,
    contentHash: r.content_hash,
    width: r.width,
    height: r.height,
    takenAt: r.taken_at,
    cameraMake: r.camera_make,
    cameraModel: r.camera_model,
    gpsLat: r.gps_lat,
    gpsLon: r.gps_lon,
    format: r.format,
    state: r.state,
    failureReason: r.failure_reason,
    thumbnail: r.thumbnail,
    embeddedModel: r.embedded_model,
    description: r.description,
    keywords: r.keywords,
    note: r.note,
    addedAt: r.added_at,
    updatedAt: r.updated_at,
  };
}

/** Whole milliseconds: fs.Stats.mtimeMs has a fraction, and the column is an INTEGER. */
function ms(mtimeMs: number): number {
  return Math.trunc(mtimeMs);
}

/**
 * Photos by absolute path. Deleting a row (directly or through its folder) deletes its vectors in the same statement:
 * EmbeddingRepository installs an AFTER DELETE trigger per vector table. Never use INSERT OR REPLACE on photos:
 * REPLACE deletes without firing those triggers.
 */
export class PhotoRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {
    this.prepare = statementCache(db);
  }

  private readonly prepare: SqliteDatabase['prepare'];

  /**
   * Records a scanned file. A new path is queued (pending); a known path whose size or mtime changed is queued again
   * (its old vector stays searchable until the new one replaces it); an unchanged file keeps its state.
   */
  upsertScanned(record: ScanRecord): { id: number; change: ScanChange } {
    requireAbsolute(record.path);
    const mtime = ms(record.mtimeMs);
    const now = this.now();
    const existing = this.prepare<[string], { id: number; folder_id: number; size: number; mtime_ms: number }>(
        'SELECT id, folder_id, size, mtime_ms FROM photos WHERE path = ?',
      )
      .get(record.path);
    if (!existing) {
      const id = this.prepare<[number, string, number, number, number, number], { id: number }>(
          `INSERT INTO photos (folder_id, path, size, mtime_ms, added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
        )
        .get(record.folderId, record.path, record.size, mtime, now, now)!.id;
      return { id, change: 'added' };
    }
    if (existing.size !== record.size || existing.mtime_ms !== mtime) {
      this.prepare(
          `UPDATE photos SET folder_id = ?, size = ?, mtime_ms = ?, content_hash = NULL, state = 'pending',
             failure_reason = NULL, updated_at = ? WHERE id = ?`,
        )
        .run(record.folderId, record.size, mtime, now, existing.id);
      return { id: existing.id, change: 'changed' };
    }
    if (existing.folder_id !== record.folderId) {
      this.prepare('UPDATE photos SET folder_id = ?, updated_at = ? WHERE id = ?').run(record.folderId, now, existing.id);
    }
    return { id: existing.id, change: 'unchanged' };
  }

  /** upsertScanned for a batch, in one transaction (one fsync-free WAL commit instead of thousands). */
  upsertMany(records: readonly ScanRecord[]): Array<{ id: number; change: ScanChange }> {
    return this.db.transaction(() => records.map((r) => this.upsertScanned(r))).immediate();
  }

  /**
   * The work queue, newest files first (mtime descending): right after adding a big library, the photos the user
   * most likely looks for - recent ones - become searchable first. Page with the last row as `after`.
   */
  listPending(limit: number, after?: QueueCursor): PendingPhoto[] {
    // INDEXED BY: without ANALYZE statistics the planner prefers photos_state and sorts every pending row.
    const rows = after
      ? this.prepare<[number, number, number], QueueRow>(
            `SELECT id, folder_id, path, size, mtime_ms, content_hash FROM photos INDEXED BY photos_queue
             WHERE state = 'pending' AND (mtime_ms, id) < (?, ?) ORDER BY mtime_ms DESC, id DESC LIMIT ?`,
          )
          .all(ms(after.mtimeMs), after.id, limit)
      : this.prepare<[number], QueueRow>(
            `SELECT id, folder_id, path, size, mtime_ms, content_hash FROM photos INDEXED BY photos_queue
             WHERE state = 'pending' ORDER BY mtime_ms DESC, id DESC LIMIT ?`,
          )
          .all(limit);
    return rows.map((r) => ({
      id: r.id,
      folderId: r.folder_id,
      path: r.path,
      size: r.size,
      mtimeMs: r.mtime_ms,
      contentHash: r.content_hash,
    }));
  }

  /**
   * Flips a pending photo to indexed and stores what indexing learned. Returns false, changing nothing, when the
   * photo is gone, no longer pending, or (with `expected`) its file changed since the work started.
   * Call it in the same transaction as the vector write (Catalog.saveResults does both).
   */
  markIndexed(id: number, modelId: string, details: PhotoDetails, expected?: FileVersion): boolean {
    const result = this.prepare(
        `UPDATE photos SET state = 'indexed', failure_reason = NULL, embedded_model = @modelId,
           content_hash = @contentHash, width = @width, height = @height, taken_at = @takenAt,
           camera_make = @cameraMake, camera_model = @cameraModel, gps_lat = @gpsLat, gps_lon = @gpsLon,
           format = @format, thumbnail = @thumbnail, updated_at = @now
         WHERE id = @id AND state = 'pending' AND (@size IS NULL OR (size = @size AND mtime_ms = @mtime))`,
      )
      .run({
        id,
        modelId,
        contentHash: details.contentHash,
        width: details.width ?? null,
        height: details.height ?? null,
        takenAt: details.takenAt ?? null,
        cameraMake: details.cameraMake ?? null,
        cameraModel: details.cameraModel ?? null,
        gpsLat: details.gpsLat ?? null,
        gpsLon: details.gpsLon ?? null,
        format: details.format ?? null,
        thumbnail: details.thumbnail ?? null,
        now: this.now(),
        size: expected ? expected.size : null,
        mtime: expected ? ms(expected.mtimeMs) : null,
      });
    return result.changes > 0;
  }

  /** Flips a pending photo to failed; same guards as markIndexed. */
  markFailed(id: number, reason: string, expected?: FileVersion): boolean {
    const result = this.prepare(
        `UPDATE photos SET state = 'failed', failure_reason = @reason, updated_at = @now
         WHERE id = @id AND state = 'pending' AND (@size IS NULL OR (size = @size AND mtime_ms = @mtime))`,
      )
      .run({
        id,
        reason,
        now: this.now(),
        size: expected ? expected.size : null,
        mtime: expected ? ms(expected.mtimeMs) : null,
      });
    return result.changes > 0;
  }

  /** Puts failed photos back in the queue (all, or one folder's). Returns how many. */
  retryFailed(folderId?: number): number {
    const sql = `UPDATE photos SET state = 'pending', failure_reason = NULL, updated_at = ?
                 WHERE state = 'failed'${folderId === undefined ? '' : ' AND folder_id = ?'}`;
    const params = folderId === undefined ? [this.now()] : [this.now(), folderId];
    return this.prepare(sql).run(...params).changes;
  }

  /** Queues photos again (e.g. the user asked to re-index). Their vectors stay until replaced. */
  requeue(ids: readonly number[]): number {
    return this.prepare(
        `UPDATE photos SET state = 'pending', failure_reason = NULL, updated_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) AND state != 'pending'`,
      )
      .run(this.now(), JSON.stringify(ids)).changes;
  }

  get(id: number): Photo | undefined {
    const row = this.prepare<[number], PhotoRow>(`SELECT ${COLUMNS} FROM photos WHERE id = ?`).get(id);
    return row && toPhoto(row);
  }

  getByPath(photoPath: string): Photo | undefined {
    const row = this.prepare<[string], PhotoRow>(`SELECT ${COLUMNS} FROM photos WHERE path = ?`).get(photoPath);
    return row && toPhoto(row);
  }

  /** Photos for search results, in the order of `ids`; ids that no longer exist are left out. */
  getByIds(ids: readonly number[]): Photo[] {
    if (ids.length === 0) return [];
    const rows = this.prepare<[string], PhotoRow>(`SELECT ${COLUMNS} FROM photos WHERE id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids));
    const byId = new Map(rows.map((r) => [r.id, toPhoto(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Candidates for move/rename detection: a vanished path and a new path with the same content are one photo. */
  findByContentHash(contentHash: string): Photo[] {
    return this.prepare<[string], PhotoRow>(`SELECT ${COLUMNS} FROM photos WHERE content_hash = ? ORDER BY id`)
      .all(contentHash)
      .map(toPhoto);
  }

  /** Every file the catalog knows in a folder, for diffing against a scan. */
  listInFolder(folderId: number): KnownFile[] {
    return this.prepare<[number], KnownRow>(
        'SELECT id, path, size, mtime_ms, content_hash, state FROM photos WHERE folder_id = ? ORDER BY path',
      )
      .all(folderId)
      .map((r) => ({ id: r.id, path: r.path, size: r.size, mtimeMs: r.mtime_ms, contentHash: r.content_hash, state: r.state }));
  }

  /**
   * The photo now lives at `to` (moved or renamed). It keeps its id, so it keeps its vectors, state and metadata.
   * A row already at the new path (the scan saw the new name before the move was recognised) is replaced.
   */
  moveTo(id: number, to: ScanRecord): void {
    requireAbsolute(to.path);
    this.db
      .transaction(() => {
        this.prepare('DELETE FROM photos WHERE path = ? AND id != ?').run(to.path, id);
        const changed = this.prepare('UPDATE photos SET path = ?, folder_id = ?, size = ?, mtime_ms = ?, updated_at = ? WHERE id = ?')
          .run(to.path, to.folderId, to.size, ms(to.mtimeMs), this.now(), id).changes;
        if (changed === 0) throw new Error(`cannot move photo ${id}: it is not in the catalog`);
      })
      .immediate();
  }

  /** Deletes the photo and (by trigger, same transaction) its vectors. */
  delete(id: number): boolean {
    return this.prepare('DELETE FROM photos WHERE id = ?').run(id).changes > 0;
  }

  deleteMany(ids: readonly number[]): number {
    return this.prepare('DELETE FROM photos WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids))
      .changes;
  }

  setUserText(id: number, text: { description?: string | null; keywords?: string | null }): void {
    this.prepare(
        `UPDATE photos SET
           description = CASE WHEN @setDescription THEN @description ELSE description END,
           keywords = CASE WHEN @setKeywords THEN @keywords ELSE keywords END,
           updated_at = @now
         WHERE id = @id`,
      )
      .run({
        id,
        setDescription: text.description === undefined ? 0 : 1,
        description: text.description ?? null,
        setKeywords: text.keywords === undefined ? 0 : 1,
        keywords: text.keywords ?? null,
        now: this.now(),
      });
  }

  /** Sets (or clears, with an empty string) the user's note. */
  setNote(id: number, note: string): boolean {
    const text = note.trim();
    return this.prepare('UPDATE photos SET note = ?, updated_at = ? WHERE id = ?').run(text === '' ? null : text, this.now(), id).changes > 0;
  }

  /** Counts by state over the whole library. */
  counts(): StateCounts {
    const total: StateCounts = { pending: 0, indexed: 0, failed: 0, total: 0 };
    for (const c of this.countsByFolder()) addCounts(total, c);
    return total;
  }

  /** Counts by state for each folder that has photos. */
  countsByFolder(): FolderCounts[] {
    const rows = this.prepare<[], CountRow>('SELECT folder_id, state, count(*) AS n FROM photos GROUP BY folder_id, state')
      .all();
    const byFolder = new Map<number, FolderCounts>();
    for (const r of rows) {
      let c = byFolder.get(r.folder_id);
      if (!c) byFolder.set(r.folder_id, (c = { folderId: r.folder_id, pending: 0, indexed: 0, failed: 0, total: 0 }));
      c[r.state] += r.n;
      c.total += r.n;
    }
    return [...byFolder.values()].sort((a, b) => a.folderId - b.folderId);
  }

  /** Failed photos with their reasons, most recent first. */
  failures(options: { folderId?: number; limit?: number } = {}): Failure[] {
    const rows = this.prepare<[{ folderId: number | null; limit: number }], FailureRow>(
        `SELECT id, folder_id, path, failure_reason, updated_at FROM photos
         WHERE state = 'failed' AND (@folderId IS NULL OR folder_id = @folderId)
         ORDER BY updated_at DESC, id DESC LIMIT @limit`,
      )
      .all({ folderId: options.folderId ?? null, limit: options.limit ?? -1 });
    return rows.map((r) => ({
      id: r.id,
      folderId: r.folder_id,
      path: r.path,
      reason: r.failure_reason ?? '',
      updatedAt: r.updated_at,
    }));
  }

  /** Thumbnail keys still referenced, so the thumbnail cache can delete files nobody points at. */
  thumbnailKeys(): Set<string> {
    return new Set(
      this.prepare<[], string>('SELECT DISTINCT thumbnail FROM photos WHERE thumbnail IS NOT NULL')
        .pluck()
        .all(),
    );
  }
}

function addCounts(into: StateCounts, c: StateCounts): void {
  into.pending += c.pending;
  into.indexed += c.indexed;
  into.failed += c.failed;
  into.total += c.total;
}
