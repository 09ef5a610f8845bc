import { copyFile, mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../support/electron';
import { hasShared, repoRoot, sharedPath, TOY_MODEL_DIR } from '../support/shared-data';

/*
 * The real desktop app, driven through Playwright; it needs Electron's binary and skips, saying why, where the binary
 * could not be downloaded. The main process's own modules are plain logic and are tested under Node in test/main/.
 */

const binary = electronBinary();
if (binary.path === null) console.warn(`skipping the Electron app tests: ${binary.reason}`);

describe.skipIf(!binary.path || !hasShared('models/toy-color-clip', 'data/robustness/formats'))('desktop app (Electron)', () => {
  let app: ElectronApplication;
  let userData: string;
  let library: string;

  const bridge = (page: Page, channel: string, payload: unknown) =>
    page.evaluate(
      async ([c, p]) => {
        const shoebox = (globalThis as { shoebox?: { invoke(c: string, p: unknown): Promise<unknown> } }).shoebox!;
        return shoebox.invoke(c as string, p).then(
          (ok) => ({ ok }),
          (error: Error) => ({ error: error.message }),
        );
      },
      [channel, payload] as const,
    );

  /** Loads a URL as an <img> in the page: its natural size, or 'error'. */
  const loadImage = (page: Page, url: string) =>
    page.evaluate(
      (src) =>
        new Promise<string>((resolve) => {
          const doc = (globalThis as unknown as { document: { createElement(tag: string): Record<string, unknown> } }).document;
          const img = doc.createElement('img');
          img.onload = () => resolve(`${String(img.naturalWidth)}x${String(img.naturalHeight)}`);
          img.onerror = () => resolve('error');
          img.src = src;
        }),
      url,
    );

  /** A request on the media scheme made from the main process (net.fetch reaches protocol.handle). */
  const mainFetch = (url: string) =>
    app.evaluate(async ({ net }, target) => {
      const res = await net.fetch(target);
      return { status: res.status, type: res.headers.get('content-type'), body: (await res.text()).slice(0, 200) };
    }, url);

  beforeAll(async () => {
    userData = await mkdtemp(path.join(os.tmpdir(), 'shoebox-electron-'));
    library = path.join(await realpath(userData), 'library');
    await mkdir(library);
    await copyFile(sharedPath('data/robustness/formats/sharp/flowers.jpeg'), path.join(library, 'flowers.jpeg'));
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

  it('runs the page isolated and sandboxed, without Node.js, with only the contract bridge', async () => {
    const page = await app.firstWindow();
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((globalThis as { shoebox?: object }).shoebox ?? {}).sort(),
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'subscribe'] });
    // Context isolation: what the preload holds (ipcRenderer, contextBridge) is not reachable from the page.
    const isolated = await page.evaluate(() => {
      const g = globalThis as { ipcRenderer?: unknown; contextBridge?: unknown; electron?: unknown };
      return g.ipcRenderer === undefined && g.contextBridge === undefined && g.electron === undefined;
    });
    expect(isolated).toBe(true);
    expect(await bridge(page, 'fs.readFile', '/etc/passwd')).toEqual({ error: expect.stringMatching(/unknown request/) });
  });

  it('rejects invalid IPC payloads at the boundary, desktop-only requests included', async () => {
    const page = await app.firstWindow();
    for (const [channel, payload] of [
      ['library.addFolder', { path: 42 }],
      ['library.addFolder', { path: '/tmp', extra: 1 }],
      ['photos.open', { id: '1; rm -rf /' }],
      ['photos.reveal', { id: -1 }],
      ['library.chooseFolder', { path: '/etc' }],
      ['search.query', { limit: 1e9 }],
    ] as const) {
      const reply = await bridge(page, channel, payload);
      expect(reply, `${channel} ${JSON.stringify(payload)}`).toHaveProperty('error');
    }
    // A photo the catalog does not have is never opened.
    expect(await bridge(page, 'photos.open', { id: 999_999 })).toEqual({ error: expect.stringMatching(/not available/) });
  });

  it('serves thumbnails and photos by id on shoebox-media://, and nothing by path', async () => {
    const page = await app.firstWindow();
    expect(await bridge(page, 'library.addFolder', { path: library })).toHaveProperty('ok');
    // The first photo of a fresh catalog is id 1; its thumbnail exists once it is indexed.
    await expect.poll(() => loadImage(page, 'shoebox-media://thumb/1'), { timeout: 30_000 }).toMatch(/^256x\d+$|^\d+x256$/);
    expect(await loadImage(page, 'shoebox-media://photo/1')).not.toBe('error');
    expect(await loadImage(page, 'shoebox-media://photo/424242')).toBe('error');

    const ok = await mainFetch('shoebox-media://photo/1');
    expect([ok.status, ok.type]).toEqual([200, 'image/jpeg']);
    for (const attempt of [
      'shoebox-media://thumb/../../etc/passwd',
      'shoebox-media://thumb/%2e%2e/%2e%2e/etc/passwd',
      'shoebox-media://photo/..%2f..%2fetc%2fpasswd',
      'shoebox-media://photo/1%00',
      'shoebox-media://photo/-1',
      'shoebox-media://photo/1?path=/etc/passwd',
      'shoebox-media://file/etc/passwd',
    ]) {
      const res = await mainFetch(attempt);
      expect([400, 404], attempt).toContain(res.status);
      expect(res.body).not.toContain('root:');
    }
    // The page's CSP lets it show these images, but not fetch anything from elsewhere.
    const external = await page.evaluate(() => fetch('https://example.com/').then(() => 'fetched', () => 'blocked'));
    expect(external).toBe('blocked');
  });

  it('blocks navigation away from the app and new windows', async () => {
    const page = await app.firstWindow();
    const before = page.url();
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'file:///etc/passwd';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/'));
    await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('shoebox-media://photo/1'));
    await page.waitForTimeout(500);
    expect(app.windows()).toHaveLength(1);
  });

  it('denies every web permission request', async () => {
    const page = await app.firstWindow();
    const results = await page.evaluate(async () => {
      const nav = (globalThis as unknown as { navigator: { permissions: { query(d: { name: string }): Promise<{ state: string }> } } })
        .navigator;
      const notification = (globalThis as unknown as { Notification: { requestPermission(): Promise<string> } }).Notification;
      return {
        notifications: await notification.requestPermission(),
        geolocation: (await nav.permissions.query({ name: 'geolocation' })).state,
      };
    });
    expect(results).toEqual({ notifications: 'denied', geolocation: 'denied' });
  });

  it('keeps one instance: a second launch exits and the first window stays', async () => {
    let exited: boolean;
    try {
      const second = await electron.launch({
        executablePath: binary.path!,
        args: [repoRoot, `--user-data-dir=${userData}`, '--no-sandbox'],
        env: { ...process.env, SHOEBOX_MODEL: TOY_MODEL_DIR },
      });
      exited = await new Promise<boolean>((resolve) => {
        if (second.process().exitCode !== null) return resolve(true);
        const timer = setTimeout(() => resolve(false), 10_000);
        second.process().once('exit', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!exited) await second.close();
    } catch (error) {
      // Playwright gives up on a process that quits before it can attach: that is the lock doing its job.
      exited = /closed|exited|Process failed to launch/i.test((error as Error).message);
    }
    expect(exited).toBe(true);
    expect(app.windows()).toHaveLength(1);
  });

  it('remembers the window size across restarts and shuts the engine down cleanly', async () => {
    const page = await app.firstWindow();
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.setBounds({ x: 40, y: 40, width: 900, height: 640 }));
    await page.waitForTimeout(200);
    await app.close();
    app = await electron.launch({
      executablePath: binary.path!,
      args: [repoRoot, `--user-data-dir=${userData}`, '--no-sandbox'],
      env: { ...process.env, SHOEBOX_MODEL: TOY_MODEL_DIR },
    });
    await app.firstWindow();
    const bounds = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.getNormalBounds());
    expect([bounds.width, bounds.height]).toEqual([900, 640]);
    // The catalog was closed cleanly and still knows the photo: its thumbnail is served again.
    const page2 = await app.firstWindow();
    await expect.poll(() => loadImage(page2, 'shoebox-media://thumb/1'), { timeout: 15_000 }).not.toBe('error');
  });
});
