import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../../electron/engine/catalog/photo-repository';
import { hashFile } from '../../../electron/engine/library/content-hash';
import { MoveDetector } from '../../../electron/engine/library/move-detector';
import type { MoveDetectorOptions, VanishedPhoto } from '../../../electron/engine/library/move-detector';
import { hasShared, sharedPath } from '../../support/shared-data';

const PHOTO_DIR = 'data/flickr8k-test1k/images';

let tmp: string;
let photoNames: string[] = [];
let detectors: MoveDetector[] = [];
let hashed: string[] = [];
let clock = 1_000_000;

const photo = (n: number): string => sharedPath(PHOTO_DIR, photoNames[n]!);

/** Copies a real photo and returns what a scan or the watcher would report for it. */
async function place(n: number, relative: string): Promise<ScanRecord> {
  const dest = path.join(tmp, relative);
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  await fsp.copyFile(photo(n), dest);
  const stats = await fsp.stat(dest);
  return { folderId: 1, path: dest, size: stats.size, mtimeMs: stats.mtimeMs };
}

/** A catalogued photo that was indexed from a copy of photo n, and whose file is now gone. */
async function vanishedFrom(n: number, id: number, relative: string): Promise<VanishedPhoto> {
  const stats = await fsp.stat(photo(n));
  return { id, folderId: 1, path: path.join(tmp, relative), size: stats.size, contentHash: await hashFile(photo(n)) };
}

function newDetector(options: Partial<MoveDetectorOptions> = {}): MoveDetector {
  const detector = new MoveDetector({
    graceMs: 1000,
    onExpired: () => {},
    now: () => clock,
    hash: (p, signal) => {
      hashed.push(p);
      return hashFile(p, signal ? { signal } : {});
    },
    ...options,
  });
  detectors.push(detector);
  return detector;
}

beforeEach(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'shoebox-moves-'));
  hashed = [];
  clock = 1_000_000;
  if (photoNames.length === 0 && hasShared(PHOTO_DIR)) {
    photoNames = (await fsp.readdir(sharedPath(PHOTO_DIR))).filter((n) => n.endsWith('.jpg')).sort().slice(0, 10);
  }
});

afterEach(async () => {
  for (const d of detectors) d.close();
  detectors = [];
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasShared(PHOTO_DIR))('MoveDetector', () => {
  it('pairs a new file with a vanished photo by size and content, reading only same-size files', async () => {
    const detector = newDetector();
    detector.vanish(await vanishedFrom(0, 10, 'old/a.jpg'));
    detector.vanish(await vanishedFrom(1, 11, 'old/b.jpg'));
    detector.vanish({ ...(await vanishedFrom(2, 12, 'old/never-indexed.jpg')), contentHash: null });

    const unrelated = await place(3, 'new/unrelated.jpg');
    expect(await detector.claimVanished(unrelated)).toBeNull();
    expect(hashed).toEqual([]); // no vanished photo has its size

    // Same size as a.jpg but other bytes: read, not matched.
    const sameSize = { ...(await place(4, 'new/same-size.jpg')), size: (await fsp.stat(photo(0))).size };
    expect(await detector.claimVanished(sameSize)).toBeNull();
    expect(hashed).toEqual([sameSize.path]);

    const moved = await place(1, 'new/renamed b.jpg');
    expect(await detector.claimVanished(moved)).toMatchObject({ id: 11, path: path.join(tmp, 'old/b.jpg') });
    expect(detector.isWaiting(11)).toBe(false);
    expect(detector.waitingCount).toBe(2);
    // A photo without a hash (never indexed) is never matched, even with the same bytes.
    expect(await detector.claimVanished(await place(2, 'new/c.jpg'))).toBeNull();
  });

  it('prefers the vanished duplicate with the same file name', async () => {
    const detector = newDetector();
    detector.vanish(await vanishedFrom(0, 20, 'x/copy.jpg'));
    detector.vanish(await vanishedFrom(0, 21, 'y/original.jpg'));
    expect(await detector.claimVanished(await place(0, 'z/original.jpg'))).toMatchObject({ id: 21 });
    expect(await detector.claimVanished(await place(0, 'z/other-name.jpg'))).toMatchObject({ id: 20 });
  });

  it('finds a recently added file when the unlink comes second, for a grace period only', async () => {
    const detector = newDetector();
    const added = await place(5, 'new/5.jpg');
    detector.rememberAdded({ id: 99, record: added });
    clock += 500;
    expect(await detector.claimRecentAdd(await vanishedFrom(5, 30, 'old/5.jpg'))).toEqual({ id: 99, record: added });
    expect(await detector.claimRecentAdd(await vanishedFrom(5, 30, 'old/5.jpg'))).toBeNull(); // claimed once

    detector.rememberAdded({ id: 100, record: await place(6, 'new/6.jpg') });
    clock += 1500;
    expect(await detector.claimRecentAdd(await vanishedFrom(6, 31, 'old/6.jpg'))).toBeNull();
  });

  it('expires vanished photos after the grace period, later while files keep arriving, but within maxWaitMs', async () => {
    const detector = newDetector({ graceMs: 1000, maxWaitMs: 3000 });
    detector.vanish(await vanishedFrom(0, 1, 'a.jpg'));
    clock += 600;
    detector.vanish(await vanishedFrom(1, 2, 'b.jpg'));
    clock += 500; // a.jpg waited 1100 ms
    expect(detector.takeExpired().map((v) => v.id)).toEqual([1]);

    // A moved folder's files still arriving: b.jpg keeps waiting past its grace period...
    const bSince = 1_000_600;
    while (clock + 400 < bSince + 3000) {
      clock += 400;
      detector.activity();
      expect(detector.takeExpired()).toEqual([]);
    }
    expect(clock - bSince).toBeGreaterThan(2000);
    // ...but not beyond maxWaitMs.
    clock = bSince + 3000;
    detector.activity();
    expect(detector.takeExpired().map((v) => v.id)).toEqual([2]);
  });

  it('calls onExpired on a real timer, and a file back at its path stops the wait', async () => {
    let expiredCalls = 0;
    const detector = newDetector({ graceMs: 50, now: Date.now, onExpired: () => expiredCalls++ });
    const back = await vanishedFrom(0, 1, 'back.jpg');
    const gone = await vanishedFrom(1, 2, 'gone.jpg');
    // No await from here to takeWaitingAt: on a busy machine the 50 ms could pass in one, and `back` expire first.
    detector.vanish(back);
    detector.vanish(gone);
    expect(detector.takeWaitingAt(back.path)).toMatchObject({ id: 1 });
    const deadline = Date.now() + 30_000;
    while (expiredCalls === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(expiredCalls).toBe(1);
    expect(detector.takeExpired().map((v) => v.id)).toEqual([2]);
  });

  it('forgets a removed folder, and reports an unreadable file as no match', async () => {
    const detector = newDetector();
    detector.vanish({ ...(await vanishedFrom(0, 1, 'a.jpg')), folderId: 7 });
    detector.forgetFolder(7);
    expect(detector.waitingCount).toBe(0);
    detector.vanish(await vanishedFrom(1, 2, 'b.jpg'));
    const missing: ScanRecord = { folderId: 1, path: path.join(tmp, 'not-there.jpg'), size: (await fsp.stat(photo(1))).size, mtimeMs: 0 };
    expect(await detector.claimVanished(missing)).toBeNull();
    expect(detector.isWaiting(2)).toBe(true);
  });
});
