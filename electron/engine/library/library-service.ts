import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '@shared/errors';
import type { FolderStatus, PhotoFailure } from '@shared/types';
import type { Catalog } from '../catalog/catalog';
import type { Folder } from '../catalog/folder-repository';
import type { FolderCounts, KnownFile, ScanRecord } from '../catalog/photo-repository';
import type { IndexScheduler } from '../indexing/types';
import { MoveDetector } from './move-detector';
import type { VanishedPhoto } from './move-detector';
import { DEFAULT_BATCH_SIZE, hashedSizes, isAtOrUnder, sameVersion, scanFolderChanges, writeScanRecords } from './reconcile';
import type { FolderScanResult } from './reconcile';
import { FolderWatcher } from './watcher';
import type { FolderWatcherOptions, WatchEvent } from './watcher';

/**
 * Which folders are in the library, and keeping the catalog true to the disk: a reconciliation scan at start (what
 * changed while the app was closed) and live watcher events while it runs.
 *
 * Moves and renames keep the photo (id, vector, metadata) instead of delete + add, so nothing is embedded twice:
 * - live: an unlinked photo waits `moveGraceMs` for an add of the same size and content hash (any library folder);
 *   only then is it deleted. A removed subfolder (unlinkDir) puts all its photos on the same wait.
 * - scan: photos not found by a complete scan are matched against the new files found by the same round (all
 *   folders scanned together at start) before the rest are deleted.
 * A photo without a content hash was never indexed, so its move is simply delete + add.
 *
 * Nested folders: adding a folder inside a library folder is refused (its photos are already in the library);
 * adding a folder that contains library folders merges them into it - their photos move to the new folder with their
 * ids and vectors, and the inner folders leave the list.
 */

export interface LibraryServiceOptions {
  catalog: Catalog;
  scheduler: IndexScheduler;
  /** Watch folders for live changes (default true); the CLI's one-shot `index` passes false. */
  watch?: boolean;
  watcherOptions?: FolderWatcherOptions;
  /** Folder list changed (counts, scanning, mode, errors); throttled to a few calls per second. */
  onChange?: (folders: FolderStatus[]) => void;
  /** How long an unlinked photo waits for its new path before it is deleted (default 2000 ms). */
  moveGraceMs?: number;
  /** Catalog writes per transaction during a scan (default 500). */
  batchSize?: number;
  /** How often a folder whose root is missing (an unplugged drive) is checked for its return (default 30 s). */
  rootRetryMs?: number;
  /** The clock grace periods are measured on (Date.now by default; tests hold it still). */
  now?: () => number;
}

export type FolderRejection = 'not-absolute' | 'not-found' | 'not-a-folder' | 'unreadable' | 'already-added' | 'inside-library-folder' | 'closed';

/** addFolder refused the path; the message is meant for the person who chose it. */
export class FolderRejectedError extends Error {
  constructor(
    readonly reason: FolderRejection,
    message: string,
  ) {
    super(message);
    this.name = 'FolderRejectedError';
  }
}

interface FolderEntry {
  id: number;
  /** Resolved absolute path, as the watcher reports it. */
  path: string;
  /** Why the watcher is not using OS events (from its last 'mode' event). */
  modeReason: string | null;
  /** The last watcher error or failure to watch; cleared by the next clean scan. */
  watchError: string | null;
  scanning: boolean;
  scanAbort: AbortController | null;
  /** The root could not be read: photos are kept, and the folder is scanned again once it is back. */
  rootMissing: boolean;
  /** The watcher saw the root itself go; its watch is dead even if the root comes back within the grace period. */
  rootUnlinked: boolean;
}

interface QueuedRound {
  ids: Set<number>;
  done: Promise<void>;
}

const DEFAULT_MOVE_GRACE_MS = 2000;
const DEFAULT_ROOT_RETRY_MS = 30_000;
const NOTIFY_INTERVAL_MS = 100;

