import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../electron/engine/start-engine';
import { startWebServer, type WebServer } from '../../electron/engine/web/server';
import { hasChromium, launchChromium } from '../support/browser';
import { hasShared, repoRoot, TOY_MODEL_DIR } from '../support/shared-data';

const rendererDir = path.join(repoRoot, 'out', 'renderer');
const artifacts = path.join(repoRoot, 'test-results');

describe.skipIf(!hasChromium() || !hasShared('models/toy-color-clip'))('web mode in Chromium', () => {
  let data: string;
  let engine: RunningEngine;
  let server: WebServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(path.join(rendererDir, 'index.html'))) {
      throw new Error('the renderer is not built: run `npm run build` (npm test does it first)');
    }
    data = await mkdtemp(path.join(os.tmpdir(), 'shoebox-e2e-'));
    engine = await startEngine({ mode: 'web', dataDir: data, model: TOY_MODEL_DIR, provider: 'cpu' });
    server = await startWebServer({ api: engine.api, events: engine.events, rendererDir });
    browser = await launchChromium();
    await mkdir(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.close();
    if (data) await rm(data, { recursive: true, force: true });
  });

  it('shows the app name and the engine status through the typed contract', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(server.url);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Shoebox');
    await expect.poll(() => page.getByTestId('engine-state').textContent(), { timeout: 10_000 }).toBe('ready (web mode)');
    expect(await page.getByTestId('model-state').textContent()).toContain('available');
    expect(await page.getByTestId('version').textContent()).toMatch(/^\d+\.\d+\.\d+/);
    // The token leaves the address bar once the page has stored it.
    expect(page.url()).not.toContain('token=');
    await page.screenshot({ path: path.join(artifacts, 'web-status.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a clear message, not a blank page, when the token is wrong', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/?token=wrong`);
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/not reachable.*token/);
    await page.close();
  });
});
