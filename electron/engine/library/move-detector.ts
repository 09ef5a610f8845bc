import path from 'node:path';
import type { ScanRecord } from '../catalog/photo-repository';
import { hashFile } from './content-hash';

/**
 * Pairs photos that vanished from one path with files that appeared at another, by size and then content hash,
 * so a rename or move keeps the photo's id and its embedding. It only keeps the books and hashes files; the library
 * service makes the catalog changes.
 *
 * A watcher reports a move as unlink + add, in either order and up to a few hundred ms apart (the add waits for the
 * file to stop changing). So a vanished photo is kept for a grace period, and a recently added file is remembered
 * for as long, and whichever side comes second looks for the other.
 */

/** A catalogued photo whose file is no longer at its path. */
export interface VanishedPhoto {
  id: number;
  folderId: number;
  path: string;
  size: number;
  /** Known once the photo was indexed; a photo without one can only be deleted (it was never embedded). */
  contentHash: string | null;
}

/** A file added as a new (pending) photo a moment ago. */
export interface RecentAdd {
  id: number;
  record: ScanRecord;
}

export interface MoveDetectorOptions {
  /** How long a vanished photo waits for its new path. */
  graceMs: number;
  /** The longest a vanished photo waits while new files keep arriving (default 10 x graceMs). */
  maxWaitMs?: number;
  /** Called when a vanished photo's wait is over; the service then calls takeExpired(). */
  onExpired: () => void;
  /** Stops hashing (service closing). */
  signal?: AbortSignal;
  /** Content hash of a file (tests may count calls); hashFile by default. */
  hash?: (filePath: string, signal?: AbortSignal) => Promise<string>;
  now?: () => number;
}

interface Waiting extends VanishedPhoto {
  since: number;
  deadline: number;
}

/** Hashes of files by version, so a file compared with several vanished photos is read once. */
const HASH_CACHE_ENTRIES = 2048;

