import { copyFileSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FSWatcher } from 'chokidar';
import type { ChokidarOptions } from 'chokidar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FolderStatus } from '@shared/types';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import type { Photo } from '../../../electron/engine/catalog/photo-repository';
import type { IndexScheduler } from '../../../electron/engine/indexing/types';
import { hashFile } from '../../../electron/engine/library/content-hash';
import { FolderRejectedError, LibraryService } from '../../../electron/engine/library/library-service';
import type { LibraryServiceOptions } from '../../../electron/engine/library/library-service';
import { hasShared, sharedPath } from '../../support/shared-data';

const PHOTO_DIR = 'data/flickr8k-test1k/images';
const MODEL = 'test';
const DIM = 8;
/** Long enough for an add to follow its unlink on a loaded 2-core machine (the watcher waits ~150 ms for writes). */
const GRACE_MS = 1500;
/** Bound on every wait; a healthy run needs a fraction of it. */
const WAIT_MS = 30_000;

/** The scheduler seam, recorded. */
class RecordingScheduler implements IndexScheduler {
  wakes = 0;
  cancelled: number[] = [];
  wake(): void {
    this.wakes++;
  }
  cancelFolder(folderId: number): void {
    this.cancelled.push(folderId);
  }
}

let tmp: string;
let catalog: Catalog;
let scheduler: RecordingScheduler;
let services: LibraryService[] = [];
let photoNames: string[] = [];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The n-th real Flickr photo (each has its own size and content). */
const photo = (n: number): string => sharedPath(PHOTO_DIR, photoNames[n]!);

async function copyPhoto(n: number, dest: string): Promise<void> {
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  await fsp.copyFile(photo(n), dest);
  await fsp.chmod(dest, 0o644); // the shared files are read-only
}

async function makeFolder(name: string, files: Record<string, number>): Promise<string> {
  const root = path.join(tmp, name);
  await fsp.mkdir(root, { recursive: true });
  for (const [relative, n] of Object.entries(files)) await copyPhoto(n, path.join(root, relative));
  return root;
}

function newService(options: Partial<LibraryServiceOptions> = {}): LibraryService {
  const service = new LibraryService({
    catalog,
    scheduler,
    moveGraceMs: GRACE_MS,
    watcherOptions: { writeStabilityMs: 150, writeCheckMs: 30, pollIntervalMs: 200 },
    ...options,
  });
  services.push(service);
  return service;
}