export class LibraryService {
  private readonly catalog: Catalog;
  private readonly scheduler: IndexScheduler;
  private readonly watch: boolean;
  private readonly watcher: FolderWatcher | null;
  private readonly detector: MoveDetector;
  private readonly batchSize: number;
  private readonly closing = new AbortController();
  private readonly rootRetryTimer: NodeJS.Timeout;
  private readonly entries = new Map<number, FolderEntry>();
  /** Live events and move resolution run one at a time, in arrival order. */
  private eventTail: Promise<void> = Promise.resolve();
  /** Scan rounds run one at a time (one disk walk at a time); requests while one waits join it. */
  private roundTail: Promise<void> = Promise.resolve();
  private queuedRound: QueuedRound | null = null;
  /** addFolder/removeFolder one at a time, so two adds cannot both pass the overlap check. */
  private adminTail: Promise<unknown> = Promise.resolve();
  private readonly watchStarts = new Set<Promise<void>>();
  private notifyTimer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;

  constructor(private readonly options: LibraryServiceOptions) {
    this.catalog = options.catalog;
    this.scheduler = options.scheduler;
    this.watch = options.watch ?? true;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.watcher = this.watch ? new FolderWatcher(options.watcherOptions) : null;
    this.watcher?.on((event) => this.onWatchEvent(event));
    this.detector = new MoveDetector({
      graceMs: options.moveGraceMs ?? DEFAULT_MOVE_GRACE_MS,
      signal: this.closing.signal,
      ...(options.now ? { now: options.now } : {}),
      onExpired: () => this.serial(() => this.sweepVanished()),
    });
    this.rootRetryTimer = setInterval(() => this.retryMissingRoots(), options.rootRetryMs ?? DEFAULT_ROOT_RETRY_MS);
    this.rootRetryTimer.unref();
  }

  /**
   * Reconciles every library folder with the disk (changes made while the app was closed, moves recognised by
   * content hash) and watches them. Resolves once the scan is done and the watchers are ready; a caller that must
   * not wait can leave it running (folders() shows `scanning`).
   */
  async start(): Promise<void> {
    if (this.closed) throw new Error('LibraryService is closed');
    if (this.started) throw new Error('LibraryService already started');
    this.started = true;
    const folders = this.catalog.folders.list();
    for (const folder of folders) if (!this.entries.has(folder.id)) this.entries.set(folder.id, newEntry(folder));
    // Watching starts with the scan, not after it: a change made while the scan runs is seen either way.
    for (const entry of this.entries.values()) this.startWatching(entry);
    await this.requestScan(folders.map((f) => f.id));
    await Promise.all([...this.watchStarts]);
    // Work left from the last session, too (the indexer may have been stopped half-way).
    if (!this.closed && this.catalog.photos.counts().pending > 0) this.scheduler.wake();
  }

  /**
   * Adds a folder to the library. Resolves once it is validated and in the catalog, with its scan started
   * (`scanning: true`); idle() waits for the scan. Throws FolderRejectedError with a readable message when the path is
   * not an existing, readable folder, is already in the library, or lies inside a library folder. A folder that
   * contains library folders absorbs them (their photos keep their ids and vectors).
   */
  addFolder(folderPath: string): Promise<FolderStatus> {
    return this.exclusive(() => this.addFolderNow(folderPath));
  }

  /**
   * Removes a folder: it is no longer watched from this call on, its scan stops, the indexer drops its queued work,
   * and its photos and their vectors are deleted (they leave search). Returns false for an unknown id.
   */
  removeFolder(folderId: number): Promise<boolean> {
    // Stopped here, not in turn: an add still validating must not delay it.
    const known = this.catalog.folders.get(folderId) !== undefined;
    const stopped = this.detach(folderId);
    if (known) this.scheduler.cancelFolder(folderId);
    return this.exclusive(async () => {
      await stopped;
      // Cascade: its photos go, and their vectors by trigger, in one statement.
      const removed = this.catalog.folders.remove(folderId);
      if (removed) {
        this.catalog.changed({ kind: 'folder-removed', folderId });
        this.notify();
      }
      return removed;
    });
  }

  /** Scans a folder again (a "rescan" button, or a drive that came back); resolves when done. */
  rescan(folderId: number): Promise<void> {
    if (!this.entries.has(folderId)) return Promise.resolve();
    return this.requestScan([folderId]);
  }

  folders(): FolderStatus[] {
    const counts = new Map(this.catalog.photos.countsByFolder().map((c) => [c.folderId, c]));
    return this.catalog.folders.list().map((f) => this.statusOf(f, counts.get(f.id)));
  }

