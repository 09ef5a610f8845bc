import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** How the server misbehaves for one file. `times` counts GET requests for that file (default 1); omitted = always. */
export interface FileBehaviour {
  /** Answer every request with the whole file (200), as servers without range support do. */
  ignoreRange?: boolean;
  /** Send only `bytes` of the body, then drop the connection. */
  cutAfter?: { bytes: number; times?: number };
  /** Send only `bytes` of the body, then go silent with the connection open. */
  stallAfter?: { bytes: number; times?: number };
  /** Answer with this status instead of the file. `times` omitted = always. */
  failWith?: { status: number; times?: number };
  /** Omit Content-Length (chunked transfer). */
  chunked?: boolean;
  /** ETag to send; default a strong tag derived from the content; null = none. */
  etag?: string | null;
  lastModified?: string | null;
}

export interface RecordedRequest {
  path: string;
  method: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  /** Body bytes the server wrote for this request. */
  bodyBytes: number;
}

interface Entry {
  body: Buffer;
  behaviour: FileBehaviour;
  gets: number;
}

/** A real HTTP server on 127.0.0.1 (random port) serving in-memory files, with switchable failure modes. */
export class ModelFileServer {
  readonly requests: RecordedRequest[] = [];
  private readonly files = new Map<string, Entry>();

  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private base = '';

  private constructor() {}

  static async start(): Promise<ModelFileServer> {
    const instance = new ModelFileServer();
    await new Promise<void>((resolve) => instance.server.listen(0, '127.0.0.1', resolve));
    const { port } = instance.server.address() as AddressInfo;
    instance.base = `http://127.0.0.1:${port}`;
    return instance;
  }

  /** `http://127.0.0.1:<port>` */
  get origin(): string {
    return this.base;
  }

  /** Serves `body` at `urlPath` (replacing any earlier content and resetting its request count). */
  serve(urlPath: string, body: Buffer, behaviour: FileBehaviour = {}): void {
    this.files.set(urlPath, { body, behaviour, gets: 0 });
  }

  /** Changes how a file is served, keeping its request count. */
  setBehaviour(urlPath: string, behaviour: FileBehaviour): void {
    const entry = this.files.get(urlPath);
    if (!entry) throw new Error(`not serving ${urlPath}`);
    entry.behaviour = behaviour;
  }

  url(urlPath: string): string {
    return `${this.origin}${urlPath}`;
  }

  requestsFor(urlPath: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === urlPath);
  }

  bodyBytesFor(urlPath: string): number {
    return this.requestsFor(urlPath).reduce((sum, r) => sum + r.bodyBytes, 0);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const urlPath = new URL(req.url ?? '/', this.origin).pathname;
    const header = (name: string): string | null => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : null;
    };
    const record: RecordedRequest = {
      path: urlPath,
      method: req.method ?? 'GET',
      range: header('range'),
      ifRange: header('if-range'),
      status: 0,
      bodyBytes: 0,
    };
    this.requests.push(record);
    const entry = this.files.get(urlPath);
    if (!entry) {
      record.status = 404;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const n = record.method === 'GET' ? ++entry.gets : entry.gets;
    const b = entry.behaviour;
    const applies = (rule: { times?: number } | undefined, always = false) =>
      rule !== undefined && (rule.times === undefined ? always || n <= 1 : n <= rule.times);
    if (applies(b.failWith, true)) {
      record.status = b.failWith?.status ?? 500;
      res.writeHead(record.status, { 'content-type': 'text/plain' }).end('failure');
      return;
    }
    const body = entry.body;
    const etag = b.etag === undefined ? `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"` : b.etag;
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (etag) headers.etag = etag;
    if (b.lastModified) headers['last-modified'] = b.lastModified;
    if (!b.ignoreRange) headers['accept-ranges'] = 'bytes';

    let start = 0;
    let status = 200;
    const range = record.range?.match(/^bytes=(\d+)-$/);
    if (range && !b.ignoreRange) {
      const validatorMatches = record.ifRange === null || record.ifRange === etag || record.ifRange === b.lastModified;
      if (validatorMatches) {
        start = Number(range[1]);
        if (start >= body.length) {
          record.status = 416;
          res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
          return;
        }
        status = 206;
        headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
      }
    }
    const slice = body.subarray(start);
    if (!b.chunked) headers['content-length'] = String(slice.length);
    record.status = status;
    res.writeHead(status, headers);
    if (record.method === 'HEAD') {
      res.end();
      return;
    }
    if (applies(b.cutAfter)) {
      const part = slice.subarray(0, b.cutAfter?.bytes ?? 0);
      record.bodyBytes += part.length;
      // Let the client read the bytes before the cut: an errored web stream drops chunks it has not handed out yet.
      res.write(part, () => setTimeout(() => res.socket?.destroy(), 100));
      return;
    }
    if (applies(b.stallAfter)) {
      const part = slice.subarray(0, b.stallAfter?.bytes ?? 0);
      record.bodyBytes += part.length;
      res.write(part); // then silence until the client gives up or the server closes
      return;
    }
    // Several writes so the client sees several chunks.
    const step = 16 * 1024;
    for (let i = 0; i < slice.length; i += step) {
      const chunk = slice.subarray(i, i + step);
      record.bodyBytes += chunk.length;
      res.write(chunk);
    }
    res.end();
  }
}
