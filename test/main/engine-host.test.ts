import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../electron/engine/catalog/catalog';
import { startEngine } from '../../electron/engine/host';
import { hasShared, sharedPath, TOY_MODEL_DIR } from '../support/shared-data';

describe.skipIf(!hasShared('models/toy-color-clip', 'data/flickr8k-test1k/images'))('engine shutdown, as the utility process runs it on quit', () => {
  let dir: string;

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finishes the batch on the model, commits it, and closes the catalog cleanly (WAL checkpointed)', async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'shoebox-shutdown-')));
    const library = path.join(dir, 'library');
    await mkdir(library);
    const names = (await readdir(sharedPath('data/flickr8k-test1k/images'))).filter((n) => n.endsWith('.jpg')).slice(0, 40);
    for (const name of names) await copyFile(sharedPath('data/flickr8k-test1k/images', name), path.join(library, name));
    const dataDir = path.join(dir, 'data');
    const engine = await startEngine({ mode: 'electron', dataDir, model: TOY_MODEL_DIR, provider: 'cpu', batchSize: 4 });
    await engine.modelReady;
    await engine.api['library.addFolder']({ path: library });
    for (const started = Date.now(); ; ) {
      if ((await engine.api['indexing.status']()).processedThisRun >= 4) break;
      if (Date.now() - started > 30_000) throw new Error('indexing did not start');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // What engine-host.ts does on the 'shutdown' message.
    await engine.close();

    const catalog = Catalog.openInDataDir(dataDir);
    try {
      expect(catalog.integrityCheck()).toEqual([]);
      expect(catalog.findOrphans()).toEqual([]);
      const counts = catalog.photos.counts();
      expect(counts.total).toBe(names.length);
      expect(counts.indexed).toBeGreaterThanOrEqual(4);
      const model = catalog.embeddings.activeModel()!;
      expect(catalog.embeddings.count(model.id)).toBe(counts.indexed);
    } finally {
      catalog.close();
    }
    // The WAL was checkpointed into the catalog and truncated when the engine closed it.
    const wal = path.join(dataDir, 'catalog.sqlite-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
  }, 60_000);
});