  folder(folderId: number): FolderStatus | undefined {
    const folder = this.catalog.folders.get(folderId);
    if (!folder) return undefined;
    return this.statusOf(folder, this.catalog.photos.countsByFolder().find((c) => c.folderId === folderId));
  }

  /** Photos that could not be read, most recent first. */
  failures(folderId?: number, limit?: number): PhotoFailure[] {
    const options = { ...(folderId === undefined ? {} : { folderId }), ...(limit === undefined ? {} : { limit }) };
    return this.catalog.photos.failures(options).map((f) => ({ photoId: f.id, path: f.path, reason: f.reason }));
  }

  /** Resolves when no scan is running or queued and every received watcher event has been applied. */
  async idle(): Promise<void> {
    for (;;) {
      const round = this.roundTail;
      const events = this.eventTail;
      const admin = this.adminTail;
      await Promise.allSettled([round, events, admin, ...this.watchStarts]);
      if (round === this.roundTail && events === this.eventTail && admin === this.adminTail && this.queuedRound === null) return;
    }
  }

  /**
   * Stops watching and scanning. Photos still waiting for their grace period stay in the catalog: the next start's
   * scan finds out whether they moved or were deleted. Does not close the catalog.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    this.detector.close();
    for (const entry of this.entries.values()) entry.scanAbort?.abort();
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.notifyTimer = null;
    clearInterval(this.rootRetryTimer);
    await this.watcher?.close();
    await Promise.allSettled([this.roundTail, this.eventTail, this.adminTail, ...this.watchStarts]);
  }

  // ---- folders -------------------------------------------------------------------------------------------------

  private async addFolderNow(folderPath: string): Promise<FolderStatus> {
    if (this.closed) throw new FolderRejectedError('closed', 'The library is closed.');
    if (typeof folderPath !== 'string' || !path.isAbsolute(folderPath)) {
      throw new FolderRejectedError('not-absolute', `Choose a folder by its full path (got "${String(folderPath)}").`);
    }
    const resolved = path.resolve(folderPath);
    await checkReadableFolder(resolved);

    const real = await realOrSelf(resolved);
    const inner: Folder[] = [];
    for (const other of this.catalog.folders.list()) {
      const otherPath = path.resolve(other.path);
      const otherReal = await realOrSelf(otherPath);
      if (otherPath === resolved || otherReal === real) {
        throw new FolderRejectedError('already-added', `${resolved} is already in the library.`);
      }
      if (isAtOrUnder(otherPath, resolved) || isAtOrUnder(otherReal, real)) {
        throw new FolderRejectedError(
          'inside-library-folder',
          `${resolved} is already in the library as part of ${other.path}; its photos are included there.`,
        );
      }
      if (isAtOrUnder(resolved, otherPath) || isAtOrUnder(real, otherReal)) inner.push(other);
    }

    // Inner folders stop on their own before their photos are handed over.
    for (const folder of inner) await this.detach(folder.id);
    const folder = this.catalog.transaction(() => {
      const added = this.catalog.folders.add(resolved);
      for (const old of inner) {
        // Same size and mtime: upsertScanned only changes the owner, so state and vectors stay.
        for (const k of this.catalog.photos.listInFolder(old.id)) {
          this.catalog.photos.upsertScanned({ folderId: added.id, path: k.path, size: k.size, mtimeMs: k.mtimeMs });
        }
        this.catalog.folders.remove(old.id);
      }
      return added;
    });

    const entry = newEntry(folder);
    this.entries.set(folder.id, entry);
    this.startWatching(entry);
    void this.requestScan([folder.id]);
    this.notify();
    return this.folder(folder.id)!;
  }

  /** Stops everything the service does for a folder: events and scans for it are ignored from this call on. */
  private async detach(folderId: number): Promise<void> {
    const entry = this.entries.get(folderId);
    this.entries.delete(folderId);
    this.detector.forgetFolder(folderId);
    if (!entry) return;
    entry.scanAbort?.abort();
    // FolderWatcher stops emitting synchronously; the await only releases the OS watches.
    await this.watcher?.removeFolder(entry.path);
  }

