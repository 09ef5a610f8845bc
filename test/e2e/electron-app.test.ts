import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestChannels, type RequestChannel } from '../../shared/contract';
import { Catalog } from '../../electron/engine/catalog/catalog';
import type { MediaFile, MediaKind } from '../../electron/engine/media/media-service';
import { dispatchInternal, type RpcReply } from '../../electron/engine/rpc';
import { startEngine } from '../../electron/engine/start-engine';
import { asarUnpackedPath } from '../../electron/main/asar';
import { desktopOverrides, type DesktopServices } from '../../electron/main/desktop-requests';
import { createIpcRouter, isTrustedRendererUrl, registerIpc, type IpcMainLike } from '../../electron/main/ipc';
import { handleMediaRequest, MEDIA_SCHEME_PRIVILEGES, parseMediaUrl } from '../../electron/main/media-protocol';
import { APP_CSP, SECURE_WEB_PREFERENCES } from '../../electron/main/security';
import { DEFAULT_WINDOW_STATE, sanitizeWindowState } from '../../electron/main/window-state';
import { electronBinary } from '../support/electron';
import { hasShared, repoRoot, sharedPath, TOY_MODEL_DIR } from '../support/shared-data';

/*
 * Two halves. The first runs everywhere: the main process's routing, validation, media-scheme and window-state logic
 * are plain modules (only index.ts imports `electron`), so the exact functions the app registers are tested here
 * under Node. The second drives the real app through Playwright and needs Electron's binary; it skips, saying why,
 * where the binary could not be downloaded.
 */

interface FakeEvent {
  url: string;
}

const trusted: FakeEvent = { url: 'file:///app/out/renderer/index.html' };
const isTrustedSender = (event: FakeEvent) => event.url === trusted.url;

function fakeServices(overrides: Partial<DesktopServices> = {}) {
  const calls: string[] = [];
  const services: DesktopServices = {
    photoPath: async (id) => (id === 7 ? '/library/seven.jpg' : null),
    forward: async (channel, payload) => {
      calls.push(`forward ${channel} ${JSON.stringify(payload)}`);
      return { ok: { id: 1, path: (payload as { path: string }).path } };
    },
    openPath: async (file) => {
      calls.push(`open ${file}`);
      return '';
    },
    showItemInFolder: (file) => void calls.push(`reveal ${file}`),
    chooseFolder: async () => '/home/me/Pictures',
    ...overrides,
  };
  return { services, calls };
}

