import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../electron/engine/start-engine';
import { startWebServer, type WebServer } from '../../electron/engine/web/server';
import { hasChromium, launchChromium } from '../support/browser';
import { ModelFileServer } from '../support/model-file-server';
import { hasShared, repoRoot } from '../support/shared-data';
import { TOY_FILES, toyFileBody, toyManifest } from '../support/toy-manifest';

const artifacts = path.join(repoRoot, 'test-results');

describe.skipIf(!hasChromium() || !hasShared('models/toy-color-clip'))('first run in the browser: no model yet', () => {
  let data: string;
  let files: ModelFileServer;
  let engine: RunningEngine;
  let server: WebServer;
  let browser: Browser;

  beforeAll(async () => {
    data = await mkdtemp(path.join(os.tmpdir(), 'shoebox-first-run-'));
    files = await ModelFileServer.start();
    for (const name of TOY_FILES) {
      // The first attempt at the image tower breaks off half-way: the download must resume, not fail.
      files.serve(`/toy/${name}`, toyFileBody(name), name === 'vision_model.onnx' ? { cutAfter: { bytes: 50_000, times: 1 } } : {});
    }
    const manifest = toyManifest({ url: (name) => files.url(`/toy/${name}`) });
    engine = await startEngine({ mode: 'web', dataDir: data, manifest, provider: 'cpu' });
    server = await startWebServer({ api: engine.api, events: engine.events, rendererDir: path.join(repoRoot, 'out', 'renderer') });
    browser = await launchChromium();
    await mkdir(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.close();
    await files?.close();
    if (data) await rm(data, { recursive: true, force: true });
  });

  it('offers the model download, shows its progress, and becomes ready to index', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    const button = page.getByRole('button', { name: 'Download Toy colour CLIP' });
    await button.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('model-state').textContent()).toContain('missing');
    await page.screenshot({ path: path.join(artifacts, 'web-first-run.png') });
    await button.click();
    await expect.poll(() => page.getByTestId('model-state').textContent(), { timeout: 20_000 }).toBe('Toy colour CLIP: available');
    await expect.poll(() => page.getByRole('button', { name: /Download/ }).count()).toBe(0);
    // The broken first transfer was resumed with a Range request rather than started over.
    const visionRequests = files.requestsFor('/toy/vision_model.onnx');
    expect(visionRequests.length).toBe(2);
    expect(visionRequests[1]!.range).toMatch(/^bytes=\d+-$/);
    // The engine opened the downloaded model and started indexing (an empty library here).
    await expect(engine.modelReady).resolves.toBeDefined();
    await page.close();
  });
});