  /**
   * `rescanWhenReady`: the folder was scanned before this watch began (a root that came back), so a file created
   * between that scan and the watcher's first read would be seen by neither; a second scan once the watcher is ready
   * finds it.
   */
  private startWatching(entry: FolderEntry, rescanWhenReady = false): void {
    if (!this.watcher || this.closed || this.watcher.modeOf(entry.path) !== undefined) return;
    const started = this.watcher.addFolder(entry.path).then(
      () => {
        if (this.entries.get(entry.id) === entry && this.closed === false) {
          entry.watchError = null;
          if (rescanWhenReady) void this.requestScan([entry.id]);
        }
        this.notify();
      },
      (error: unknown) => {
        if (this.closed || this.entries.get(entry.id) !== entry) return;
        entry.watchError = `Not watching for changes: ${errorMessage(error)}`;
        this.notify();
      },
    );
    this.watchStarts.add(started);
    void started.finally(() => this.watchStarts.delete(started));
  }

  private statusOf(folder: Folder, counts: FolderCounts | undefined): FolderStatus {
    const entry = this.entries.get(folder.id);
    const mode = this.watcher?.modeOf(folder.path) ?? 'manual';
    const modeReason = mode === 'polling' ? (entry?.modeReason ?? 'Polling for changes.') : null;
    return {
      id: folder.id,
      path: folder.path,
      mode,
      reason: folder.error ?? entry?.watchError ?? modeReason,
      scanning: entry?.scanning ?? false,
      photos: counts?.total ?? 0,
      indexed: counts?.indexed ?? 0,
      pending: counts?.pending ?? 0,
      failed: counts?.failed ?? 0,
    };
  }

  // ---- reconciliation scans ----------------------------------------------------------------------------------

