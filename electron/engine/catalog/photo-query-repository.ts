import type { SearchFilters } from '@shared/types';
import type { SqliteDatabase } from './database';
import { statementCache } from './database';

/**
 * Photos browsing shows: indexed ones, and those queued again after a model switch or a file change that still
 * have their thumbnail, so the library does not empty while it is re-embedded.
 */
const BROWSABLE = `state != 'failed' AND (state = 'indexed' OR thumbnail IS NOT NULL)`;

/**
 * The date a photo is sorted and filtered by: EXIF time, else the file's modification time (UTC). The photos_date
 * index (migration 3) is on this exact expression, so SQLite uses it only while the two match character for character.
 */
const DATE_KEY = `COALESCE(taken_at, strftime('%Y-%m-%dT%H:%M:%S', mtime_ms / 1000, 'unixepoch'))`;

export type DateOrder = 'date-desc' | 'date-asc';

/** A WHERE condition over photos with its named parameters. */
export interface FilterClause {
  sql: string;
  params: Record<string, unknown>;
}

/** SQL for the filters (named parameters), or null when there are none. */
export function filterClause(filters: SearchFilters | undefined): FilterClause | null {
  if (!filters) return null;
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  if (filters.folderIds && filters.folderIds.length > 0) {
    parts.push('folder_id IN (SELECT value FROM json_each(@folderIds))');
    params.folderIds = JSON.stringify(filters.folderIds);
  }
  if (filters.takenFrom) {
    parts.push(`${DATE_KEY} >= @takenFrom`);
    params.takenFrom = filters.takenFrom.replace(' ', 'T');
  }
  if (filters.takenTo) {
    // Inclusive of the whole period the prefix names: '2019-07' takes every time in July 2019.
    parts.push(`${DATE_KEY} <= @takenTo`);
    params.takenTo = `${filters.takenTo.replace(' ', 'T')}\u{10FFFF}`;
  }
  if (filters.formats && filters.formats.length > 0) {
    parts.push('format IN (SELECT value FROM json_each(@formats))');
    params.formats = JSON.stringify(filters.formats.map((f) => f.toLowerCase()));
  }
  if (filters.camera && filters.camera.trim() !== '') {
    parts.push(`(COALESCE(camera_make, '') || ' ' || COALESCE(camera_model, '')) LIKE @camera ESCAPE '\\'`);
    params.camera = `%${filters.camera.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  return parts.length > 0 ? { sql: parts.join(' AND '), params } : null;
}

/** Read-only queries over photos for search and browsing: filters, dates and pages of the library by date. */
export class PhotoQueryRepository {
  private readonly prepare: SqliteDatabase['prepare'];

  constructor(private readonly db: SqliteDatabase) {
    this.prepare = statementCache(db);
  }

  /** Ids of indexed photos that pass the filters; null when the filters restrict nothing. */
  indexedIdsMatching(filters: SearchFilters | undefined): number[] | null {
    const where = filterClause(filters);
    if (!where) return null;
    return this.db
      .prepare(`SELECT id FROM photos WHERE state = 'indexed' AND ${where.sql}`)
      .pluck()
      .all(where.params) as number[];
  }

  /** The date key (see DATE_KEY) of each photo that exists, by id. */
  dateKeys(ids: readonly number[]): Map<number, string> {
    const keys = new Map<number, string>();
    const rows = this.prepare<[string], { id: number; date: string }>(
      `SELECT id, ${DATE_KEY} AS date FROM photos WHERE id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids));
    for (const row of rows) keys.set(row.id, row.date);
    return keys;
  }

  /** How many photos browsing shows with these filters. */
  countBrowsable(filters: SearchFilters | undefined): number {
    const where = filterClause(filters);
    return this.db.prepare(`SELECT count(*) FROM photos WHERE ${browsableCondition(where)}`).pluck().get(where?.params ?? {}) as number;
  }

  /** One page of the photos browsing shows, by date (ties by id in the same direction). */
  browsableIds(filters: SearchFilters | undefined, order: DateOrder, limit: number, offset: number): number[] {
    const where = filterClause(filters);
    const direction = order === 'date-asc' ? 'ASC' : 'DESC';
    return this.db
      .prepare(`SELECT id FROM photos WHERE ${browsableCondition(where)} ORDER BY ${DATE_KEY} ${direction}, id ${direction} LIMIT @limit OFFSET @offset`)
      .pluck()
      .all({ ...(where?.params ?? {}), limit, offset }) as number[];
  }
}

function browsableCondition(where: FilterClause | null): string {
  return `${BROWSABLE}${where ? ` AND ${where.sql}` : ''}`;
}
