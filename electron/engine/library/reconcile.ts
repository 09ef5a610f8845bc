import path from 'node:path';
import type { Catalog } from '../catalog/catalog';
import type { KnownFile, ScanRecord } from '../catalog/photo-repository';
import type { PhotoFilter } from './file-types';
import { scanFolder } from './scanner';
import type { ScanProblem } from './scanner';

/**
 * The first half of a reconciliation scan: walk one library folder and bring the catalog up to date with what is
 * on disk, except for the two things that need the whole library to decide - photos that are no longer where the
 * catalog says (deleted, or moved elsewhere) and new files that may be such a photo under a new path. Those come
 * back to the caller, who matches them by content hash across every folder scanned and only then deletes.
 */

/** Catalog writes per transaction while scanning. */
export const DEFAULT_BATCH_SIZE = 500;

export interface FolderRef {
  id: number;
  path: string;
}

export interface FolderScanResult {
  folderId: number;
  /** The whole root could not be read (missing, unplugged, no permission): nothing was changed or found missing. */
  rootProblem: ScanProblem | null;
  /** Every folder or file that could not be read; catalogued photos under them are never counted as missing. */
  problems: ScanProblem[];
  /** Catalogued when the scan began, not found by it, and not under a problem path. */
  missing: KnownFile[];
  /** New files held back because a vanished photo of the same size may be them; not yet in the catalog. */
  held: ScanRecord[];
  /** Photo files the scan found. */
  seen: number;
  /** Files written as new or changed (pending). */
  queued: number;
}

export interface FolderScanOptions {
  /** Aborting makes the scan throw (AbortError); nothing more is written after the abort. */
  signal?: AbortSignal;
  filter?: PhotoFilter;
  batchSize?: number;
  /** New files of these sizes are held back (see FolderScanResult.held). */
  holdSizes?: ReadonlySet<number>;
  /** Called after a batch that queued new or changed photos. */
  onQueued?: (count: number) => void;
}

export async function scanFolderChanges(catalog: Catalog, folder: FolderRef, options: FolderScanOptions = {}): Promise<FolderScanResult> {
  const { signal, holdSizes, onQueued } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const known = new Map(catalog.photos.listInFolder(folder.id).map((k) => [k.path, k]));
  const unseen = new Map(known);
  const problems: ScanProblem[] = [];
  const held: ScanRecord[] = [];
  let batch: ScanRecord[] = [];
  let seen = 0;
  let queued = 0;

  const flush = (): void => {
    if (batch.length === 0) return;
    // Checked here, synchronously before the write: a folder removed meanwhile must get no rows.
    signal?.throwIfAborted();
    const n = writeScanRecords(catalog, batch, (p) => known.get(p));
    batch = [];
    queued += n;
    if (n > 0) onQueued?.(n);
  };

  const scanOptions = { onError: (problem: ScanProblem) => problems.push(problem), ...(signal ? { signal } : {}), ...(options.filter ? { filter: options.filter } : {}) };
  for await (const file of scanFolder(folder.path, scanOptions)) {
    seen++;
    unseen.delete(file.path);
    const before = known.get(file.path);
    if (before && sameVersion(before, file)) continue;
    const record: ScanRecord = { folderId: folder.id, path: file.path, size: file.size, mtimeMs: file.mtimeMs };
    if (!before && holdSizes?.has(file.size)) held.push(record);
    else if (batch.push(record) >= batchSize) flush();
  }
  flush();

  const rootProblem = problems.find((p) => p.isRoot) ?? null;
  const missing = rootProblem ? [] : [...unseen.values()].filter((k) => !problems.some((p) => isAtOrUnder(p.path, k.path)));
  return { folderId: folder.id, rootProblem, problems, missing, held, seen, queued };
}

/**
 * Upserts scanned files in one transaction, each only if its catalog row is still what the scan started from
 * (`expected`; undefined = no row): a live watcher event that wrote a newer version meanwhile wins over the scan's
 * older stat. Returns how many photos became pending (new or changed).
 */
export function writeScanRecords(catalog: Catalog, records: readonly ScanRecord[], expected: (filePath: string) => KnownFile | undefined): number {
  return catalog.transaction(() => {
    let queued = 0;
    for (const record of records) {
      const current = catalog.photos.getByPath(record.path);
      const before = expected(record.path);
      const untouched = current === undefined ? before === undefined : before !== undefined && current.id === before.id && sameVersion(current, before);
      if (!untouched) continue;
      if (catalog.photos.upsertScanned(record).change !== 'unchanged') queued++;
    }
    return queued;
  });
}

/** Sizes of every photo with a content hash in these folders: the only photos a move can be recognised for. */
export function hashedSizes(catalog: Catalog, folderIds: readonly number[]): Set<number> {
  const sizes = new Set<number>();
  for (const id of folderIds) {
    for (const k of catalog.photos.listInFolder(id)) if (k.contentHash !== null) sizes.add(k.size);
  }
  return sizes;
}

/** Same size and same whole-millisecond mtime (the catalog stores mtime truncated). */
export function sameVersion(a: { size: number; mtimeMs: number }, b: { size: number; mtimeMs: number }): boolean {
  return a.size === b.size && Math.trunc(a.mtimeMs) === Math.trunc(b.mtimeMs);
}

/** Whether `target` is `dir` or inside it. */
export function isAtOrUnder(dir: string, target: string): boolean {
  if (target === dir) return true;
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return target.startsWith(prefix);
}