  private requestScan(folderIds: readonly number[]): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.queuedRound) {
      for (const id of folderIds) this.queuedRound.ids.add(id);
      return this.queuedRound.done;
    }
    const round: QueuedRound = { ids: new Set(folderIds), done: Promise.resolve() };
    round.done = this.roundTail.then(() => {
      if (this.queuedRound === round) this.queuedRound = null;
      return this.runRound([...round.ids]);
    });
    this.queuedRound = round;
    this.roundTail = round.done.catch(() => {});
    for (const id of folderIds) {
      const entry = this.entries.get(id);
      if (entry) entry.scanning = true;
    }
    this.notify();
    return round.done;
  }

  /** Scans the folders one after another, then settles vanished and new files across all of them at once. */
  private async runRound(folderIds: readonly number[]): Promise<void> {
    const entries = folderIds.flatMap((id) => this.entries.get(id) ?? []);
    if (this.closed || entries.length === 0) return;
    const holdSizes = hashedSizes(this.catalog, [...this.entries.keys()]);
    const results: FolderScanResult[] = [];
    for (const entry of entries) {
      if (this.closed || this.entries.get(entry.id) !== entry) continue;
      entry.scanning = true;
      const abort = new AbortController();
      entry.scanAbort = abort;
      this.notify();
      try {
        const result = await scanFolderChanges(this.catalog, entry, {
          signal: AbortSignal.any([abort.signal, this.closing.signal]),
          batchSize: this.batchSize,
          holdSizes,
          onQueued: () => {
            this.scheduler.wake();
            this.notify();
          },
          ...(this.options.watcherOptions?.filter ? { filter: this.options.watcherOptions.filter } : {}),
        });
        results.push(result);
      } catch (error) {
        if (!abort.signal.aborted && !this.closed && this.entries.get(entry.id) === entry) {
          this.catalog.folders.recordScan(entry.id, `Scan failed: ${errorMessage(error)}`);
        }
      } finally {
        entry.scanAbort = null;
      }
    }
    try {
      await this.serial(() => this.settleRound(results));
    } finally {
      for (const entry of entries) entry.scanning = false;
      this.notify();
    }
  }

  /**
   * Second half of a round (runs in the event queue, so live events cannot interleave): held-back new files become
   * moves of vanished photos where the content matches, otherwise pending photos; photos still missing are deleted.
   */
  private async settleRound(results: readonly FolderScanResult[]): Promise<void> {
    const current = results.filter((r) => this.entries.has(r.folderId));
    const stillThere = (k: KnownFile): boolean => {
      const photo = this.catalog.photos.get(k.id);
      return photo !== undefined && photo.path === k.path && !this.detector.isWaiting(k.id);
    };
    const missing = current.flatMap((r) => r.missing.map((k) => ({ ...k, folderId: r.folderId }))).filter(stillThere);
    const pool: VanishedPhoto[] = missing.filter((k) => k.contentHash !== null);
    const moved = new Set<number>();
    const moves: Array<{ id: number; to: ScanRecord }> = [];
    const adds: ScanRecord[] = [];

    for (const record of current.flatMap((r) => r.held)) {
      if (this.closed) return;
      const fromScan = await this.detector.matchByContent(record, pool);
      if (fromScan) pool.splice(pool.indexOf(fromScan), 1);
      // Or a photo unlinked live while the scan ran.
      const source = fromScan ?? (await this.detector.claimVanished(record));
      if (source) {
        moved.add(source.id);
        moves.push({ id: source.id, to: record });
      } else {
        adds.push(record);
      }
    }
    // A live add may already have caught the new path (it arrived while the scan ran).
    for (const photo of pool) {
      if (this.closed) return;
      const add = await this.detector.claimRecentAdd(photo);
      if (add) {
        moved.add(photo.id);
        moves.push({ id: photo.id, to: add.record });
      }
    }
    if (this.closed) return;
    this.applyMoves(moves);
    this.writeNew(adds);

    const gone: number[] = [];
    for (const k of missing) {
      if (this.closed) return;
      if (moved.has(k.id) || !stillThere(k)) continue;
      // A file that is there after all (created after the scan passed its folder) is left to the watcher.
      if (!(await exists(k.path))) gone.push(k.id);
    }
    if (this.closed) return;
    this.deletePhotos(gone);

    for (const r of results) {
      const entry = this.entries.get(r.folderId);
      if (!entry) continue;
      this.catalog.folders.recordScan(r.folderId, scanError(r));
      entry.rootMissing = r.rootProblem !== null;
      if (r.rootProblem === null) {
        entry.watchError = null;
        this.startWatching(entry, true);
      }
    }
  }

  // ---- live changes ------------------------------------------------------------------------------------------

  private onWatchEvent(event: WatchEvent): void {
    if (this.closed) return;
    const entry = this.entryAt(event.folder);
    if (!entry) return;
    switch (event.type) {
      case 'add':
      case 'change':
        this.detector.activity();
        this.serial(() => this.fileAppeared(entry, event.path, event.size, event.mtimeMs));
        break;
      case 'unlink':
        this.detector.activity();
        this.serial(() => this.filesVanished(entry, [event.path]));
        break;
      case 'unlinkDir':
        if (event.path === entry.path) entry.rootUnlinked = true;
        this.detector.activity();
        this.serial(() => this.folderVanished(entry, event.path));
        break;
      case 'error':
        entry.watchError = `Watching ${event.path ?? entry.path} failed: ${event.error.message}`;
        this.notify();
        break;
      case 'mode':
        entry.modeReason = event.reason ?? null;
        this.notify();
        // Changes made while the watcher switched were not seen.
        if (event.rescanNeeded) void this.requestScan([entry.id]);
        break;
    }
  }

  private async fileAppeared(entry: FolderEntry, filePath: string, size?: number, mtimeMs?: number): Promise<void> {
    let version = size !== undefined && mtimeMs !== undefined ? { size, mtimeMs } : null;
    if (!version) {
      // The watcher gives sizes whenever chokidar has stats; otherwise ask the filesystem.
      const stats = await fsp.stat(filePath).catch(() => null);
      if (!stats?.isFile() || !this.isLive(entry)) return;
      version = { size: stats.size, mtimeMs: stats.mtimeMs };
    }
    const record: ScanRecord = { folderId: entry.id, path: filePath, ...version };
    // Back at the same path (an editor's save-by-replace): the photo simply stays.
    this.detector.takeWaitingAt(filePath);
    const current = this.catalog.photos.getByPath(filePath);
    if (current && current.folderId === entry.id && sameVersion(current, record)) return;

    const source = await this.detector.claimVanished(record);
    if (!this.isLive(entry)) return;
    if (source && this.catalog.photos.get(source.id)) {
      // moveTo replaces whatever row held the new path (a file moved over another).
      this.catalog.photos.moveTo(source.id, record);
      this.notify();
      return;
    }
    const { id, change } = this.catalog.photos.upsertScanned(record);
    if (change === 'added') this.detector.rememberAdded({ id, record });
    if (change !== 'unchanged') this.scheduler.wake();
    this.notify();
  }

  private async filesVanished(entry: FolderEntry, paths: readonly string[]): Promise<void> {
    for (const filePath of paths) {
      this.detector.forgetAdded(filePath);
      const photo = this.catalog.photos.getByPath(filePath);
      if (!photo || this.detector.isWaiting(photo.id)) continue;
      const vanished: VanishedPhoto = { id: photo.id, folderId: photo.folderId, path: photo.path, size: photo.size, contentHash: photo.contentHash };
      // The add of the new path may have come first.
      const add = await this.detector.claimRecentAdd(vanished);
      if (!this.isLive(entry)) return;
      if (add && this.catalog.photos.get(photo.id) && this.entries.has(add.record.folderId)) {
        this.catalog.photos.moveTo(photo.id, add.record);
        this.notify();
        continue;
      }
      this.detector.vanish(vanished);
    }
  }

  private async folderVanished(entry: FolderEntry, dirPath: string): Promise<void> {
    const under = this.catalog.photos.listInFolder(entry.id).filter((k) => isAtOrUnder(dirPath, k.path));
    await this.filesVanished(entry, under.map((k) => k.path));
  }

  /**
   * Deletes the photos whose grace period ran out - unless their folder's root itself is gone (an unplugged drive, a
   * renamed library folder): then everything is kept and the folder shows the error until it is back.
   */
  private async sweepVanished(): Promise<void> {
    const expired = this.detector.takeExpired();
    if (expired.length === 0) return;
    const byFolder = new Map<number, VanishedPhoto[]>();
    for (const v of expired) byFolder.set(v.folderId, [...(byFolder.get(v.folderId) ?? []), v]);
    const gone: number[] = [];
    const back: ScanRecord[] = [];
    for (const [folderId, photos] of byFolder) {
      const entry = this.entries.get(folderId);
      if (!entry) continue;
      if (!(await isReadableFolder(entry.path))) {
        entry.watchError = `${entry.path} is missing or cannot be read; its photos are kept until it is back.`;
        entry.rootMissing = true;
        entry.rootUnlinked = false;
        // A watch on a renamed-away root would report its new contents under the old path.
        await this.watcher?.removeFolder(entry.path);
        this.notify();
        continue;
      }
      if (entry.rootUnlinked) {
        // Back within the grace period: watch it afresh (and scan once that watch is ready).
        entry.rootUnlinked = false;
        await this.watcher?.removeFolder(entry.path);
        if (this.isLive(entry)) this.startWatching(entry, true);
      }
      for (const v of photos) {
        if (!this.isLive(entry)) break;
        const photo = this.catalog.photos.get(v.id);
        if (!photo || photo.path !== v.path) continue;
        const stats = await fsp.stat(v.path).catch(() => null);
        if (stats?.isFile()) back.push({ folderId, path: v.path, size: stats.size, mtimeMs: stats.mtimeMs });
        else gone.push(v.id);
      }
    }
    if (this.closed) return;
    this.deletePhotos(gone);
    // There after all (its add event was lost): keep the photo, queued again only if the file changed.
    const changed = this.catalog.transaction(() =>
      back.filter((r) => this.entries.has(r.folderId) && this.catalog.photos.upsertScanned(r).change !== 'unchanged'),
    );
    if (changed.length > 0) this.scheduler.wake();
  }

  /** Scans folders whose root came back (a drive plugged in again); the scan also restarts watching. */
  private retryMissingRoots(): void {
    for (const entry of this.entries.values()) {
      if (!entry.rootMissing || entry.scanning) continue;
      void isReadableFolder(entry.path).then((readable) => {
        if (readable && entry.rootMissing && this.isLive(entry) && !entry.scanning) void this.requestScan([entry.id]);
      });
    }
  }

  // ---- catalog writes ----------------------------------------------------------------------------------------

  private applyMoves(moves: ReadonlyArray<{ id: number; to: ScanRecord }>): void {
    for (let i = 0; i < moves.length; i += this.batchSize) {
      this.catalog.transaction(() => {
        for (const { id, to } of moves.slice(i, i + this.batchSize)) {
          if (this.entries.has(to.folderId) && this.catalog.photos.get(id)) this.catalog.photos.moveTo(id, to);
        }
      });
    }
    if (moves.length > 0) this.notify();
  }

  /** New files, each only if no row holds its path yet (a live event may have written it meanwhile). */
  private writeNew(records: readonly ScanRecord[]): void {
    const live = records.filter((r) => this.entries.has(r.folderId));
    let queued = 0;
    for (let i = 0; i < live.length; i += this.batchSize) {
      queued += writeScanRecords(this.catalog, live.slice(i, i + this.batchSize), () => undefined);
    }
    if (queued > 0) {
      this.scheduler.wake();
      this.notify();
    }
  }

  private deletePhotos(ids: readonly number[]): void {
    for (let i = 0; i < ids.length; i += this.batchSize) {
      const chunk = ids.slice(i, i + this.batchSize);
      this.catalog.transaction(() => this.catalog.photos.deleteMany(chunk));
      this.catalog.changed({ kind: 'deleted', photoIds: chunk });
    }
    if (ids.length > 0) this.notify();
  }

  // ---- plumbing ----------------------------------------------------------------------------------------------

  private entryAt(folder: string): FolderEntry | undefined {
    for (const entry of this.entries.values()) if (entry.path === folder) return entry;
    return undefined;
  }

  /** Still in the library and the service still open (checked after every await, before writing). */
  private isLive(entry: FolderEntry): boolean {
    return !this.closed && this.entries.get(entry.id) === entry;
  }

  /** Runs fn after every earlier event; a failure is shown on no folder in particular but never stops the queue. */
  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.eventTail.then(async () => {
      if (this.closed) return;
      try {
        await fn();
      } catch (error) {
        if (!this.closed) console.error('Library: applying a file change failed:', error);
      }
    });
    this.eventTail = run;
    return run;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.adminTail.then(fn, fn);
    this.adminTail = run.catch(() => {});
    return run;
  }

  /** Trailing throttle: counts change with every event, and a listener needs a few updates a second at most. */
  private notify(): void {
    if (!this.options.onChange || this.notifyTimer || this.closed) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      if (this.closed) return;
      try {
        this.options.onChange?.(this.folders());
      } catch (error) {
        console.error('Library: onChange listener failed:', error);
      }
    }, NOTIFY_INTERVAL_MS);
  }
}