describe('desktop shell logic (runs without the Electron binary)', () => {
  describe('IPC routing table', () => {
    function router(overrides = fakeServices()) {
      const forward = vi.fn(async (channel: RequestChannel, payload: unknown): Promise<RpcReply> => ({ ok: { channel, payload } }));
      const route = createIpcRouter<FakeEvent>({ isTrustedSender, forward, overrides: desktopOverrides(overrides.services) });
      return { route, forward, calls: overrides.calls };
    }

    it.each<[RequestChannel, unknown]>([
      ['library.addFolder', { path: 42 }],
      ['library.addFolder', { path: '' }],
      ['library.addFolder', { path: '/photos', extra: true }],
      ['library.addFolder', '/etc'],
      ['library.addFolder', { path: '/photos\0/etc/passwd' }],
      ['library.removeFolder', { id: 0 }],
      ['library.removeFolder', { id: '1' }],
      ['photos.open', { id: -1 }],
      ['photos.open', { id: 1.5 }],
      ['photos.open', { id: '1; rm -rf /' }],
      ['photos.reveal', { path: '/etc/passwd' }],
      ['photos.reveal', null],
      ['library.chooseFolder', { path: '/etc' }],
      ['app.status', { anything: 1 }],
      ['search.query', { text: 'x'.repeat(5000) }],
      ['search.query', { limit: 1e9 }],
      ['search.query', { __proto__: { polluted: true }, filters: { folderIds: ['1'] } }],
      ['settings.update', { threads: 100_000 }],
    ])('rejects an invalid %s payload before anything runs: %j', async (channel, payload) => {
      const { route, forward, calls } = router();
      const reply = await route(channel, trusted, payload);
      expect(reply).toMatchObject({ error: { code: 'invalid-payload' } });
      expect(forward).not.toHaveBeenCalled();
      expect(calls).toEqual([]);
    });

    it('forwards a valid payload to the engine as the validator returned it', async () => {
      const { route, forward } = router();
      expect(await route('library.addFolder', trusted, { path: '/photos' })).toEqual({
        ok: { channel: 'library.addFolder', payload: { path: '/photos' } },
      });
      expect(forward).toHaveBeenCalledWith('library.addFolder', { path: '/photos' });
    });

    it('answers nothing to a sender that is not the app page', async () => {
      const { route, forward } = router();
      const reply = await route('app.status', { url: 'https://evil.example/' }, undefined);
      expect(reply).toEqual({ error: { code: 'forbidden', message: 'untrusted sender' } });
      expect(forward).not.toHaveBeenCalled();
    });

    it('registers every contract request channel and nothing else, through the same router', async () => {
      const handlers = new Map<string, (event: FakeEvent, payload: unknown) => Promise<RpcReply>>();
      const fakeIpcMain: IpcMainLike<FakeEvent> = { handle: (channel, listener) => void handlers.set(channel, listener) };
      const forward = vi.fn(async (): Promise<RpcReply> => ({ ok: null }));
      registerIpc(fakeIpcMain, { isTrustedSender, forward });
      expect([...handlers.keys()].sort()).toEqual([...requestChannels].sort());
      const reply = await handlers.get('photos.get')!(trusted, { id: 'x' });
      expect(reply).toMatchObject({ error: { code: 'invalid-payload' } });
      expect(forward).not.toHaveBeenCalled();
    });

    it('opens and reveals only paths the engine validated, and reports what it could not', async () => {
      const { route, calls } = router();
      expect(await route('photos.open', trusted, { id: 7 })).toEqual({ ok: null });
      expect(await route('photos.reveal', trusted, { id: 7 })).toEqual({ ok: null });
      expect(calls).toEqual(['open /library/seven.jpg', 'reveal /library/seven.jpg']);
      const missing = await route('photos.open', trusted, { id: 8 });
      expect(missing).toMatchObject({ error: { code: 'failed', message: expect.stringMatching(/not available/) } });
      expect(calls).toHaveLength(2);

      const failing = router(fakeServices({ openPath: async () => 'no application is registered for this file' }));
      expect(await failing.route('photos.open', trusted, { id: 7 })).toMatchObject({
        error: { message: 'The photo could not be opened: no application is registered for this file' },
      });
    });

    it('adds the folder chosen in the system picker through the engine, and nothing when cancelled', async () => {
      const chosen = router();
      const reply = await chosen.route('library.chooseFolder', trusted, undefined);
      expect(reply).toEqual({ ok: { id: 1, path: '/home/me/Pictures' } });
      expect(chosen.calls).toEqual(['forward library.addFolder {"path":"/home/me/Pictures"}']);
      expect(chosen.forward).not.toHaveBeenCalled(); // the override, not the engine's desktop-only stub

      const cancelled = router(fakeServices({ chooseFolder: async () => null }));
      expect(await cancelled.route('library.chooseFolder', trusted, undefined)).toEqual({ ok: null });
      expect(cancelled.calls).toEqual([]);

      const refused = router(
        fakeServices({ forward: async () => ({ error: { code: 'failed', message: '/ is already in the library.' } }) }),
      );
      expect(await refused.route('library.chooseFolder', trusted, undefined)).toMatchObject({
        error: { message: '/ is already in the library.' },
      });
    });

    it('trusts exactly the built page, or the dev server by origin', () => {
      const fileUrl = pathToFileURL('/app/out/renderer/index.html').href;
      expect(isTrustedRendererUrl(`${fileUrl}#/search`, { fileUrl })).toBe(true);
      expect(isTrustedRendererUrl('file:///app/out/renderer/other.html', { fileUrl })).toBe(false);
      expect(isTrustedRendererUrl('file:///tmp/renderer/index.html', { fileUrl })).toBe(false);
      expect(isTrustedRendererUrl('https://evil.example/renderer/index.html', { fileUrl })).toBe(false);
      expect(isTrustedRendererUrl('not a url', { fileUrl })).toBe(false);
      const devUrl = 'http://localhost:5173';
      expect(isTrustedRendererUrl('http://localhost:5173/index.html', { devUrl, fileUrl })).toBe(true);
      expect(isTrustedRendererUrl('http://localhost:51730/', { devUrl, fileUrl })).toBe(false);
      expect(isTrustedRendererUrl('http://localhost.evil.example:5173/', { devUrl, fileUrl })).toBe(false);
      expect(isTrustedRendererUrl(fileUrl, { devUrl, fileUrl })).toBe(false);
    });
  });

  describe('shoebox-media:// scheme', () => {
    const jpeg: MediaFile = {
      kind: 'photo',
      contentType: 'image/jpeg',
      data: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
      etag: '"p-7-x"',
      converted: false,
    };

    function serve(url: string, init: { method?: string; headers?: Record<string, string> } = {}, file: MediaFile | null = jpeg) {
      const asked: Array<[MediaKind, number]> = [];
      const response = handleMediaRequest(
        { url, method: init.method ?? 'GET', headers: new Headers(init.headers) },
        async (kind, id) => {
          asked.push([kind, id]);
          return file;
        },
      );
      return { response, asked };
    }

    it('is listed in the page policy, and the window runs isolated, sandboxed and without Node.js', () => {
      expect(APP_CSP).toMatch(/img-src [^;]*shoebox-media:/);
      expect(APP_CSP).toMatch(/script-src 'self';/);
      expect(APP_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(SECURE_WEB_PREFERENCES).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    });

    it('is registered as a standard, secure, fetchable scheme that does not bypass CSP', () => {
      expect(MEDIA_SCHEME_PRIVILEGES).toEqual({ standard: true, secure: true, supportFetchAPI: true, bypassCSP: false });
    });

    it('answers a photo id with the engine\'s bytes and safe headers', async () => {
      const { response, asked } = serve('shoebox-media://photo/7');
      const res = await response;
      expect(asked).toEqual([['photo', 7]]);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(jpeg.data);
      expect(Object.fromEntries(res.headers)).toMatchObject({
        'content-type': 'image/jpeg',
        'content-length': '4',
        etag: '"p-7-x"',
        'x-content-type-options': 'nosniff',
      });
      expect(res.headers.get('content-security-policy')).toMatch(/sandbox/);
      expect(parseMediaUrl('shoebox-media://thumb/12')).toEqual({ kind: 'thumb', photoId: 12 });
    });

    it('answers 304 to a matching validator, 404 when the engine has nothing, 405 to other methods', async () => {
      expect((await serve('shoebox-media://photo/7', { headers: { 'if-none-match': '"p-7-x"' } }).response).status).toBe(304);
      expect((await serve('shoebox-media://thumb/7', {}, null).response).status).toBe(404);
      expect((await serve('shoebox-media://thumb/7', { method: 'POST' }).response).status).toBe(405);
      const odd = await serve('shoebox-media://photo/7', {}, { ...jpeg, contentType: 'text/html' }).response;
      expect(odd.status).toBe(500);
    });

    it.each([
      'shoebox-media://thumb/../../etc/passwd',
      'shoebox-media://thumb/%2e%2e/%2e%2e/etc/passwd',
      'shoebox-media://photo/..%2f..%2fetc%2fpasswd',
      'shoebox-media://photo/1%00',
      'shoebox-media://photo/%31',
      'shoebox-media://photo/0',
      'shoebox-media://photo/-1',
      'shoebox-media://photo/01',
      'shoebox-media://photo/1e3',
      'shoebox-media://photo/9007199254740993',
      'shoebox-media://photo/1/2',
      'shoebox-media://photo/1?x=/etc/passwd',
      'shoebox-media://photo:80/1',
      'shoebox-media://user@photo/1',
      'shoebox-media://file/etc/passwd',
      'shoebox-media:///etc/passwd',
      'file:///etc/passwd',
      'shoebox-media://photo/',
    ])('answers 400 without asking the engine: %s', async (url) => {
      const { response, asked } = serve(url);
      expect((await response).status).toBe(400);
      expect(asked).toEqual([]);
    });
  });

  describe('engine-internal requests', () => {
    const media = {
      resolve: vi.fn(async (): Promise<MediaFile | null> => null),
      photoPath: vi.fn(async (): Promise<string | null> => '/library/a.jpg'),
    };

    it.each([{ kind: 'media', media: 'thumb', photoId: '1' }, { kind: 'photoPath', photoId: -3 }, { kind: 'media', media: 'file', photoId: 1 }, null, 'x'])(
      'checks the shape again inside the engine: %j',
      async (request) => {
        const reply = await dispatchInternal({ media }, request);
        expect(reply).toHaveProperty('error');
        expect(media.resolve).not.toHaveBeenCalled();
        expect(media.photoPath).not.toHaveBeenCalled();
      },
    );

    it('answers a valid request', async () => {
      expect(await dispatchInternal({ media }, { kind: 'photoPath', photoId: 3 })).toEqual({ ok: '/library/a.jpg' });
      expect(media.photoPath).toHaveBeenCalledWith(3);
    });
  });

  describe('content security policy', () => {
    it('the built page carries the policy main sends as a header (less frame-ancestors, which <meta> cannot set)', async () => {
      const html = await readFile(path.join(repoRoot, 'renderer', 'index.html'), 'utf8');
      const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
      const directives = (policy: string) =>
        Object.fromEntries(
          policy
            .split(';')
            .map((d) => d.trim().split(/\s+/))
            .filter((d) => d[0] && d[0] !== 'frame-ancestors')
            .map(([name, ...values]) => [name, values.sort().join(' ')]),
        );
      expect(meta).toBeDefined();
      expect(directives(meta!)).toEqual(directives(APP_CSP));
    });
  });

  describe('packaging', () => {
    const appRequire = createRequire(path.join(repoRoot, 'package.json'));
    const builderRequire = createRequire(appRequire.resolve('app-builder-lib/package.json'));
    const loadConfig = async () => {
      const yaml = builderRequire('js-yaml') as { load(text: string): unknown };
      return yaml.load(await readFile(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as { asarUnpack: string[] } & Record<string, unknown>;
    };

    it("electron-builder.yml passes electron-builder's own schema validation", async () => {
      const { validateConfiguration } = builderRequire('./out/util/config/config') as {
        validateConfiguration(config: unknown, logger: unknown): Promise<void>;
      };
      const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
      await expect(validateConfiguration(await loadConfig(), new DebugLogger(false))).resolves.toBeUndefined();
    });

    it('unpacks every native part from the asar archive', async () => {
      const { asarUnpack } = await loadConfig();
      const globToRegExp = (glob: string) =>
        new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '.*')}$`);
      const unpacked = (file: string) => asarUnpack.some((glob) => globToRegExp(glob).test(file));
      const vecPackage = `sqlite-vec-${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
      for (const file of [
        'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
        `node_modules/${vecPackage}/vec0.so`,
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
        'node_modules/sharp/lib/index.js',
        'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node',
        'node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.17.3',
      ]) {
        expect(unpacked(file), file).toBe(true);
      }
      expect(unpacked('out/main/index.js')).toBe(false);
    });

    it("points SQLite at the unpacked copy of sqlite-vec's extension", () => {
      expect(asarUnpackedPath('/opt/Shoebox/resources/app.asar/node_modules/sqlite-vec-linux-x64/vec0.so', '/')).toBe(
        '/opt/Shoebox/resources/app.asar.unpacked/node_modules/sqlite-vec-linux-x64/vec0.so',
      );
      expect(asarUnpackedPath('C:\\Shoebox\\resources\\app.asar\\node_modules\\x\\vec0.dll', '\\')).toBe(
        'C:\\Shoebox\\resources\\app.asar.unpacked\\node_modules\\x\\vec0.dll',
      );
      const dev = '/work/main/node_modules/sqlite-vec-linux-x64/vec0.so';
      expect(asarUnpackedPath(dev, '/')).toBe(dev);
      const already = '/opt/Shoebox/resources/app.asar.unpacked/node_modules/x/vec0.so';
      expect(asarUnpackedPath(already, '/')).toBe(already);
    });
  });

  describe('remembered window state', () => {
    const screens = [{ x: 0, y: 0, width: 1920, height: 1050 }];

    it('keeps a sane state and drops what would put the window off every screen', () => {
      expect(sanitizeWindowState({ x: 100, y: 80, width: 1000, height: 700, maximized: true }, screens)).toEqual({
        x: 100,
        y: 80,
        width: 1000,
        height: 700,
        maximized: true,
      });
      // The monitor it was on is unplugged: same size, placed by the system.
      expect(sanitizeWindowState({ x: 2500, y: 100, width: 1000, height: 700, maximized: false }, screens)).toEqual({
        width: 1000,
        height: 700,
        maximized: false,
      });
      expect(sanitizeWindowState({ x: 10, y: 10, width: 99_999, height: 5, maximized: 'yes' }, screens)).toEqual({
        x: 10,
        y: 10,
        width: 1920,
        height: 480,
        maximized: false,
      });
      expect(sanitizeWindowState('garbage', screens)).toEqual(DEFAULT_WINDOW_STATE);
      expect(sanitizeWindowState({ x: Number.NaN, y: 0, width: null }, screens)).toEqual(DEFAULT_WINDOW_STATE);
    });
  });
});

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