export class MoveDetector {
  private readonly graceMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly hash: (filePath: string, signal?: AbortSignal) => Promise<string>;
  private readonly waiting = new Map<number, Waiting>();
  private readonly waitingByPath = new Map<string, number>();
  private readonly recentAdds = new Map<string, RecentAdd & { at: number }>();
  private readonly hashes = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: MoveDetectorOptions) {
    this.graceMs = options.graceMs;
    this.maxWaitMs = options.maxWaitMs ?? options.graceMs * 10;
    this.now = options.now ?? Date.now;
    this.hash = options.hash ?? ((filePath, signal) => hashFile(filePath, signal ? { signal } : {}));
  }

  /** Starts the grace period of a photo whose file went away. */
  vanish(photo: VanishedPhoto): void {
    if (this.closed || this.waiting.has(photo.id)) return;
    const now = this.now();
    this.waiting.set(photo.id, { ...photo, since: now, deadline: now + this.graceMs });
    this.waitingByPath.set(photo.path, photo.id);
    this.schedule();
  }

  isWaiting(photoId: number): boolean {
    return this.waiting.has(photoId);
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  /** The file is back at the same path (an editor's save-by-replace): the photo stays where it is. */
  takeWaitingAt(filePath: string): VanishedPhoto | undefined {
    const id = this.waitingByPath.get(filePath);
    return id === undefined ? undefined : this.remove(id);
  }

  /** Forgets a folder's vanished photos and recent adds (the folder left the library). */
  forgetFolder(folderId: number): void {
    for (const w of [...this.waiting.values()]) if (w.folderId === folderId) this.remove(w.id);
    for (const [p, a] of [...this.recentAdds]) if (a.record.folderId === folderId) this.recentAdds.delete(p);
  }

  /**
   * Files are still arriving (a moved folder's photos come one by one): postpone every deadline by a grace period,
   * up to maxWaitMs after the photo vanished, so a large move is not cut off half-way.
   */
  activity(): void {
    if (this.waiting.size === 0) return;
    const now = this.now();
    for (const w of this.waiting.values()) w.deadline = Math.max(w.deadline, Math.min(now + this.graceMs, w.since + this.maxWaitMs));
    this.schedule();
  }

  /** Removes and returns the photos whose wait is over. */
  takeExpired(): VanishedPhoto[] {
    const now = this.now();
    const expired: VanishedPhoto[] = [];
    for (const w of [...this.waiting.values()]) {
      if (w.deadline <= now) expired.push(this.remove(w.id)!);
    }
    this.schedule();
    return expired;
  }

  /** Remembers a new file for a grace period, in case the unlink of its old path comes after it. */
  rememberAdded(add: RecentAdd): void {
    if (this.closed) return;
    this.prune();
    this.recentAdds.set(add.record.path, { ...add, at: this.now() });
  }

  forgetAdded(filePath: string): void {
    this.recentAdds.delete(filePath);
  }

  /** The vanished photo this new file is (same size, same content), taken off the waiting list; null if none. */
  async claimVanished(record: ScanRecord): Promise<VanishedPhoto | null> {
    const candidates = [...this.waiting.values()].filter((w) => w.size === record.size && w.contentHash !== null);
    const match = await this.matchByContent(record, candidates);
    return match ? this.remove(match.id)! : null;
  }

  /** The recently added file that is this vanished photo (add came before unlink), forgotten once found. */
  async claimRecentAdd(photo: VanishedPhoto): Promise<RecentAdd | null> {
    if (photo.contentHash === null) return null;
    this.prune();
    for (const add of [...this.recentAdds.values()]) {
      if (add.record.size !== photo.size || add.record.path === photo.path) continue;
      if ((await this.contentHash(add.record)) === photo.contentHash) {
        this.recentAdds.delete(add.record.path);
        return { id: add.id, record: add.record };
      }
    }
    return null;
  }

  /**
   * Which of `candidates` the file is: same size, then same content hash (the file is read only when some candidate
   * has its size). With duplicates, the one with the same file name wins. Null when none matches or the file cannot
   * be read.
   */
  async matchByContent<T extends VanishedPhoto>(record: ScanRecord, candidates: readonly T[]): Promise<T | null> {
    const sameSize = candidates.filter((c) => c.size === record.size && c.contentHash !== null);
    if (sameSize.length === 0) return null;
    const hash = await this.contentHash(record);
    if (hash === null) return null;
    const same = sameSize.filter((c) => c.contentHash === hash);
    const name = path.basename(record.path);
    return same.find((c) => path.basename(c.path) === name) ?? same[0] ?? null;
  }

  /** Hash of the file's current version, or null when it cannot be read (gone again, no permission). */
  async contentHash(record: ScanRecord): Promise<string | null> {
    const key = `${record.path}\0${record.size}\0${Math.trunc(record.mtimeMs)}`;
    const cached = this.hashes.get(key);
    if (cached !== undefined) return cached;
    let hash: string;
    try {
      hash = await this.hash(record.path, this.options.signal);
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      return null;
    }
    if (this.hashes.size >= HASH_CACHE_ENTRIES) this.hashes.delete(this.hashes.keys().next().value as string);
    this.hashes.set(key, hash);
    return hash;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.waiting.clear();
    this.waitingByPath.clear();
    this.recentAdds.clear();
    this.hashes.clear();
  }

  private remove(id: number): VanishedPhoto | undefined {
    const w = this.waiting.get(id);
    if (!w) return undefined;
    this.waiting.delete(id);
    if (this.waitingByPath.get(w.path) === id) this.waitingByPath.delete(w.path);
    return { id: w.id, folderId: w.folderId, path: w.path, size: w.size, contentHash: w.contentHash };
  }

  private prune(): void {
    const oldest = this.now() - this.graceMs;
    for (const [p, a] of this.recentAdds) if (a.at < oldest) this.recentAdds.delete(p);
  }

  /** One timer, for the earliest deadline. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || this.waiting.size === 0) return;
    let next = Infinity;
    for (const w of this.waiting.values()) next = Math.min(next, w.deadline);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.options.onExpired();
      },
      Math.max(0, next - this.now()),
    );
    // Never keeps a CLI process alive on its own; close() clears it anyway.
    this.timer.unref();
  }
}
