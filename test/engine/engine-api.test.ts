import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestChannels } from '@shared/contract';
import type { ShoeboxApi } from '@shared/contract';
import { createEngineApi } from '../../electron/engine/engine-api';
import type { EngineServices } from '../../electron/engine/engine-api';
import { startEngine, type RunningEngine } from '../../electron/engine/start-engine';
import { hasShared, TOY_MODEL_DIR } from '../support/shared-data';

const COLOURS: Record<string, [number, number, number]> = { red: [220, 20, 30], green: [30, 180, 40], blue: [25, 40, 210] };
const WAIT_MS = 60_000;

async function solid(file: string, rgb: [number, number, number]): Promise<void> {
  await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).jpeg().toFile(file);
}

/** The services createEngineApi is given, taken from a running engine. */
function servicesOf(engine: RunningEngine): EngineServices {
  const { app, library, indexing, catalog, settings, photos } = engine;
  return { app, library, indexing, catalog, settings, photos, search: () => engine.search(), describe: () => engine.describe() };
}

describe.skipIf(!hasShared('models/toy-color-clip'))('createEngineApi over the real services (toy model)', () => {
  let root: string;
  let library: string;
  let engine: RunningEngine;
  let api: ShoeboxApi;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'shoebox-engine-api-'));
    library = path.join(root, 'Pictures');
    await mkdir(library);
    for (const [name, rgb] of Object.entries(COLOURS)) await solid(path.join(library, `${name}.jpg`), rgb);
    engine = await startEngine({ mode: 'web', dataDir: path.join(root, 'data'), model: TOY_MODEL_DIR, provider: 'cpu', watch: false });
    api = createEngineApi(servicesOf(engine));
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('has a handler for every request channel of the contract, and for nothing else', () => {
    expect(Object.keys(api).sort()).toEqual([...requestChannels].sort());
    for (const channel of requestChannels) expect(typeof api[channel], channel).toBe('function');
  });

  it('app.status: the web engine is ready with the model folder available', async () => {
    const status = await api['app.status'](undefined);
    expect(status).toMatchObject({ app: { name: 'Shoebox' }, engine: { mode: 'web', state: 'ready', error: null }, model: { state: 'available' } });
    expect(await api['model.download'](undefined)).toMatchObject({ state: 'available' });
  });

  it('library.addFolder, library.folders, then browsing, photos.get and a colour search end to end', async () => {
    const added = await api['library.addFolder']({ path: library });
    expect(added).toMatchObject({ path: library });
    expect((await api['library.folders'](undefined)).map((f) => f.path)).toEqual([library]);

    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const status = await api['indexing.status'](undefined);
      if (status.pending === 0 && status.indexed === 3) break;
      if (Date.now() > deadline) throw new Error(`indexing did not finish: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await api['library.folders'](undefined)).toMatchObject([{ path: library, photos: 3, indexed: 3, pending: 0, failed: 0 }]);
    expect(await api['library.failures']({})).toEqual([]);

    // Browsing (no text, no examples) lists the library.
    const browse = await api['search.query']({});
    expect(browse.total).toBe(3);
    expect(browse.hits.map((h) => h.photo.name).sort()).toEqual(['blue.jpg', 'green.jpg', 'red.jpg']);
    expect(browse.hits.every((h) => h.score === null)).toBe(true);

    const red = browse.hits.find((h) => h.photo.name === 'red.jpg')!.photo;
    const details = await api['photos.get']({ id: red.id });
    expect(details).toMatchObject({ id: red.id, path: path.join(library, 'red.jpg'), size: (await stat(path.join(library, 'red.jpg'))).size, note: null });
    expect(await api['photos.setNote']({ id: red.id, note: 'the red one' })).toMatchObject({ id: red.id, note: 'the red one' });
    expect(await api['photos.get']({ id: red.id })).toMatchObject({ note: 'the red one' });

    const search = await api['search.query']({ text: 'blue', groupDuplicates: false, useText: false, relevantOnly: false });
    expect(search.hits[0]?.photo.name).toBe('blue.jpg');
  });

  it('settings: what is updated is what is read back', async () => {
    const before = await api['settings.get'](undefined);
    const after = await api['settings.update']({ threshold: 0.25, diversify: !before.diversify });
    expect(after).toEqual({ ...before, threshold: 0.25, diversify: !before.diversify });
    expect(await api['settings.get'](undefined)).toEqual(after);
    expect(await api['settings.update']({ threshold: before.threshold, diversify: before.diversify })).toEqual(before);
  });

  it('rejects the desktop-only requests and impossible ones with a readable message', async () => {
    await expect(api['photos.open']({ id: 1 })).rejects.toThrow('only available in the desktop app');
    await expect(api['photos.reveal']({ id: 1 })).rejects.toThrow('only available in the desktop app');
    await expect(api['library.chooseFolder'](undefined)).rejects.toThrow('only available in the desktop app');
    await expect(api['library.removeFolder']({ id: 9999 })).rejects.toThrow('no library folder with id 9999');
    await expect(api['photos.describe']({})).rejects.toThrow('give either a photo id or an uploaded image id');
  });

  it('without a model: browsing still answers, search and Describe say what they need', async () => {
    const bare = createEngineApi({ ...servicesOf(engine), search: () => null, describe: () => null });
    expect((await bare['search.query']({})).total).toBeGreaterThan(0);
    await expect(bare['search.query']({ text: 'red' })).rejects.toThrow(/^search needs the model/);
    await expect(bare['search.uploadImage']({ data: 'AAAA' })).rejects.toThrow(/^search needs the model/);
    await expect(bare['labels.list'](undefined)).rejects.toThrow(/^Describe needs the model/);
  });
});