function newEntry(folder: Folder): FolderEntry {
  return { id: folder.id, path: path.resolve(folder.path), modeReason: null, watchError: null, scanning: false, scanAbort: null, rootMissing: false, rootUnlinked: false };
}

/** The folder's error after a scan: null when it was complete. */
function scanError(result: FolderScanResult): string | null {
  if (result.rootProblem) {
    const p = result.rootProblem;
    return `${p.path} could not be read (${p.code}); its photos are kept until it is back.`;
  }
  if (result.problems.length === 0) return null;
  const first = result.problems[0]!;
  const more = result.problems.length > 1 ? ` and ${result.problems.length - 1} more` : '';
  return `Could not read ${first.path} (${first.code})${more}; photos there are kept as they were.`;
}

async function checkReadableFolder(folderPath: string): Promise<void> {
  let stats;
  try {
    stats = await fsp.stat(folderPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FolderRejectedError('not-found', `${folderPath} does not exist.`);
    throw new FolderRejectedError('unreadable', `${folderPath} cannot be opened: ${errorMessage(error)}`);
  }
  if (!stats.isDirectory()) throw new FolderRejectedError('not-a-folder', `${folderPath} is a file, not a folder.`);
  try {
    const dir = await fsp.opendir(folderPath);
    await dir.close();
  } catch (error) {
    throw new FolderRejectedError('unreadable', `${folderPath} cannot be read: ${errorMessage(error)}`);
  }
}

async function isReadableFolder(folderPath: string): Promise<boolean> {
  try {
    const dir = await fsp.opendir(folderPath);
    await dir.close();
    return true;
  } catch {
    return false;
  }
}

async function exists(filePath: string): Promise<boolean> {
  return fsp.lstat(filePath).then(
    () => true,
    () => false,
  );
}

/** The real path (symlinks resolved), or the path itself when it cannot be resolved (a missing drive). */
async function realOrSelf(p: string): Promise<string> {
  return fsp.realpath(p).catch(() => p);
}
