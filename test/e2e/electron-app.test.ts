import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../support/electron';
import { repoRoot, TOY_MODEL_DIR } from '../support/shared-data';

const binary = electronBinary();
if (binary.path === null) console.warn(`skipping the Electron app tests: ${binary.reason}`);

describe.skipIf(!binary.path)('desktop app (Electron)', () => {
  let app: ElectronApplication;
  let userData: string;

  beforeAll(async () => {
    userData = await mkdtemp(path.join(os.tmpdir(), 'shoebox-electron-'));
    app = await electron.launch({
      executablePath: binary.path!,
      args: [repoRoot, `--user-data-dir=${userData}`, '--no-sandbox'],
      env: { ...process.env, SHOEBOX_MODEL: TOY_MODEL_DIR },
    });
  });

  afterAll(async () => {
    await app?.close();
    await rm(userData, { recursive: true, force: true });
  });

  it('opens a window that shows the engine status from the utility process', async () => {
    const page = await app.firstWindow();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Shoebox');
    await expect.poll(() => page.getByTestId('engine-state').textContent(), { timeout: 15_000 }).toBe('ready (electron mode)');
  });

  it('gives the renderer no Node.js and only the contract bridge', async () => {
    const page = await app.firstWindow();
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((globalThis as { shoebox?: object }).shoebox ?? {}).sort(),
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'subscribe'] });
    const rejected = await page.evaluate(async () => {
      const bridge = (globalThis as { shoebox?: { invoke(c: string, p: unknown): Promise<unknown> } }).shoebox!;
      return bridge.invoke('fs.readFile', '/etc/passwd').then(() => 'accepted', (error: Error) => error.message);
    });
    expect(rejected).toMatch(/unknown request/);
  });

  it('blocks navigation away from the app and new windows', async () => {
    const page = await app.firstWindow();
    const before = page.url();
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/'));
    await page.waitForTimeout(500);
    expect(app.windows()).toHaveLength(1);
  });
});
