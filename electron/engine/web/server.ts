import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ShoeboxApi } from '@shared/contract';
import { errorReply, type ErrorCode, type EventEnvelope } from '@shared/envelope';
import { errorMessage } from '@shared/errors';
import { LIMITS } from '@shared/limits';
import {
  etagMatches,
  isWebMediaPath,
  MEDIA_CACHE_CONTROL,
  MEDIA_RESPONSE_HEADERS,
  parseWebMediaPath,
} from '@shared/media-urls';
import type { EngineEvents } from '../events';
import type { MediaFile, MediaResolver } from '../media/media-service';
import { dispatchRequest } from '../rpc';

export interface WebServerOptions {
  api: ShoeboxApi;
  events: EngineEvents;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
  /** Photo bytes for GET /media/thumb/<id> and /media/photo/<id>; those routes answer 404 without it. */
  media?: MediaResolver;
}

export interface WebServer {
  /** The address to open, token included. */
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

/** Media responses: the page's security headers with the media policy (see shared/media-urls.ts) on top. */
const MEDIA_HEADERS = { ...SECURITY_HEADERS, ...MEDIA_RESPONSE_HEADERS };

/** Status codes for the reply codes the API answers with; any other error is the engine's failure. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { 'unknown-channel': 404, 'invalid-payload': 400 };

/**
 * Web mode: the engine's API and the renderer over HTTP on 127.0.0.1 only. Every /api call needs the random access
 * token; the Host header must name the loopback address (defeats DNS rebinding); static files are confined to the
 * renderer folder.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  const streams = new Set<ServerResponse>();
  let allowedHosts = new Set<string>();

  const unsubscribe = options.events.onAny((channel, payload) => {
    const envelope: EventEnvelope = { channel, payload };
    const data = `data: ${JSON.stringify(envelope)}\n\n`;
    for (const stream of streams) stream.write(data);
  });

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, errorReply('failed', errorMessage(error)));
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!allowedHosts.has(request.headers.host ?? '')) {
      sendJson(response, 421, errorReply('bad-host', 'unexpected Host header'));
      return;
    }
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    if (url.pathname === '/api/events') return openEventStream(request, response, url);
    if (isWebMediaPath(url.pathname)) return serveMedia(request, response, url);
    if (url.pathname.startsWith('/api/')) return handleApi(request, response, url.pathname.slice('/api/'.length));
    return serveStatic(request, response, url.pathname);
  }

  function authorized(presented: string | undefined): boolean {
    if (!presented) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, channel: string): Promise<void> {
    if (request.method !== 'POST') {
      sendJson(response, 405, errorReply('method', 'use POST'));
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!authorized(bearer)) {
      sendJson(response, 401, errorReply('unauthorized', 'missing or wrong access token'));
      return;
    }
    let payload: unknown;
    try {
      // An uploaded image travels as base64 inside its request.
      const body = await readBody(request, channel === 'search.uploadImage' ? LIMITS.uploadBodyBytes : LIMITS.requestBodyBytes);
      payload = body.length === 0 ? undefined : (JSON.parse(body) as unknown);
    } catch (error) {
      sendJson(response, 400, errorReply('invalid-payload', errorMessage(error)));
      return;
    }
    const reply = await dispatchRequest(options.api, decodeURIComponent(channel), payload);
    const status = 'ok' in reply ? 200 : (HTTP_STATUS[reply.error.code] ?? 500);
    sendJson(response, status, reply);
  }

  function openEventStream(request: IncomingMessage, response: ServerResponse, url: URL): void {
    if (!authorized(url.searchParams.get('token') ?? undefined)) {
      sendJson(response, 401, errorReply('unauthorized', 'missing or wrong access token'));
      return;
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write(': connected\n\n');
    streams.add(response);
    const heartbeat = setInterval(() => response.write(': ping\n\n'), 15_000);
    request.on('close', () => {
      clearInterval(heartbeat);
      streams.delete(response);
    });
  }

  /**
   * GET /media/thumb/<id>?token=… and /media/photo/<id>?token=…: an <img> cannot send the Authorization header, so
   * the token rides in the query (the page's Referrer-Policy is no-referrer). Only ids cross; the engine's
   * MediaResolver decides what, if anything, is sent.
   */
  async function serveMedia(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, errorReply('method', 'use GET'));
      return;
    }
    if (!authorized(url.searchParams.get('token') ?? undefined)) {
      sendJson(response, 401, errorReply('unauthorized', 'missing or wrong access token'));
      return;
    }
    const target = parseWebMediaPath(url.pathname);
    if (!target) {
      sendJson(response, 400, errorReply('bad-path', 'expected /media/thumb/<id> or /media/photo/<id>'));
      return;
    }
    const file = options.media ? await options.media.resolve(target.kind, target.photoId) : null;
    if (!file) {
      sendJson(response, 404, errorReply('not-found', 'no such image'));
      return;
    }
    sendMedia(request, response, file);
  }

  async function serveStatic(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, errorReply('method', 'use GET'));
      return;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      sendJson(response, 400, errorReply('bad-path', 'malformed path'));
      return;
    }
    if (relative.includes('\0')) {
      sendJson(response, 400, errorReply('bad-path', 'malformed path'));
      return;
    }
    const file = path.resolve(rendererDir, `.${relative === '/' ? '/index.html' : relative}`);
    if (file !== rendererDir && !file.startsWith(rendererDir + path.sep)) {
      sendJson(response, 403, errorReply('forbidden', 'outside the app'));
      return;
    }
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      sendJson(response, 404, errorReply('not-found', 'not found'));
      return;
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  }

  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`the renderer is not built (${rendererDir}/index.html missing): run npm run build`);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    async close() {
      unsubscribe();
      for (const stream of streams) stream.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function sendMedia(request: IncomingMessage, response: ServerResponse, file: MediaFile): void {
  const headers = {
    ...MEDIA_HEADERS,
    etag: file.etag,
    'cache-control': MEDIA_CACHE_CONTROL,
  };
  if (etagMatches(request.headers['if-none-match'], file.etag)) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  response.writeHead(200, { ...headers, 'content-type': file.contentType, 'content-length': file.data.byteLength });
  if (request.method === 'HEAD') response.end();
  else response.end(file.data);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
