import { promises as fsp } from 'node:fs';
import type { Dir, Dirent, Stats } from 'node:fs';
import path from 'node:path';
import { defaultPhotoFilter } from './file-types';
import type { PhotoFilter } from './file-types';

/** A photo file found by a scan. `path` is absolute and goes through symlinks as the user sees it. */
export interface ScannedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * A folder (or file) the scan could not read. Its subtree was skipped, so the caller must NOT treat
 * catalogued photos under `path` as deleted. `isRoot` means the whole root was unreadable or missing
 * (an unplugged drive, a network share that is down).
 */
export interface ScanProblem {
  path: string;
  code: string;
  message: string;
  isRoot: boolean;
}

export interface ScanOptions {
  /** Aborting makes the generator throw the signal's reason (an AbortError by default). */
  signal?: AbortSignal;
  filter?: PhotoFilter;
  /** Follow symlinks to folders and photos (default true). Each real folder is still read only once. */
  followSymlinks?: boolean;
  /** Called for each folder or file that could not be read; the scan goes on without it. */
  onError?: (problem: ScanProblem) => void;
  /** Called once for each folder read (progress display; tests). */
  onDirectory?: (dirPath: string) => void;
}

/**
 * Walks `root` depth-first and yields every photo file under it, without holding the list in memory.
 *
 * Symlinks are followed safely: every folder is identified by its device and inode (read as BigInt,
 * exact on Windows too) and read at most once, so a link to an ancestor, to the root, or to a folder
 * already seen is skipped rather than walked again. A photo reachable through two paths (a symlinked
 * file) is yielded under both; the indexer pairs them by content hash.
 */
export async function* scanFolder(root: string, options: ScanOptions = {}): AsyncGenerator<ScannedFile, void, undefined> {
  const { signal, onError, onDirectory } = options;
  const filter = options.filter ?? defaultPhotoFilter;
  const followSymlinks = options.followSymlinks ?? true;
  const rootPath = path.resolve(root);
  const visited = new Set<string>();
  const pending: string[] = [rootPath];

  const report = (at: string, error: unknown): void => {
    const err = error as NodeJS.ErrnoException;
    onError?.({ path: at, code: err.code ?? 'UNKNOWN', message: err.message ?? String(error), isRoot: at === rootPath });
  };

  while (pending.length > 0) {
    signal?.throwIfAborted();
    const dir = pending.pop() as string;
    const isRoot = dir === rootPath;

    let dirStats;
    try {
      dirStats = await fsp.stat(dir, { bigint: true });
    } catch (error) {
      // A subfolder deleted while we scan is simply gone; anything else (or a missing root) is a problem.
      if (isRoot || !isNotFound(error)) report(dir, error);
      continue;
    }
    if (!dirStats.isDirectory()) {
      if (isRoot) report(dir, Object.assign(new Error(`not a folder: ${dir}`), { code: 'ENOTDIR' }));
      continue;
    }
    const identity = `${dirStats.dev}:${dirStats.ino}`;
    if (visited.has(identity)) continue; // a symlink loop, or a folder reached twice
    visited.add(identity);

    let handle: Dir;
    try {
      handle = await fsp.opendir(dir, { bufferSize: 64 });
    } catch (error) {
      if (isRoot || !isNotFound(error)) report(dir, error);
      continue;
    }
    onDirectory?.(dir);

    const subfolders: string[] = [];
    const batch: string[] = [];
    try {
      // for-await closes the handle however the loop ends, including the consumer breaking out.
      for await (const entry of handle) {
        signal?.throwIfAborted();
        if (filter.isIgnoredName(entry.name)) continue;
        const fullPath = path.join(dir, entry.name);
        const kind = await entryKind(entry, fullPath, followSymlinks);
        if (kind === 'folder') {
          subfolders.push(fullPath);
        } else if (kind === 'file' && filter.isPhotoName(entry.name)) {
          batch.push(fullPath);
          if (batch.length >= STAT_BATCH) yield* statBatch(batch.splice(0), report, signal);
        }
      }
      yield* statBatch(batch.splice(0), report, signal);
    } catch (error) {
      if (!isFsError(error)) throw error; // an abort, or an error thrown into the generator
      report(dir, error);
    }
    // Reversed so that folders are walked in the order they were listed.
    for (let i = subfolders.length - 1; i >= 0; i--) pending.push(subfolders[i] as string);
  }
}

/** What an entry is, after following a symlink when asked to; null for anything to skip. */
async function entryKind(entry: Dirent, fullPath: string, followSymlinks: boolean): Promise<'file' | 'folder' | null> {
  if (entry.isDirectory()) return 'folder';
  if (entry.isFile()) return 'file';
  let stats: Stats;
  try {
    if (entry.isSymbolicLink()) {
      if (!followSymlinks) return null;
      stats = await fsp.stat(fullPath); // a dangling link throws ENOENT: skip it
    } else {
      // Some filesystems do not report entry types (DT_UNKNOWN); ask the filesystem itself.
      const own = await fsp.lstat(fullPath);
      if (own.isSymbolicLink() && !followSymlinks) return null;
      stats = own.isSymbolicLink() ? await fsp.stat(fullPath) : own;
    }
  } catch {
    return null;
  }
  if (stats.isDirectory()) return 'folder';
  if (stats.isFile()) return 'file';
  return null;
}

/** Files are stat'ed this many at a time: one by one, the scan waits on each round trip. */
const STAT_BATCH = 32;

async function* statBatch(
  paths: string[],
  report: (at: string, error: unknown) => void,
  signal: AbortSignal | undefined,
): AsyncGenerator<ScannedFile, void, undefined> {
  if (paths.length === 0) return;
  const files = await Promise.all(paths.map((fullPath) => statFile(fullPath, report)));
  for (const file of files) {
    signal?.throwIfAborted();
    if (file) yield file;
  }
}

async function statFile(fullPath: string, report: (at: string, error: unknown) => void): Promise<ScannedFile | null> {
  try {
    const stats = await fsp.stat(fullPath);
    return stats.isFile() ? { path: fullPath, size: stats.size, mtimeMs: stats.mtimeMs } : null;
  } catch (error) {
    if (!isNotFound(error)) report(fullPath, error); // deleted since it was listed: nothing to report
    return null;
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function isFsError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && error.name !== 'AbortError';
}