/** Polls until check() holds; fails with the label and what was last seen. */
async function waitUntil(label: string, check: () => boolean | Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${label}; catalog has: ${allPaths().map((p) => path.relative(tmp, p)).join(', ') || 'nothing'}`);
    }
    await sleep(25);
  }
}

function allPhotos(): Photo[] {
  return catalog.folders.list().flatMap((f) => catalog.photos.listInFolder(f.id).map((k) => catalog.photos.get(k.id)!));
}

const allPaths = (): string[] => allPhotos().map((p) => p.path).sort();
const byPath = (p: string): Photo | undefined => catalog.photos.getByPath(p);
const statusOf = (service: LibraryService, root: string): FolderStatus | undefined => service.folders().find((f) => f.path === root);

function vectorFor(seed: number): Float32Array {
  return Float32Array.from({ length: DIM }, (_, k) => Math.sin(seed * 7 + k) + 1.5);
}

interface Indexed {
  id: number;
  vector: Float32Array;
}

/** What the indexer would have done: every photo under `root` gets a vector and its real content hash. */
async function indexAll(root: string): Promise<Map<string, Indexed>> {
  if (!catalog.embeddings.getModel(MODEL)) catalog.embeddings.ensureModel(MODEL, DIM);
  const out = new Map<string, Indexed>();
  const photos = allPhotos().filter((p) => p.path.startsWith(root + path.sep));
  const indexed = [];
  for (const p of photos) {
    indexed.push({ photoId: p.id, vector: vectorFor(p.id), details: { contentHash: await hashFile(p.path) } });
  }
  const outcome = catalog.saveResults(MODEL, { indexed });
  expect(outcome.skipped).toEqual([]);
  for (const p of photos) out.set(p.path, { id: p.id, vector: catalog.embeddings.get(MODEL, p.id)! });
  return out;
}

/** The photo at `to` is the one that was at `from`: same id, same vector, still indexed. */
function expectSamePhoto(before: Indexed | undefined, to: string): void {
  expect(before).toBeDefined();
  const now = byPath(to);
  expect(now, `${to} in the catalog`).toBeDefined();
  expect(now!.id).toBe(before!.id);
  expect(now!.state).toBe('indexed');
  expect(catalog.embeddings.get(MODEL, now!.id)).toEqual(before!.vector);
}

const has = (p: string) => (): boolean => byPath(p) !== undefined;
const hasNot = (p: string) => (): boolean => byPath(p) === undefined;

beforeEach(async () => {
  tmp = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'shoebox-library-')));
  catalog = Catalog.open(path.join(tmp, 'catalog.sqlite'));
  scheduler = new RecordingScheduler();
  if (photoNames.length === 0 && hasShared(PHOTO_DIR)) {
    photoNames = (await fsp.readdir(sharedPath(PHOTO_DIR))).filter((n) => n.endsWith('.jpg')).sort().slice(0, 40);
  }
});

afterEach(async () => {
  await Promise.all(services.map((s) => s.close()));
  services = [];
  catalog.close();
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasShared(PHOTO_DIR))('LibraryService (real catalog, real photos, real chokidar)', () => {
  it('adds a folder: every photo pending, the indexer woken; hidden and non-photo files ignored, also live', async () => {
    const root = await makeFolder('Pictures', { 'a.jpg': 0, 'b.jpg': 1, '2019/c.jpg': 2, '2019/deep/d.jpg': 3 });
    await fsp.writeFile(path.join(root, 'notes.txt'), 'not a photo');
    await copyPhoto(4, path.join(root, '.hidden.jpg'));
    await copyPhoto(5, path.join(root, '.thumbnails', 'thumb.jpg'));
    await copyPhoto(6, path.join(root, '@eaDir', 'nas-copy.jpg'));
    const changes: FolderStatus[][] = [];
    const service = newService({ onChange: (folders) => changes.push(folders) });
    await service.start();

    const added = await service.addFolder(root);
    expect(added).toMatchObject({ path: root, scanning: true });
    await service.idle();
    expect(allPaths()).toEqual(['2019/c.jpg', '2019/deep/d.jpg', 'a.jpg', 'b.jpg'].map((p) => path.join(root, p)));
    expect(allPhotos().every((p) => p.state === 'pending' && p.folderId === added.id)).toBe(true);
    expect(scheduler.wakes).toBeGreaterThan(0);
    expect(statusOf(service, root)).toEqual({
      id: added.id, path: root, mode: 'watching', reason: null, scanning: false, photos: 4, indexed: 0, pending: 4, failed: 0,
    });
    await waitUntil('onChange reports the scanned folder', () => changes.at(-1)?.[0]?.photos === 4 && changes.at(-1)?.[0]?.scanning === false);

    // What the indexer could not read is listed with its reason.
    const bad = byPath(path.join(root, 'b.jpg'))!;
    catalog.saveResults(MODEL, { failed: [{ photoId: bad.id, reason: 'truncated JPEG' }] });
    expect(service.failures()).toEqual([{ photoId: bad.id, path: bad.path, reason: 'truncated JPEG' }]);
    expect(service.failures(added.id, 1)).toHaveLength(1);
    expect(service.failures(added.id + 1)).toEqual([]);
    expect(statusOf(service, root)).toMatchObject({ pending: 3, failed: 1 });

    // Live: only the real photo arrives.
    await copyPhoto(7, path.join(root, '.another-hidden.jpg'));
    await fsp.writeFile(path.join(root, 'desktop.ini'), '[x]');
    await copyPhoto(8, path.join(root, '.cache', 'x.jpg'));
    await copyPhoto(9, path.join(root, 'live.jpg'));
    await waitUntil('live.jpg is catalogued', has(path.join(root, 'live.jpg')));
    await sleep(400);
    await service.idle();
    expect(allPaths()).toHaveLength(5);
  });

  it('follows live adds, changes and deletes; a deleted photo and its vector go after the grace period', async () => {
    const root = await makeFolder('Pictures', { 'keep.jpg': 0, 'edit.jpg': 1, 'doomed.jpg': 2, 'trip/x.jpg': 3, 'trip/y.jpg': 4 });
    // Grace periods run on this clock; held still, nothing can expire until the test moves it.
    let heldAt: number | null = null;
    const service = newService({ now: () => heldAt ?? Date.now() });
    await service.start();
    await service.addFolder(root);
    await service.idle();
    const indexed = await indexAll(root);
    expect(catalog.embeddings.count(MODEL)).toBe(5);
    const wakesBefore = scheduler.wakes;

    await copyPhoto(5, path.join(root, 'new.jpg'));
    await waitUntil('new.jpg is pending', () => byPath(path.join(root, 'new.jpg'))?.state === 'pending');
    expect(scheduler.wakes).toBeGreaterThan(wakesBefore);

    // An editor overwrites a photo in place: same photo, queued again.
    const edit = path.join(root, 'edit.jpg');
    await fsp.writeFile(edit, await fsp.readFile(photo(6)));
    await waitUntil('edit.jpg is pending again', () => byPath(edit)?.state === 'pending');
    expect(byPath(edit)!.id).toBe(indexed.get(edit)!.id);

    const doomed = path.join(root, 'doomed.jpg');
    heldAt = Date.now();
    await fsp.unlink(doomed);
    // The watcher reports the unlink before the add of a file created after it (the add waits for the write to
    // finish), and the service applies events in order: once the sentinel is in, the unlink has been applied.
    const sentinel = path.join(root, 'after-unlink.jpg');
    await copyPhoto(7, sentinel);
    await waitUntil('the sentinel is catalogued', has(sentinel));
    await service.idle();
    // Not before its grace period: it might have been a move.
    expect(byPath(doomed)?.id).toBe(indexed.get(doomed)!.id);
    expect(catalog.embeddings.get(MODEL, indexed.get(doomed)!.id)).toEqual(indexed.get(doomed)!.vector);
    heldAt += GRACE_MS;
    await waitUntil('doomed.jpg is deleted once its grace period is over', hasNot(doomed));
    expect(catalog.embeddings.get(MODEL, indexed.get(doomed)!.id)).toBeUndefined();
    heldAt = null;

    // A whole subfolder deleted: its photos and vectors go too.
    await fsp.rm(path.join(root, 'trip'), { recursive: true });
    await waitUntil('trip/* are deleted', () => !allPaths().some((p) => p.includes(`${path.sep}trip${path.sep}`)));
    expect(allPaths()).toEqual(['after-unlink.jpg', 'edit.jpg', 'keep.jpg', 'new.jpg'].map((p) => path.join(root, p)));
    expect(catalog.embeddings.count(MODEL)).toBe(2); // keep.jpg, and edit.jpg's old vector until it is re-embedded
    expect(catalog.findOrphans()).toEqual([]);
    expectSamePhoto(indexed.get(path.join(root, 'keep.jpg')), path.join(root, 'keep.jpg'));
  });

  it('a rename keeps the photo id and vector and queues nothing', async () => {
    const root = await makeFolder('Pictures', { 'IMG_0001.jpg': 0, 'other.jpg': 1 });
    const service = newService();
    await service.start();
    await service.addFolder(root);
    await service.idle();
    const indexed = await indexAll(root);
    const wakesBefore = scheduler.wakes;

    const from = path.join(root, 'IMG_0001.jpg');
    const to = path.join(root, 'Beach day.jpg');
    await fsp.rename(from, to);
    await waitUntil('the new name is catalogued', has(to));
    await service.idle();
    expectSamePhoto(indexed.get(from), to);
    expect(byPath(from)).toBeUndefined();
    expect(catalog.photos.counts()).toEqual({ pending: 0, indexed: 2, failed: 0, total: 2 });
    expect(scheduler.wakes).toBe(wakesBefore);
    // And after the grace period nothing is deleted.
    await sleep(GRACE_MS + 300);
    await service.idle();
    expectSamePhoto(indexed.get(from), to);
    expect(catalog.embeddings.count(MODEL)).toBe(2);
  });

  it('moves into a subfolder and into another library folder keep the photo', async () => {
    const a = await makeFolder('A', { 'x.jpg': 0, 'y.jpg': 1, 'z.jpg': 2 });
    const b = await makeFolder('B', { 'b.jpg': 3 });
    const service = newService();
    await service.start();
    const folderA = await service.addFolder(a);
    const folderB = await service.addFolder(b);
    await service.idle();
    const indexed = new Map([...(await indexAll(a)), ...(await indexAll(b))]);
    await fsp.mkdir(path.join(a, 'sub', 'deeper'), { recursive: true });

    await fsp.rename(path.join(a, 'x.jpg'), path.join(a, 'sub', 'deeper', 'x.jpg'));
    await fsp.rename(path.join(a, 'y.jpg'), path.join(b, 'from-a.jpg'));
    await waitUntil('both moved photos are catalogued', () => has(path.join(a, 'sub', 'deeper', 'x.jpg'))() && has(path.join(b, 'from-a.jpg'))());
    await service.idle();
    expectSamePhoto(indexed.get(path.join(a, 'x.jpg')), path.join(a, 'sub', 'deeper', 'x.jpg'));
    expectSamePhoto(indexed.get(path.join(a, 'y.jpg')), path.join(b, 'from-a.jpg'));
    expect(byPath(path.join(b, 'from-a.jpg'))!.folderId).toBe(folderB.id);
    expect(byPath(path.join(a, 'sub', 'deeper', 'x.jpg'))!.folderId).toBe(folderA.id);
    expect(allPaths()).toHaveLength(4);
    expect(catalog.photos.counts().pending).toBe(0);
    expect(statusOf(service, b)).toMatchObject({ photos: 2, indexed: 2 });
  });

  it('a copy followed by deleting the original (a move across drives) keeps the photo, even though the add came first', async () => {
    const a = await makeFolder('A', { 'x.jpg': 0 });
    const b = await makeFolder('B', {});
    const service = newService();
    await service.start();
    await service.addFolder(a);
    const folderB = await service.addFolder(b);
    await service.idle();
    const indexed = await indexAll(a);

    await fsp.copyFile(path.join(a, 'x.jpg'), path.join(b, 'x.jpg'));
    await waitUntil('the copy is catalogued', has(path.join(b, 'x.jpg')));
    expect(byPath(path.join(b, 'x.jpg'))!.state).toBe('pending'); // for now, a new photo
    await fsp.unlink(path.join(a, 'x.jpg'));
    await waitUntil('the copy became the original photo', () => byPath(path.join(b, 'x.jpg'))?.id === indexed.get(path.join(a, 'x.jpg'))!.id);
    await service.idle();
    expectSamePhoto(indexed.get(path.join(a, 'x.jpg')), path.join(b, 'x.jpg'));
    expect(byPath(path.join(b, 'x.jpg'))!.folderId).toBe(folderB.id);
    expect(allPaths()).toEqual([path.join(b, 'x.jpg')]);
  });

  it('removing a folder while it is scanned, or closing then, leaves nothing half-done', async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`d${i % 4}/${i}.jpg`, i % 40]));
    const a = await makeFolder('A', files);
    const b = await makeFolder('B', files);
    const service = newService();
    await service.start();
    const folderA = await service.addFolder(a);
    expect(await service.removeFolder(folderA.id)).toBe(true);
    await service.idle();
    expect(allPaths()).toEqual([]);
    expect(service.folders()).toEqual([]);

    await service.addFolder(b);
    await service.close();
    await service.idle();
    // Whatever the scan wrote before the close is consistent; a new service finishes the job.
    const again = newService();
    await again.start();
    expect(allPaths()).toHaveLength(40);
    expect(again.folders()).toMatchObject([{ path: b, photos: 40, scanning: false, reason: null }]);
  });

  it('moving a whole subfolder (within a folder and to another library folder) keeps every vector', async () => {
    const a = await makeFolder('A', { 'trip/1.jpg': 0, 'trip/2.jpg': 1, 'trip/day 2/3.jpg': 2, 'trip/day 2/4.jpg': 3, 'party/5.jpg': 4, 'party/6.jpg': 5 });
    const b = await makeFolder('B', {});
    const service = newService();
    await service.start();
    await service.addFolder(a);
    await service.addFolder(b);
    await service.idle();
    const indexed = await indexAll(a);

    await fsp.mkdir(path.join(a, '2024'));
    await fsp.rename(path.join(a, 'trip'), path.join(a, '2024', 'Oslo trip'));
    await fsp.rename(path.join(a, 'party'), path.join(b, 'party'));
    const renamed = (p: string): string => p.replace(`${a}${path.sep}trip`, path.join(a, '2024', 'Oslo trip')).replace(`${a}${path.sep}party`, path.join(b, 'party'));
    await waitUntil('every moved photo is catalogued at its new path', () => [...indexed.keys()].every((p) => has(renamed(p))()));
    await sleep(GRACE_MS + 300); // past the grace period: nothing more may change
    await service.idle();
    for (const [from, before] of indexed) expectSamePhoto(before, renamed(from));
    expect(allPaths()).toEqual([...indexed.keys()].map(renamed).sort());
    expect(catalog.photos.counts()).toEqual({ pending: 0, indexed: 6, failed: 0, total: 6 });
  });

  it('finds changes made while it was closed, recognising moves by content hash', async () => {
    const a = await makeFolder('A', { 'keep.jpg': 0, 'delete.jpg': 1, 'edit.jpg': 2, 'rename.jpg': 3, 'to-b.jpg': 4, 'album/1.jpg': 5, 'album/2.jpg': 6 });
    const b = await makeFolder('B', { 'b.jpg': 7 });
    const first = newService();
    await first.start();
    await first.addFolder(a);
    await first.addFolder(b);
    await first.idle();
    const indexed = new Map([...(await indexAll(a)), ...(await indexAll(b))]);
    await first.close();

    // While Shoebox is closed:
    await fsp.unlink(path.join(a, 'delete.jpg'));
    await fsp.writeFile(path.join(a, 'edit.jpg'), await fsp.readFile(photo(8)));
    await fsp.rename(path.join(a, 'rename.jpg'), path.join(a, 'renamed.jpg'));
    await fsp.rename(path.join(a, 'to-b.jpg'), path.join(b, 'from-a.jpg'));
    await fsp.rename(path.join(a, 'album'), path.join(a, 'Album 2019'));
    await copyPhoto(9, path.join(a, 'new.jpg'));
    await copyPhoto(0, path.join(b, 'copy-of-keep.jpg')); // same content as a photo that is still there: a new photo

    scheduler = new RecordingScheduler();
    const second = newService({ scheduler });
    await second.start();
    expect(allPaths()).toEqual(
      [
        path.join(a, 'Album 2019', '1.jpg'), path.join(a, 'Album 2019', '2.jpg'), path.join(a, 'edit.jpg'), path.join(a, 'keep.jpg'),
        path.join(a, 'new.jpg'), path.join(a, 'renamed.jpg'), path.join(b, 'b.jpg'), path.join(b, 'copy-of-keep.jpg'), path.join(b, 'from-a.jpg'),
      ].sort(),
    );
    expectSamePhoto(indexed.get(path.join(a, 'keep.jpg')), path.join(a, 'keep.jpg'));
    expectSamePhoto(indexed.get(path.join(a, 'rename.jpg')), path.join(a, 'renamed.jpg'));
    expectSamePhoto(indexed.get(path.join(a, 'to-b.jpg')), path.join(b, 'from-a.jpg'));
    expectSamePhoto(indexed.get(path.join(a, 'album', '1.jpg')), path.join(a, 'Album 2019', '1.jpg'));
    expectSamePhoto(indexed.get(path.join(a, 'album', '2.jpg')), path.join(a, 'Album 2019', '2.jpg'));
    expect(byPath(path.join(b, 'from-a.jpg'))!.folderId).toBe(catalog.folders.getByPath(b)!.id);
    expect(byPath(path.join(a, 'edit.jpg'))).toMatchObject({ id: indexed.get(path.join(a, 'edit.jpg'))!.id, state: 'pending' });
    expect(byPath(path.join(a, 'new.jpg'))!.state).toBe('pending');
    expect(byPath(path.join(b, 'copy-of-keep.jpg'))!.state).toBe('pending');
    expect(catalog.embeddings.get(MODEL, indexed.get(path.join(a, 'delete.jpg'))!.id)).toBeUndefined();
    expect(catalog.findOrphans()).toEqual([]);
    expect(scheduler.wakes).toBeGreaterThan(0);
    expect(second.folders().map((f) => [f.mode, f.reason])).toEqual([['watching', null], ['watching', null]]);
  });

  it('removes a watched folder: its photos and vectors go, the indexer cancels it, no more events', async () => {
    const a = await makeFolder('A', { '1.jpg': 0, '2.jpg': 1, 'sub/3.jpg': 2 });
    const b = await makeFolder('B', { '4.jpg': 3 });
    const service = newService();
    await service.start();
    const folderA = await service.addFolder(a);
    await service.addFolder(b);
    await service.idle();
    await indexAll(a);
    const kept = await indexAll(b);

    expect(await service.removeFolder(folderA.id)).toBe(true);
    expect(scheduler.cancelled).toEqual([folderA.id]);
    expect(service.folders().map((f) => f.path)).toEqual([b]);
    expect(allPaths()).toEqual([path.join(b, '4.jpg')]);
    expect(catalog.embeddings.count(MODEL)).toBe(1);
    expect(catalog.findOrphans()).toEqual([]);
    expect(await service.removeFolder(folderA.id)).toBe(false);

    await copyPhoto(4, path.join(a, 'after-removal.jpg'));
    await fsp.unlink(path.join(a, '1.jpg'));
    await copyPhoto(5, path.join(b, 'still-watched.jpg'));
    await waitUntil('B is still watched', has(path.join(b, 'still-watched.jpg')));
    await sleep(300);
    await service.idle();
    expect(byPath(path.join(a, 'after-removal.jpg'))).toBeUndefined();
    expectSamePhoto(kept.get(path.join(b, '4.jpg')), path.join(b, '4.jpg'));
  });

  it('keeps the photos of a folder whose root is missing at start, reports it, and recovers on rescan', async () => {
    const a = await makeFolder('Drive', { '1.jpg': 0, 'sub/2.jpg': 1 });
    const first = newService();
    await first.start();
    const folder = await first.addFolder(a);
    await first.idle();
    const indexed = await indexAll(a);
    await first.close();

    await fsp.rename(a, path.join(tmp, 'Drive (unplugged)'));
    const second = newService();
    await second.start();
    const status = statusOf(second, a)!;
    expect(status).toMatchObject({ mode: 'manual', photos: 2, indexed: 2, scanning: false });
    expect(status.reason).toMatch(/could not be read \(ENOENT\).*kept/);
    for (const [p, before] of indexed) expectSamePhoto(before, p);

    // The drive comes back.
    await fsp.rename(path.join(tmp, 'Drive (unplugged)'), a);
    await second.rescan(folder.id);
    await second.idle();
    expect(statusOf(second, a)).toMatchObject({ mode: 'watching', reason: null, photos: 2, indexed: 2 });
    await copyPhoto(2, path.join(a, 'after-return.jpg'));
    await waitUntil('a photo added after the return is seen', has(path.join(a, 'after-return.jpg')));
  });

  it('keeps the photos when a watched root disappears, and picks the folder up again when it is back', async () => {
    const a = await makeFolder('Drive', { '1.jpg': 0, 'sub/2.jpg': 1 });
    const service = newService({ rootRetryMs: 200 });
    await service.start();
    await service.addFolder(a);
    await service.idle();
    const indexed = await indexAll(a);

    await fsp.rename(a, path.join(tmp, 'Drive (unplugged)'));
    await waitUntil('the folder shows its root as missing', () => statusOf(service, a)?.mode === 'manual');
    await service.idle();
    for (const [p, before] of indexed) expectSamePhoto(before, p);
    expect(statusOf(service, a)).toMatchObject({ mode: 'manual', reason: expect.stringContaining('is missing or cannot be read'), photos: 2, indexed: 2 });

    // Back again: found by the periodic check, scanned, watched.
    await fsp.rename(path.join(tmp, 'Drive (unplugged)'), a);
    await waitUntil('the folder is watched again', () => statusOf(service, a)?.mode === 'watching' && statusOf(service, a)?.reason === null);
    for (const [p, before] of indexed) expectSamePhoto(before, p);
    await copyPhoto(2, path.join(a, 'after-return.jpg'));
    await waitUntil('a photo added after the return is seen', has(path.join(a, 'after-return.jpg')));
  });

  it('watches a root again that comes back within the grace period, and finds what was added meanwhile', async () => {
    const a = await makeFolder('Drive', { '1.jpg': 0, 'sub/2.jpg': 1 });
    let heldAt: number | null = Date.now();
    const service = newService({ now: () => heldAt ?? Date.now() });
    await service.start();
    await service.addFolder(a);
    await service.idle();
    const indexed = await indexAll(a);
    const away = path.join(tmp, 'Drive (unplugged)');

    await fsp.rename(a, away);
    // Gives the watchers a turn to report the root's removal (held: the clock stands still). Should they not have
    // seen it, the old watch survives and the photo below is reported by it; the test holds either way.
    const sentinel = await makeFolder('Elsewhere', {});
    await service.addFolder(sentinel);
    await service.idle();
    await copyPhoto(3, path.join(sentinel, 's.jpg'));
    await waitUntil('the sentinel is catalogued', has(path.join(sentinel, 's.jpg')));
    await fsp.rename(away, a);
    // Added while the root was away from the watcher: only the scan after watching again can find it.
    await copyPhoto(2, path.join(a, 'while-away.jpg'));
    heldAt = null; // the grace period ends with the root back in place
    await waitUntil('the photo added while the watch was down is found', has(path.join(a, 'while-away.jpg')));
    for (const [p, before] of indexed) expectSamePhoto(before, p);
    expect(statusOf(service, a)).toMatchObject({ mode: 'watching', reason: null });
    await copyPhoto(4, path.join(a, 'sub', 'after-return.jpg'));
    await waitUntil('a photo added after the return is seen', has(path.join(a, 'sub', 'after-return.jpg')));
  });

  it('refuses a folder inside a library folder; a parent folder absorbs library subfolders with their vectors', async () => {
    const parent = await makeFolder('Pictures', { 'top.jpg': 0, '2019/a.jpg': 1, '2019/trip/b.jpg': 2, '2020/c.jpg': 3 });
    const inner = path.join(parent, '2019');
    const service = newService();
    await service.start();
    const innerFolder = await service.addFolder(inner);
    await service.idle();
    const indexed = await indexAll(inner);

    await expect(service.addFolder(path.join(inner, 'trip'))).rejects.toMatchObject({ reason: 'inside-library-folder', message: expect.stringContaining(`as part of ${inner}`) });
    await expect(service.addFolder(inner)).rejects.toMatchObject({ reason: 'already-added' });
    await expect(service.addFolder(`${inner}${path.sep}`)).rejects.toBeInstanceOf(FolderRejectedError);
    // Through a symlink, too.
    await fsp.symlink(inner, path.join(tmp, 'link-to-2019'));
    await expect(service.addFolder(path.join(tmp, 'link-to-2019'))).rejects.toMatchObject({ reason: 'already-added' });

    const merged = await service.addFolder(parent);
    await service.idle();
    expect(service.folders().map((f) => [f.path, f.photos, f.indexed, f.pending])).toEqual([[parent, 4, 2, 2]]);
    expect(catalog.folders.get(innerFolder.id)).toBeUndefined();
    for (const [p, before] of indexed) {
      expectSamePhoto(before, p);
      expect(byPath(p)!.folderId).toBe(merged.id);
    }
    expect(scheduler.cancelled).toEqual([]); // the inner folder's photos did not leave
    // Changes under the old inner folder now belong to the parent.
    await copyPhoto(4, path.join(inner, 'later.jpg'));
    await waitUntil('later.jpg is catalogued', has(path.join(inner, 'later.jpg')));
    expect(byPath(path.join(inner, 'later.jpg'))!.folderId).toBe(merged.id);
  });

  it('rejects paths that are not usable folders, with readable reasons', async () => {
    const service = newService({ watch: false });
    await service.start();
    const file = path.join(tmp, 'photo.jpg');
    await copyPhoto(0, file);
    await expect(service.addFolder('Pictures')).rejects.toMatchObject({ reason: 'not-absolute' });
    await expect(service.addFolder(path.join(tmp, 'nope'))).rejects.toMatchObject({ reason: 'not-found', message: `${path.join(tmp, 'nope')} does not exist.` });
    await expect(service.addFolder(file)).rejects.toMatchObject({ reason: 'not-a-folder' });
    expect(service.folders()).toEqual([]);
  });

  it('without watching (the CLI), scans on start and on rescan only', async () => {
    const root = await makeFolder('Pictures', { '1.jpg': 0 });
    const service = newService({ watch: false });
    await service.start();
    const folder = await service.addFolder(root);
    await service.idle();
    expect(statusOf(service, root)).toMatchObject({ mode: 'manual', reason: null, photos: 1, pending: 1 });
    await copyPhoto(1, path.join(root, '2.jpg'));
    await sleep(500);
    expect(allPaths()).toHaveLength(1);
    await service.rescan(folder.id);
    expect(allPaths()).toHaveLength(2);
  });

  it('reports a switch to polling with its reason and rescans what the switch missed; records watcher errors', async () => {
    const root = await makeFolder('Pictures', { '1.jpg': 0 });
    const missed = path.join(root, 'missed-during-switch.jpg');
    const created: FSWatcher[] = [];
    const createWatcher = (options: ChokidarOptions): FSWatcher => {
      const fsw = new FSWatcher(options);
      created.push(fsw);
      if (options.usePolling) {
        // Written while the watchers change over: no event reports it, only the rescan can find it.
        copyFileSync(photo(1), missed);
      } else {
        const limit = Object.assign(new Error(`ENOSPC: System limit for number of file watchers reached, watch '${root}'`), { code: 'ENOSPC', syscall: 'watch', path: root });
        fsw.once('ready', () => setTimeout(() => fsw.emit('error', limit), 20));
      }
      return fsw;
    };
    const service = newService({ watcherOptions: { createWatcher, pollIntervalMs: 200, writeStabilityMs: 150, writeCheckMs: 30 } });
    await service.start();
    await service.addFolder(root);
    await waitUntil('the folder polls, saying why', () => statusOf(service, root)?.mode === 'polling' && /ENOSPC.*polling every 200 ms/.test(statusOf(service, root)?.reason ?? ''));
    await waitUntil('the rescan found the missed photo', has(missed));

    // Any other watcher error is shown on the folder, and watching goes on.
    const denied = Object.assign(new Error("EACCES: permission denied, watch 'private'"), { code: 'EACCES', path: path.join(root, 'private') });
    created.at(-1)!.emit('error', denied);
    await waitUntil('the error is shown', () => statusOf(service, root)?.reason?.includes('EACCES: permission denied') === true);
    await copyPhoto(2, path.join(root, 'after-error.jpg'));
    await waitUntil('a photo added after the error is seen', has(path.join(root, 'after-error.jpg')));
  });
});
