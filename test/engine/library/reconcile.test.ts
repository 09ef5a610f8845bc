import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import { hashFile } from '../../../electron/engine/library/content-hash';
import { hashedSizes, scanFolderChanges, writeScanRecords } from '../../../electron/engine/library/reconcile';
import { hasShared, sharedPath } from '../../support/shared-data';

const PHOTO_DIR = 'data/flickr8k-test1k/images';

let tmp: string;
let root: string;
let catalog: Catalog;
let photoNames: string[] = [];

const photo = (n: number): string => sharedPath(PHOTO_DIR, photoNames[n]!);
const at = (relative: string): string => path.join(root, relative);

async function place(n: number, relative: string): Promise<void> {
  await fsp.mkdir(path.dirname(at(relative)), { recursive: true });
  await fsp.copyFile(photo(n), at(relative));
  await fsp.chmod(at(relative), 0o644);
}

beforeEach(async () => {
  tmp = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'shoebox-reconcile-')));
  root = path.join(tmp, 'Pictures');
  await fsp.mkdir(root);
  catalog = Catalog.open(path.join(tmp, 'catalog.sqlite'));
  if (photoNames.length === 0 && hasShared(PHOTO_DIR)) {
    photoNames = (await fsp.readdir(sharedPath(PHOTO_DIR))).filter((n) => n.endsWith('.jpg')).sort().slice(0, 10);
  }
});

afterEach(async () => {
  catalog.close();
  await fsp.chmod(path.join(root, 'locked'), 0o755).catch(() => {});
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasShared(PHOTO_DIR))('scanFolderChanges', () => {
  it('writes new and changed files in batches, leaves unchanged ones alone, and lists missing and held-back files', async () => {
    for (let i = 0; i < 5; i++) await place(i, `old/${i}.jpg`);
    const folder = catalog.folders.add(root);
    const first = await scanFolderChanges(catalog, folder, { batchSize: 2 });
    expect(first).toMatchObject({ seen: 5, queued: 5, missing: [], held: [], rootProblem: null, problems: [] });

    // Index two of them, then change the disk.
    catalog.embeddings.ensureModel('m', 4);
    for (const name of ['old/0.jpg', 'old/1.jpg']) {
      const p = catalog.photos.getByPath(at(name))!;
      catalog.saveResults('m', { indexed: [{ photoId: p.id, vector: new Float32Array([1, 0, 0, 0]), details: { contentHash: await hashFile(p.path) } }] });
    }
    await fsp.mkdir(at('new'));
    await fsp.rename(at('old/0.jpg'), at('new/moved.jpg')); // same size as a hashed photo: held back
    await fsp.unlink(at('old/2.jpg'));
    await fsp.writeFile(at('old/3.jpg'), await fsp.readFile(photo(6)));
    await place(7, 'new/7.jpg');
    const updatedBefore = catalog.photos.getByPath(at('old/4.jpg'))!.updatedAt;

    const queuedBatches: number[] = [];
    const second = await scanFolderChanges(catalog, folder, { holdSizes: hashedSizes(catalog, [folder.id]), onQueued: (n) => queuedBatches.push(n) });
    expect(second.seen).toBe(5);
    expect(second.missing.map((k) => path.relative(root, k.path)).sort()).toEqual(['old/0.jpg', 'old/2.jpg']);
    expect(second.held.map((r) => path.relative(root, r.path))).toEqual(['new/moved.jpg']);
    expect(catalog.photos.getByPath(at('new/moved.jpg'))).toBeUndefined(); // for the caller to match first
    expect(catalog.photos.getByPath(at('new/7.jpg'))!.state).toBe('pending');
    expect(catalog.photos.getByPath(at('old/3.jpg'))!.state).toBe('pending');
    expect(catalog.photos.getByPath(at('old/1.jpg'))!.state).toBe('indexed');
    expect(catalog.photos.getByPath(at('old/4.jpg'))!.updatedAt).toBe(updatedBefore);
    expect(queuedBatches).toEqual([2]);
    // Nothing is deleted by the scan itself.
    expect(catalog.photos.getByPath(at('old/2.jpg'))).toBeDefined();
  });

  it('reports a missing root and lists nothing as missing', async () => {
    await place(0, 'a.jpg');
    const folder = catalog.folders.add(root);
    await scanFolderChanges(catalog, folder);
    await fsp.rename(root, path.join(tmp, 'elsewhere'));
    const result = await scanFolderChanges(catalog, folder);
    expect(result.rootProblem).toMatchObject({ path: root, code: 'ENOENT', isRoot: true });
    expect(result.missing).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('never counts photos under an unreadable subfolder as missing', async () => {
    await place(0, 'a.jpg');
    await place(1, 'locked/b.jpg');
    const folder = catalog.folders.add(root);
    await scanFolderChanges(catalog, folder);
    await fsp.unlink(at('a.jpg'));
    await fsp.chmod(at('locked'), 0o000);
    const result = await scanFolderChanges(catalog, folder);
    expect(result.problems).toEqual([expect.objectContaining({ path: at('locked'), isRoot: false })]);
    expect(result.missing.map((k) => k.path)).toEqual([at('a.jpg')]);
  });

  it('stops on abort without writing more', async () => {
    for (let i = 0; i < 3; i++) await place(i, `${i}.jpg`);
    const folder = catalog.folders.add(root);
    const abort = new AbortController();
    abort.abort();
    await expect(scanFolderChanges(catalog, folder, { signal: abort.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(catalog.photos.listInFolder(folder.id)).toEqual([]);
  });

  it('does not overwrite a row a live event changed after the scan began', async () => {
    await place(0, 'a.jpg');
    const folder = catalog.folders.add(root);
    await scanFolderChanges(catalog, folder);
    const snapshot = catalog.photos.listInFolder(folder.id)[0]!;
    // A watcher event records a newer version...
    catalog.photos.upsertScanned({ folderId: folder.id, path: at('a.jpg'), size: 123, mtimeMs: snapshot.mtimeMs + 5000 });
    // ...then the scan's older stat arrives.
    const written = writeScanRecords(catalog, [{ folderId: folder.id, path: at('a.jpg'), size: 456, mtimeMs: snapshot.mtimeMs + 1000 }], () => snapshot);
    expect(written).toBe(0);
    expect(catalog.photos.getByPath(at('a.jpg'))).toMatchObject({ size: 123 });
  });
});
