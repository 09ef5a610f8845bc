import { promises as fsp, realpathSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { FSWatcher } from 'chokidar';
import type { ChokidarOptions } from 'chokidar';
import { asError } from '@shared/errors';
import { defaultPhotoFilter } from './file-types';
import type { EntryKind, PhotoFilter } from './file-types';

/**
 * Watches the user's photo folders and reports photo files that appear, change or disappear.
 *
 * - One chokidar watcher per root folder, so a root can be removed, or fall back to polling, alone.
 * - Only photos (same PhotoFilter as the scanner); hidden and system folders are never entered.
 * - No events for what is already there (ignoreInitial): the startup reconciliation is a scan.
 * - `add` and `change` come once a file has stopped growing for `writeStabilityMs`, so a photo
 *   being copied in is reported once, complete.
 * - A move or rename arrives as `unlink` + `add`. The watcher does not pair them: the indexing
 *   layer does, by content hash (content-hash.ts), which also catches moves between roots.
 *   A folder that goes away arrives as `unlinkDir` (plus `unlink`s for the photos chokidar knew).
 * - When the OS refuses more watches (Linux inotify ENOSPC, or EMFILE/ENFILE where each watch is a
 *   file descriptor) the folder switches to polling and a `mode` event says so.
 * - Symlinks are followed, but a folder reached twice (a link to an ancestor, or two links to one
 *   place) is watched once: chokidar alone would walk a loop 40 levels deep until ELOOP.
 * - Roots inside other roots: each event is reported once, by the innermost root.
 * - A new folder is read by chokidar before its watch is set up, so a photo created in between would never be
 *   reported (a photo copied in right after its folder was made, on a busy machine). Once the folder's watch is up,
 *   it is read again and whatever chokidar missed is reported here and handed to chokidar for later changes.
 */

export type WatchMode = 'watching' | 'polling';

export type WatchEvent =
  | { type: 'add' | 'change'; folder: string; path: string; size?: number; mtimeMs?: number }
  | { type: 'unlink'; folder: string; path: string }
  | { type: 'unlinkDir'; folder: string; path: string }
  | { type: 'error'; folder: string; error: Error; path?: string }
  | {
      type: 'mode';
      folder: string;
      mode: WatchMode;
      reason?: string;
      /**
       * True after a switch caused by an error: changes made while the switch happened were not
       * seen, so the caller should reconcile the folder with a scan.
       */
      rescanNeeded?: boolean;
    };

export type WatchListener = (event: WatchEvent) => void;

export interface FolderWatcherOptions {
  filter?: PhotoFilter;
  /** Poll every folder instead of using OS notifications (network shares, or a user setting). */
  forcePolling?: boolean;
  /** Polling: how often folders are checked for new and removed files (default 1000 ms). */
  pollIntervalMs?: number;
  /** Polling: how often each photo is checked for changes (default 4000 ms; photos rarely change). */
  filePollIntervalMs?: number;
  /** How long a file's size must stay put before it counts as written (default 250 ms). */
  writeStabilityMs?: number;
  /** How often a file being written is checked (default 50 ms). */
  writeCheckMs?: number;
  /**
   * Creates the chokidar watcher for one root (not yet watching anything). Tests use it to inject
   * errors into a real chokidar watcher; the default is `new FSWatcher(options)`.
   */
  createWatcher?: (options: ChokidarOptions) => FSWatcher;
}

interface FolderState {
  folder: string;
  mode: WatchMode;
  watcher: FSWatcher;
  ready: Promise<void>;
  finishReady: () => void;
  removed: boolean;
  /** Folder identity (dev:ino) -> the path it is watched under, to watch each real folder once. */
  claims: Map<string, string>;
  /**
   * Path -> size and mtime of its last add or change: the catch-up of a new folder and chokidar can both report one
   * file, and the second report of the same version is dropped.
   */
  reported: Map<string, string>;
}

const LIMIT_CODES = new Set(['ENOSPC', 'EMFILE', 'ENFILE']);
/** How long a new folder's catch-up waits for chokidar to watch it; past that chokidar chose not to (a folder reached twice). */
const CATCH_UP_WAIT_MS = 60_000;

/** Whether an error means the OS will not give out more file watches. */
export function isWatchLimitError(error: unknown): boolean {
  const err = error as NodeJS.ErrnoException | undefined;
  if (!err || typeof err.code !== 'string' || !LIMIT_CODES.has(err.code)) return false;
  // EMFILE from reading a folder is not about watches; fs.watch errors carry syscall 'watch'.
  return err.code === 'ENOSPC' || err.syscall === undefined || err.syscall === 'watch';
}

export class FolderWatcher {
  private readonly filter: PhotoFilter;
  private readonly forcePolling: boolean;
  private readonly pollIntervalMs: number;
  private readonly filePollIntervalMs: number;
  private readonly writeStabilityMs: number;
  private readonly writeCheckMs: number;
  private readonly createWatcher: (options: ChokidarOptions) => FSWatcher;
  private readonly states = new Map<string, FolderState>();
  private readonly listeners = new Set<WatchListener>();
  private closed = false;

  constructor(options: FolderWatcherOptions = {}) {
    this.filter = options.filter ?? defaultPhotoFilter;
    this.forcePolling = options.forcePolling ?? false;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.filePollIntervalMs = options.filePollIntervalMs ?? 4000;
    this.writeStabilityMs = options.writeStabilityMs ?? 250;
    this.writeCheckMs = options.writeCheckMs ?? 50;
    this.createWatcher = options.createWatcher ?? ((chokidarOptions) => new FSWatcher(chokidarOptions));
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: WatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The folders being watched (absolute paths). */
  folders(): string[] {
    return [...this.states.keys()];
  }

  /** How a folder is watched, or undefined when it is not. */
  modeOf(folder: string): WatchMode | undefined {
    return this.states.get(path.resolve(folder))?.mode;
  }

  /**
   * Starts watching a folder; resolves once chokidar has read it (changes from then on are
   * reported) and its `mode` event was emitted. Throws if the folder is missing or not a folder.
   */
  async addFolder(folder: string): Promise<void> {
    if (this.closed) throw new Error('FolderWatcher is closed');
    const root = path.resolve(folder);
    const existing = this.states.get(root);
    if (existing) return this.settled(existing);
    const stats = await fsp.stat(root);
    if (!stats.isDirectory()) throw Object.assign(new Error(`not a folder: ${root}`), { code: 'ENOTDIR' });
    if (this.closed) throw new Error('FolderWatcher is closed');
    if (this.states.has(root)) return this.settled(this.states.get(root) as FolderState);

    // start() fills in the watcher, its mode and its ready promise before anything can read them.
    const state = {
      folder: root,
      removed: false,
      claims: new Map<string, string>(),
      reported: new Map<string, string>(),
    } as FolderState;
    this.states.set(root, state);
    this.start(state, this.forcePolling ? 'polling' : 'watching', this.forcePolling ? 'polling forced by option' : undefined, false);
    return this.settled(state);
  }

  /** Stops watching a folder at once: no event for it is emitted after this call. */
  async removeFolder(folder: string): Promise<void> {
    const root = path.resolve(folder);
    const state = this.states.get(root);
    if (!state) return;
    state.removed = true;
    this.states.delete(root);
    state.finishReady();
    await state.watcher.close();
  }

  /** Stops everything and releases all OS watches and timers. */
  async close(): Promise<void> {
    this.closed = true;
    const states = [...this.states.values()];
    this.states.clear();
    for (const state of states) {
      state.removed = true;
      state.finishReady();
    }
    await Promise.all(states.map((state) => state.watcher.close()));
    this.listeners.clear();
  }

  /** Waits until the folder's current watcher is ready, following any switch to polling. */
  private async settled(state: FolderState): Promise<void> {
    let ready: Promise<void>;
    do {
      ready = state.ready;
      await ready;
    } while (ready !== state.ready && !state.removed);
  }

  private start(state: FolderState, mode: WatchMode, reason: string | undefined, rescanNeeded: boolean): void {
    const watcher = this.createWatcher(this.chokidarOptions(state, mode));
    state.watcher = watcher;
    state.mode = mode;
    state.claims.clear();
    let finish: () => void = () => {};
    state.ready = new Promise<void>((resolve) => {
      finish = resolve;
    });
    state.finishReady = finish;

    const current = (): boolean => !state.removed && state.watcher === watcher && !this.closed;
    watcher.on('add', (filePath: string, stats?: Stats) => {
      if (current()) this.emitFileEvent(state, 'add', filePath, stats);
    });
    watcher.on('change', (filePath: string, stats?: Stats) => {
      if (current()) this.emitFileEvent(state, 'change', filePath, stats);
    });
    watcher.on('addDir', (dirPath: string) => {
      // Only folders that appear while watching: with ignoreInitial chokidar reports none before 'ready'.
      if (current()) void this.catchUp(state, watcher, dirPath, false);
    });
    watcher.on('unlink', (filePath: string) => {
      if (!current()) return;
      state.reported.delete(filePath);
      if (this.ownedBy(state, filePath)) this.emit({ type: 'unlink', folder: state.folder, path: filePath });
    });
    watcher.on('unlinkDir', (dirPath: string) => {
      if (!current()) return;
      this.releaseClaims(state, dirPath);
      this.forgetReported(state, dirPath);
      if (this.ownedBy(state, dirPath)) this.emit({ type: 'unlinkDir', folder: state.folder, path: dirPath });
    });
    watcher.on('error', (error: unknown) => {
      if (current()) this.handleError(state, error);
    });
    watcher.once('ready', () => {
      if (!current()) return;
      this.emit({ type: 'mode', folder: state.folder, mode, ...(reason ? { reason } : {}), ...(rescanNeeded ? { rescanNeeded } : {}) });
      finish();
    });
    watcher.add(state.folder);
  }

  private chokidarOptions(state: FolderState, mode: WatchMode): ChokidarOptions {
    return {
      persistent: true,
      ignoreInitial: true,
      followSymlinks: true,
      alwaysStat: true,
      usePolling: mode === 'polling',
      interval: this.pollIntervalMs,
      binaryInterval: this.filePollIntervalMs,
      awaitWriteFinish: { stabilityThreshold: this.writeStabilityMs, pollInterval: this.writeCheckMs },
      ignored: (entryPath: string, stats?: Stats) => this.ignores(state, entryPath, stats),
    };
  }

  private ignores(state: FolderState, entryPath: string, stats?: EntryKind & Pick<Stats, 'dev' | 'ino'>): boolean {
    if (this.filter.shouldIgnore(state.folder, entryPath, stats)) return true;
    if (!stats?.isDirectory()) return false;
    // Watch each real folder under one path only (stops symlink loops and duplicates).
    const identity = `${stats.dev}:${stats.ino}`;
    const owner = state.claims.get(identity);
    if (owner === undefined || owner === entryPath) {
      state.claims.set(identity, entryPath);
      return false;
    }
    try {
      // Confirm by real path: the claimant may have been renamed to here (same inode), and inode
      // numbers from a plain stat are rounded on Windows.
      if (realpathSync(owner) === realpathSync(entryPath)) return true;
    } catch {
      // The claimant is gone: this path takes over.
    }
    state.claims.set(identity, entryPath);
    return false;
  }

  /**
   * Reads a new folder again once chokidar watches it and reports what chokidar missed: files created after its read
   * and before its watch, and whole folders created then (handed to chokidar, which reads them without reporting).
   * `silent`: chokidar knows this folder's contents without having reported any of them.
   */
  private async catchUp(state: FolderState, watcher: FSWatcher, dir: string, silent: boolean): Promise<void> {
    const live = (): boolean => !state.removed && state.watcher === watcher && !this.closed;
    if (!(await this.watchIsUp(watcher, dir, live))) return;
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return; // gone again: its unlinkDir follows
    }
    for (const entry of entries) {
      if (!live()) return;
      const entryPath = path.join(dir, entry.name);
      if (this.filter.shouldIgnore(state.folder, entryPath, entry)) continue;
      const missed = !knows(watcher, entryPath);
      if (entry.isDirectory()) {
        if (missed) watcher.add(entryPath);
        if (missed || silent) void this.catchUp(state, watcher, entryPath, true);
      } else if (entry.isFile() && (missed || silent)) {
        void this.reportWhenWritten(state, watcher, entryPath, live);
      }
    }
  }

  /** Waits until chokidar has set up the folder's own watch; false when the folder or the watcher went first. */
  private async watchIsUp(watcher: FSWatcher, dir: string, live: () => boolean): Promise<boolean> {
    const deadline = Date.now() + CATCH_UP_WAIT_MS;
    // Backing off: a large folder moved in makes many of these waits at once.
    let pause = this.writeCheckMs;
    // chokidar records a path's closer right after it starts watching the path.
    while (!watcher._closers.has(dir)) {
      if (!live() || Date.now() > deadline) return false;
      const stats = await fsp.stat(dir).catch(() => null);
      if (!stats?.isDirectory()) return false;
      await delay(pause);
      pause = Math.min(pause * 2, 1000);
    }
    return live();
  }

  /** Reports a file once its size and mtime have stayed put for writeStabilityMs, as chokidar's awaitWriteFinish does. */
  private async reportWhenWritten(state: FolderState, watcher: FSWatcher, filePath: string, live: () => boolean): Promise<void> {
    let last = await fsp.stat(filePath).catch(() => null);
    let stableSince = Date.now();
    for (;;) {
      if (!last?.isFile()) return;
      await delay(this.writeCheckMs);
      if (!live()) return;
      const now = await fsp.stat(filePath).catch(() => null);
      if (!now?.isFile()) return;
      if (now.size !== last.size || now.mtimeMs !== last.mtimeMs) {
        last = now;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= this.writeStabilityMs) {
        break;
      }
    }
    if (!live()) return;
    // Handed over without an event (chokidar counts it as initial), so that its changes and unlink are reported.
    if (!knows(watcher, filePath)) watcher.add(filePath);
    this.emitFileEvent(state, 'add', filePath, last);
  }

  private forgetReported(state: FolderState, dirPath: string): void {
    const prefix = dirPath + path.sep;
    for (const reportedPath of state.reported.keys()) if (reportedPath.startsWith(prefix)) state.reported.delete(reportedPath);
  }

  private releaseClaims(state: FolderState, dirPath: string): void {
    const prefix = dirPath + path.sep;
    for (const [identity, owner] of state.claims) {
      if (owner === dirPath || owner.startsWith(prefix)) state.claims.delete(identity);
    }
  }

  private handleError(state: FolderState, error: unknown): void {
    const err = asError(error);
    if (isWatchLimitError(err)) {
      // Every further watch fails the same way; switch once and ignore the rest from this watcher.
      if (state.mode === 'watching') this.switchToPolling(state, err);
      return;
    }
    const errPath = (err as NodeJS.ErrnoException).path;
    this.emit({ type: 'error', folder: state.folder, error: err, ...(errPath ? { path: errPath } : {}) });
  }

  private switchToPolling(state: FolderState, error: Error): void {
    const old = state.watcher;
    const finishOld = state.finishReady;
    const reason = `${error.message} (the system's limit on watched folders was reached); polling every ${this.pollIntervalMs} ms`;
    this.start(state, 'polling', reason, true);
    finishOld();
    // Closing frees the notifications it did get, for other folders and programs.
    void old.close().catch(() => {});
  }

  private emitFileEvent(state: FolderState, type: 'add' | 'change', filePath: string, stats: Stats | undefined): void {
    if (!this.ownedBy(state, filePath)) return;
    if (stats) {
      const version = `${stats.size}:${stats.mtimeMs}`;
      if (type === 'add' && state.reported.get(filePath) === version) return;
      state.reported.set(filePath, version);
    }
    const sizes = stats ? { size: stats.size, mtimeMs: stats.mtimeMs } : {};
    this.emit({ type, folder: state.folder, path: filePath, ...sizes });
  }

  /** With nested roots, an event belongs to the innermost root containing it. */
  private ownedBy(state: FolderState, entryPath: string): boolean {
    for (const other of this.states.keys()) {
      if (other.length > state.folder.length && (entryPath === other || entryPath.startsWith(other + path.sep))) {
        if (other.startsWith(state.folder + path.sep)) return false;
      }
    }
    return true;
  }

  private emit(event: WatchEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A failing listener must not stop the others or break chokidar's emitter.
        console.error('FolderWatcher listener failed:', error);
      }
    }
  }
}

/** Whether chokidar knows the entry (it has reported it, or read it as initial): its parent's listing has the name. */
function knows(watcher: FSWatcher, entryPath: string): boolean {
  return watcher._watched.get(path.dirname(entryPath))?.has(path.basename(entryPath)) === true;
}
