import { copyFile, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../../electron/engine/start-engine';
import { startWebServer, type WebServer } from '../../../electron/engine/web/server';
import { hasShared, sharedPath, TOY_MODEL_DIR } from '../../support/shared-data';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request: the path goes out exactly as written (no client-side normalisation of `..` or `%2e`). */
function get(server: WebServer, pathAndQuery: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  const { port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(port), method, path: pathAndQuery, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const FORMATS = 'data/robustness/formats';

describe.skipIf(!hasShared('models/toy-color-clip', FORMATS))('web mode media routes', () => {
  let dir: string;
  let library: string;
  let engine: RunningEngine;
  let server: WebServer;
  const ids: Record<string, number> = {};
  const t = () => `token=${server.token}`;

  beforeAll(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'shoebox-web-media-')));
    const renderer = path.join(dir, 'renderer');
    library = path.join(dir, 'library');
    await mkdir(renderer);
    await mkdir(library);
    await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Shoebox</title>');
    await copyFile(sharedPath(FORMATS, 'sharp/flowers.jpeg'), path.join(library, 'flowers.jpeg'));
    await copyFile(sharedPath(FORMATS, 'sharp/G31D.TIF'), path.join(library, 'scan.tif'));
    await writeFile(path.join(library, 'broken.jpg'), 'not a photo at all');

    engine = await startEngine({ mode: 'web', dataDir: path.join(dir, 'data'), model: TOY_MODEL_DIR, provider: 'cpu' });
    server = await startWebServer({ api: engine.api, events: engine.events, media: engine.media, rendererDir: renderer });
    await engine.modelReady;
    await engine.api['library.addFolder']({ path: library });
    await engine.library.idle();
    for (const started = Date.now(); ; ) {
      const progress = await engine.api['indexing.status']();
      if (progress.pending === 0 && progress.indexed + progress.failed === 3) break;
      if (Date.now() - started > 30_000) throw new Error(`indexing did not finish: ${JSON.stringify(progress)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const name of ['flowers.jpeg', 'scan.tif', 'broken.jpg']) ids[name] = engine.catalog.photos.getByPath(path.join(library, name))!.id;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a real photo as it is, with its type, length, a validator and no-sniff/sandbox headers', async () => {
    const res = await get(server, `/media/photo/${ids['flowers.jpeg']}?${t()}`);
    expect(res.status).toBe(200);
    expect(res.body.equals(await readFile(path.join(library, 'flowers.jpeg')))).toBe(true);
    expect(res.headers).toMatchObject({
      'content-type': 'image/jpeg',
      'content-length': String(res.body.length),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-cache',
    });
    expect(res.headers['content-security-policy']).toMatch(/sandbox/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers.etag).toMatch(/^"p-/);

    const again = await get(server, `/media/photo/${ids['flowers.jpeg']}?${t()}`, { 'if-none-match': String(res.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const head = await get(server, `/media/photo/${ids['flowers.jpeg']}?${t()}`, {}, 'HEAD');
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, String(res.body.length), 0]);
  });

  it('serves the thumbnail the indexer made, revalidated by its content hash', async () => {
    const res = await get(server, `/media/thumb/${ids['flowers.jpeg']}?${t()}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/webp');
    const key = engine.catalog.photos.get(ids['flowers.jpeg']!)!.thumbnail!;
    expect(res.headers.etag).toBe(`"t-${key}"`);
    const meta = await sharp(res.body).metadata();
    expect([meta.format, Math.max(meta.width, meta.height)]).toEqual(['webp', 256]);
    const again = await get(server, `/media/thumb/${ids['flowers.jpeg']}?${t()}`, { 'if-none-match': `W/"x", "t-${key}"` });
    expect(again.status).toBe(304);
  });

  it('converts a TIFF original to a JPEG for the browser', async () => {
    const res = await get(server, `/media/photo/${ids['scan.tif']}?${t()}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(res.body).metadata()).format).toBe('jpeg');
  });

  it('answers 404 for a photo without a thumbnail (it failed to decode) and for an unknown id', async () => {
    expect(engine.catalog.photos.get(ids['broken.jpg']!)?.state).toBe('failed');
    expect((await get(server, `/media/thumb/${ids['broken.jpg']}?${t()}`)).status).toBe(404);
    expect((await get(server, `/media/photo/${ids['broken.jpg']}?${t()}`)).status).toBe(404);
    expect((await get(server, `/media/thumb/999999?${t()}`)).status).toBe(404);
    expect((await get(server, `/media/photo/999999?${t()}`)).status).toBe(404);
  });

  it('answers 401 without the right token, before looking at anything else', async () => {
    const id = ids['flowers.jpeg'];
    for (const attempt of [
      `/media/photo/${id}`,
      `/media/photo/${id}?token=`,
      `/media/photo/${id}?token=wrong`,
      `/media/photo/${id}?token=${server.token}x`,
      `/media/thumb/${id}?token=${server.token.slice(0, -1)}`,
      `/media/photo/not-a-number`,
    ]) {
      const res = await get(server, attempt);
      expect(res.status, attempt).toBe(401);
      expect(res.body.toString()).not.toContain('\xff\xd8');
    }
    // The token goes in the query: an Authorization header alone does not open media.
    expect((await get(server, `/media/photo/${id}`, { authorization: `Bearer ${server.token}` })).status).toBe(401);
  });

  it.each([
    '/media/photo/0',
    '/media/photo/-1',
    '/media/photo/+1',
    '/media/photo/01',
    '/media/photo/1.0',
    '/media/photo/1e3',
    '/media/photo/0x10',
    '/media/photo/9007199254740993',
    '/media/photo/99999999999999999999999',
    '/media/photo/1%00',
    '/media/photo/%31',
    '/media/photo/1/',
    '/media/photo/1/2',
    '/media/photo/',
    '/media/original/1',
    '/media/thumb/..%2f..%2fetc%2fpasswd',
    '/media/photo/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/media',
  ])('answers 400 to a malformed media path: %s', async (attempt) => {
    const res = await get(server, `${attempt}?${t()}`);
    expect(res.status).toBe(400);
    expect(res.body.toString()).not.toContain('root:');
  });

  it.each([
    '/media/thumb/../../etc/passwd',
    '/media/thumb/%2e%2e/%2e%2e/etc/passwd',
    '/media/photo/..%2f..%2f..%2fetc/passwd',
    '/media/../../../etc/passwd',
    '/media/photo/1/../../../../etc/passwd',
  ])('never serves a file by a path that climbs out: %s', async (attempt) => {
    const res = await get(server, `${attempt}?${t()}`);
    expect([400, 403, 404]).toContain(res.status);
    expect(res.body.toString()).not.toContain('root:');
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get(server, `/media/photo/${ids['flowers.jpeg']}?${t()}`, {}, 'POST')).status).toBe(405);
  });
});
