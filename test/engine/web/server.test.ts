import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../../../shared/types';
import { startEngine, type RunningEngine } from '../../../electron/engine/start-engine';
import { startWebServer, type WebServer } from '../../../electron/engine/web/server';
import { hasShared, TOY_MODEL_DIR } from '../../support/shared-data';

/** A raw HTTP request, so tests can send what a browser would refuse to (odd paths, Host headers). */
function send(
  server: WebServer,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: Number(port), method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe.skipIf(!hasShared('models/toy-color-clip'))('web mode server', () => {
  let dir: string;
  let engine: RunningEngine;
  let server: WebServer;
  const auth = () => ({ authorization: `Bearer ${server.token}`, 'content-type': 'application/json' });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-web-'));
    const renderer = path.join(dir, 'renderer');
    await mkdir(renderer);
    await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Shoebox</title>');
    await writeFile(path.join(dir, 'secret.txt'), 'outside the renderer folder');
    engine = await startEngine({ mode: 'web', dataDir: path.join(dir, 'data'), model: TOY_MODEL_DIR, provider: 'cpu' });
    server = await startWebServer({ api: engine.api, events: engine.events, rendererDir: renderer });
  });

  afterAll(async () => {
    await server?.close();
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 and prints an address that carries the token', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).toBe(`${server.origin}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the renderer with a strict Content-Security-Policy', async () => {
    const res = await send(server, { path: '/' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Shoebox</title>');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a contract request only with the right token', async () => {
    expect((await send(server, { method: 'POST', path: '/api/app.status' })).status).toBe(401);
    const wrong = await send(server, { method: 'POST', path: '/api/app.status', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const ok = await send(server, { method: 'POST', path: '/api/app.status', headers: auth() });
    expect(ok.status).toBe(200);
    const status = (JSON.parse(ok.body) as { ok: AppStatus }).ok;
    expect(status).toMatchObject({ app: { name: 'Shoebox' }, engine: { mode: 'web', state: 'ready' }, model: { state: 'available' } });
  });

  it('rejects unknown channels and invalid payloads at the boundary', async () => {
    const unknown = await send(server, { method: 'POST', path: '/api/fs.readFile', headers: auth(), body: '"/etc/passwd"' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ error: { code: 'unknown-channel' } });
    const invalid = await send(server, { method: 'POST', path: '/api/app.status', headers: auth(), body: '{"path":"/etc"}' });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body)).toMatchObject({ error: { code: 'invalid-payload' } });
    const malformed = await send(server, { method: 'POST', path: '/api/app.status', headers: auth(), body: '{not json' });
    expect(malformed.status).toBe(400);
    const prototype = await send(server, { method: 'POST', path: '/api/__proto__', headers: auth() });
    expect(prototype.status).toBe(404);
  });

  it('refuses requests whose Host header is not the loopback address (DNS rebinding)', async () => {
    const res = await send(server, { method: 'POST', path: '/api/app.status', headers: { ...auth(), host: 'evil.example:80' } });
    expect(res.status).toBe(421);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/renderer/../../secret.txt', '/%00'])(
    'never serves a file outside the renderer folder: %s',
    async (attempt) => {
      const res = await send(server, { path: attempt });
      expect([400, 403, 404]).toContain(res.status);
      expect(res.body).not.toContain('outside the renderer folder');
      expect(res.body).not.toContain('root:');
    },
  );

  it('streams engine events to a client holding the token, and to no one else', async () => {
    const denied = await send(server, { path: '/api/events?token=wrong' });
    expect(denied.status).toBe(401);
    const received = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(server.origin);
      const req = request({ host: '127.0.0.1', port: Number(port), path: `/api/events?token=${server.token}` }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('connected')) engine.app.setReady();
          if (text.includes('"channel":"app.status"')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', (error) => (error.message.includes('aborted') ? undefined : reject(error)));
      req.end();
    });
    const events = received
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as { channel: string; payload: unknown });
    expect(events.find((e) => e.channel === 'app.status')).toMatchObject({ payload: { app: { name: 'Shoebox' } } });
  });
});
