import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppStatus, ModelProgress } from '@shared/types';
import { AppService } from '../../electron/engine/app-service';
import { ClipModel } from '../../electron/engine/clip/clip-model';
import { EngineEvents } from '../../electron/engine/events';
import { ModelManager } from '../../electron/engine/models/model-manager';
import type { FileBehaviour } from '../support/model-file-server';
import { ModelFileServer } from '../support/model-file-server';
import { hasShared, repoRoot, TOY_MODEL_DIR } from '../support/shared-data';
import { TOY_FILES, toyFileBody, toyManifest } from '../support/toy-manifest';

const FAST = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 };
const WAIT_MS = 30_000;

/** Polls until check() holds; fails with the label on timeout. */
async function waitUntil(label: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!hasShared('models/toy-color-clip'))('AppService (real model manager, a local file server)', () => {
  let server: ModelFileServer;
  let dataDir: string;
  let events: EngineEvents;
  let statuses: AppStatus[];
  let progress: ModelProgress[];
  let prefix = 0;

  /** An AppService for the toy manifest, its files served under a fresh prefix with the given behaviour. */
  function newService(options: { behaviour?: FileBehaviour; model?: string } = {}): { app: AppService; urlOf: (file: string) => string } {
    const base = `/run${++prefix}`;
    for (const name of TOY_FILES) server.serve(`${base}/${name}`, toyFileBody(name), options.behaviour ?? {});
    const manifest = toyManifest({ url: (name) => server.url(`${base}/${name}`) });
    const models = new ModelManager({ dataDir, manifest, retry: FAST, progressIntervalMs: 0 });
    const app = new AppService({ mode: 'web', events, models, provider: 'cpu', ...(options.model ? { model: options.model } : {}) });
    return { app, urlOf: (file) => `${base}/${file}` };
  }

  beforeAll(async () => {
    server = await ModelFileServer.start();
  });

  afterAll(async () => {
    await server?.close();
  });

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-app-service-'));
    events = new EngineEvents();
    statuses = [];
    progress = [];
    events.on('app.status', (status) => statuses.push(status));
    events.on('model.progress', (p) => progress.push(p));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports the app, a starting engine and a model not downloaded yet', () => {
    const { app } = newService();
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(app.modelArgument).toBe('toy');
    expect(app.status()).toEqual({
      app: { name: 'Shoebox', version },
      engine: { mode: 'web', state: 'starting', error: null },
      model: { id: 'toy', name: 'Toy colour CLIP', state: 'missing', receivedBytes: null, totalBytes: null, reason: 'not downloaded yet' },
      runtime: { provider: null, requestedProvider: 'cpu', fallbackReason: null, intraOpThreads: null },
    });
  });

  it('becomes ready, or shows the error it was given, and says so in an app.status event', () => {
    const { app } = newService();
    app.setReady();
    expect(app.status().engine).toEqual({ mode: 'web', state: 'ready', error: null });
    expect(statuses.at(-1)?.engine.state).toBe('ready');
    app.setReady('library scan failed: EACCES');
    expect(app.status().engine).toEqual({ mode: 'web', state: 'error', error: 'library scan failed: EACCES' });
    expect(statuses.at(-1)?.engine).toEqual({ mode: 'web', state: 'error', error: 'library scan failed: EACCES' });
  });

  it('downloads the model once however often it is asked: missing, downloading, available', async () => {
    const { app, urlOf } = newService();
    const first = app.downloadModel();
    expect(first).toMatchObject({ id: 'toy', state: 'downloading' });
    expect(app.downloadModel()).toMatchObject({ state: 'downloading' }); // joins the download under way
    await waitUntil('the model is available', () => app.status().model.state === 'available');
    expect(app.status().model).toEqual({ id: 'toy', name: 'Toy colour CLIP', state: 'available', receivedBytes: null, totalBytes: null, reason: null });
    expect(statuses.at(-1)?.model.state).toBe('available');
    for (const name of TOY_FILES) expect(server.requestsFor(urlOf(name)), name).toHaveLength(1);

    // Progress events carry the model's id and byte counts up to the whole size.
    const total = TOY_FILES.reduce((sum, name) => sum + toyFileBody(name).length, 0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.id === 'toy' && p.state === 'downloading')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ receivedBytes: total, totalBytes: total });

    // Available: nothing more is fetched.
    expect(app.downloadModel()).toMatchObject({ state: 'available' });
    for (const name of TOY_FILES) expect(server.requestsFor(urlOf(name))).toHaveLength(1);
  });

  it('shows a download that keeps failing as failed, with the reason', async () => {
    const { app } = newService({ behaviour: { failWith: { status: 404 } } });
    expect(app.downloadModel()).toMatchObject({ state: 'downloading' });
    await waitUntil('the download has failed', () => app.status().model.state === 'failed');
    const model = app.status().model;
    expect(model.reason).toMatch(/404/);
    expect(statuses.at(-1)?.model.state).toBe('failed');
  });

  it('takes a model folder as available, without downloading, and reports the provider once its tower runs', async () => {
    const { app, urlOf } = newService({ model: TOY_MODEL_DIR });
    const name = path.basename(TOY_MODEL_DIR);
    expect(app.status().model).toEqual({ id: name, name, state: 'available', receivedBytes: null, totalBytes: null, reason: null });
    expect(app.downloadModel()).toMatchObject({ state: 'available' });
    expect(server.requestsFor(urlOf('vision_model.onnx'))).toHaveLength(0);

    const model = await ClipModel.open(TOY_MODEL_DIR, { provider: 'cpu' });
    try {
      app.attachModel(model);
      expect(app.status().runtime.provider).toBeNull(); // the image tower is not loaded yet
      await model.warmUp();
      const runtime = app.status().runtime;
      expect(runtime).toMatchObject({ provider: 'cpu', requestedProvider: 'cpu', fallbackReason: null });
      expect(runtime.intraOpThreads).toBeGreaterThan(0);
      app.attachModel(null);
      expect(app.status().runtime.provider).toBeNull();
      expect(statuses.at(-1)?.runtime.provider).toBeNull();
    } finally {
      await model.dispose();
    }
  });
});
