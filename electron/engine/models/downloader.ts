import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface DownloadProgress {
  /** Bytes of the file we hold, including a prefix resumed from an earlier attempt. */
  receivedBytes: number;
  /** Full size of the file, or null while the server has not told us. */
  totalBytes: number | null;
  /** Network throughput over the last few seconds. */
  bytesPerSecond: number;
}

export interface RetryOptions {
  /** Attempts in a row that may fail without receiving a byte before we give up (default 5). */
  maxAttempts?: number;
  /** First backoff delay; doubles per failure, with jitter (default 500 ms). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface DownloadOptions {
  url: string;
  /** Final path. The download goes to `<dest>.part` and is renamed here only after verification. */
  dest: string;
  expectedSize?: number | null;
  expectedSha256?: string | null;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  fetchImpl?: typeof fetch;
  retry?: RetryOptions;
  /** Give up on a connection that sends nothing (headers or body) for this long; it is retried (default 30 s). */
  stallTimeoutMs?: number;
  /** Minimum gap between progress callbacks (default 100 ms); the first and last are always sent. */
  progressIntervalMs?: number;
  /** Name of the file in messages (default: the destination's base name). */
  label?: string;
}

/** How the finished file was checked: pinned SHA-256, pinned size, the server's announced length, or only a clean end of stream. */
export type VerifiedBy = 'sha256' | 'size' | 'content-length' | 'stream-end';

export interface DownloadResult {
  path: string;
  size: number;
  /** SHA-256 of the whole file, resumed prefix included. */
  sha256: string;
  verifiedBy: VerifiedBy;
  /** Whether some of the bytes came from an earlier interrupted attempt. */
  resumed: boolean;
  /** HTTP requests made (redirects not counted). */
  requests: number;
}

export type DownloadErrorCode =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'HTTP_ERROR'
  | 'SERVER_ERROR'
  | 'NETWORK'
  | 'STALLED'
  | 'CHECKSUM_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'ABORTED'
  | 'IO';

export class DownloadError extends Error {
  readonly code: DownloadErrorCode;
  readonly url: string;
  /** HTTP status when the server answered with an error. */
  readonly status: number | null;
  /** Whether trying again later might work (network trouble, server errors). */
  readonly retryable: boolean;
  /** Server-requested wait (Retry-After), when given. */
  readonly retryAfterMs: number | null;

  constructor(
    code: DownloadErrorCode,
    message: string,
    details: { url: string; status?: number; retryable?: boolean; retryAfterMs?: number | null; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DownloadError';
    this.code = code;
    this.url = details.url;
    this.status = details.status ?? null;
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs ?? null;
  }
}

/** Thrown inside an attempt to start over at once (range mismatch, 416, changed file); not a failure. */
class Restart extends Error {}

interface PartMeta {
  url: string;
  etag: string | null;
  lastModified: string | null;
  totalBytes: number | null;
}

const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };
// Even when every attempt makes progress, stop somewhere: a server that never finishes is broken.
const MAX_ROUNDS = 200;
const MAX_RESTARTS = 5;
const SPEED_WINDOW_MS = 3_000;

/** SHA-256 and size of a file, streamed. */
export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Downloads one file with resume, verification, retries and an atomic rename into place. */
export function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  return new Download(options).run();
}

/** Delay before retry number `failures` (1-based): exponential, capped, with "equal jitter" so clients spread out. */
export function backoffDelay(failures: number, retry: RetryOptions = {}, random: () => number = Math.random): number {
  const { baseDelayMs, maxDelayMs } = { ...DEFAULT_RETRY, ...retry };
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, failures - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

function sleep(ms: number, signal: AbortSignal | undefined, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(url));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(url));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortedError(url: string): DownloadError {
  return new DownloadError('ABORTED', 'The download was cancelled.', { url });
}

function parseContentRange(value: string | null): { start: number; end: number; total: number | null } | null {
  const m = value?.match(/^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i);
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

function parseLength(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  return Number(value.trim());
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Progress callbacks, throttled, with a sliding-window speed. */
class ProgressMeter {
  private samples: Array<{ t: number; bytes: number }> = [];
  private networkBytes = 0;
  private lastEmit = -Infinity;

  constructor(
    private readonly callback: ((p: DownloadProgress) => void) | undefined,
    private readonly intervalMs: number,
  ) {}

  addNetworkBytes(n: number): void {
    this.networkBytes += n;
  }

  report(receivedBytes: number, totalBytes: number | null, force = false): void {
    const now = performance.now();
    // One sample per 50 ms is plenty for the speed and keeps the window small on fast links.
    const last = this.samples.at(-1);
    if (!last || now - last.t >= 50) this.samples.push({ t: now, bytes: this.networkBytes });
    while (this.samples.length > 2 && now - (this.samples[1]?.t ?? now) > SPEED_WINDOW_MS) this.samples.shift();
    if (!this.callback || (!force && now - this.lastEmit < this.intervalMs)) return;
    this.lastEmit = now;
    const first = this.samples[0];
    const seconds = first ? (now - first.t) / 1000 : 0;
    const bytesPerSecond = first && seconds > 0 ? Math.round((this.networkBytes - first.bytes) / seconds) : 0;
    try {
      this.callback({ receivedBytes, totalBytes, bytesPerSecond });
    } catch {
      // A broken progress callback must not look like a network failure.
    }
  }
}

/** Calls `onStall` when neither headers nor body bytes arrive for `ms`. */
class StallTimer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ms: number,
    private readonly onStall: () => void,
  ) {}

  reset(): void {
    this.stop();
    this.timer = setTimeout(this.onStall, this.ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

class Download {
  private readonly partPath: string;
  private readonly metaPath: string;
  private readonly label: string;
  private readonly expectedSha: string | null;
  private readonly expectedSize: number | null;
  private readonly retry: Required<RetryOptions>;
  private readonly meter: ProgressMeter;
  private requests = 0;
  private resumedAny = false;
  private lastAttemptResumed = false;

  constructor(private readonly o: DownloadOptions) {
    this.partPath = `${o.dest}.part`;
    this.metaPath = `${o.dest}.part.json`;
    this.label = o.label ?? path.basename(o.dest);
    this.expectedSha = o.expectedSha256 ? o.expectedSha256.toLowerCase() : null;
    this.expectedSize = o.expectedSize ?? null;
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.meter = new ProgressMeter(o.onProgress, o.progressIntervalMs ?? 100);
  }

  async run(): Promise<DownloadResult> {
    await this.io(() => mkdir(path.dirname(this.o.dest), { recursive: true }), 'create the folder for');
    let failures = 0;
    let restarts = 0;
    let refetchedAfterMismatch = false;
    for (let round = 1; ; round++) {
      if (this.o.signal?.aborted) throw abortedError(this.o.url);
      let progressed = false;
      try {
        return await this.attempt(() => (progressed = true));
      } catch (err) {
        if (err instanceof Restart) {
          if (++restarts > MAX_RESTARTS) {
            throw new DownloadError('HTTP_ERROR', `The server keeps answering range requests for ${this.label} inconsistently.`, { url: this.o.url });
          }
          continue;
        }
        const error =
          err instanceof DownloadError
            ? err
            : new DownloadError('NETWORK', `The connection failed while downloading ${this.label}: ${describeNetworkError(err)}.`, {
                url: this.o.url,
                retryable: true,
                cause: err,
              });
        // A resumed file can be a splice of two server versions: one clean full download settles it.
        if (error.code === 'CHECKSUM_MISMATCH' && this.lastAttemptResumed && !refetchedAfterMismatch) {
          refetchedAfterMismatch = true;
          continue;
        }
        if (!error.retryable) throw error;
        failures = progressed ? 1 : failures + 1;
        if (failures >= this.retry.maxAttempts || round >= MAX_ROUNDS) throw error;
        const delay = Math.min(this.retry.maxDelayMs, error.retryAfterMs ?? backoffDelay(failures, this.retry));
        await sleep(delay, this.o.signal, this.o.url);
      }
    }
  }

  /** Runs a file-system step, turning its failure into an IO error that is not retried. */
  private async io<T>(step: () => Promise<T>, what: string): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (err instanceof DownloadError || err instanceof Restart) throw err;
      throw new DownloadError('IO', `Could not ${what} ${this.label} on disk: ${(err as Error).message}.`, { url: this.o.url, cause: err });
    }
  }

  private async discardPart(): Promise<void> {
    await this.io(async () => {
      await rm(this.partPath, { force: true });
      await rm(this.metaPath, { force: true });
    }, 'remove the partial download of');
  }

  private async readMeta(): Promise<PartMeta | null> {
    try {
      const data: unknown = JSON.parse(await readFile(this.metaPath, 'utf8'));
      if (typeof data !== 'object' || data === null) return null;
      const m = data as Partial<PartMeta>;
      if (typeof m.url !== 'string') return null;
      return {
        url: m.url,
        etag: typeof m.etag === 'string' ? m.etag : null,
        lastModified: typeof m.lastModified === 'string' ? m.lastModified : null,
        totalBytes: typeof m.totalBytes === 'number' ? m.totalBytes : null,
      };
    } catch {
      return null;
    }
  }

  /** Bytes of `.part` we can resume from (0 = start over), and the validator saved with them. */
  private async resumablePart(): Promise<{ offset: number; meta: PartMeta | null }> {
    const st = await stat(this.partPath).catch(() => null);
    const meta = await this.readMeta();
    // Without a validator or a pinned checksum, a resumed file could silently splice two versions of the file.
    const trustworthy = meta !== null && meta.url === this.o.url && (meta.etag !== null || meta.lastModified !== null || this.expectedSha !== null);
    const tooBig =
      st !== null &&
      ((this.expectedSize !== null && st.size > this.expectedSize) || (meta?.totalBytes != null && st.size > meta.totalBytes));
    if (!st || !st.isFile() || st.size === 0 || !trustworthy || tooBig) {
      if (st || meta) await this.discardPart();
      return { offset: 0, meta: null };
    }
    return { offset: st.size, meta };
  }

  private async attempt(onProgressed: () => void): Promise<DownloadResult> {
    const { offset, meta } = await this.resumablePart();
    this.lastAttemptResumed = false;
    if (offset > 0 && offset === this.expectedSize) {
      // The previous run got every byte but stopped before the rename: verify what we have.
      this.lastAttemptResumed = true;
      const { sha256 } = await this.io(() => sha256File(this.partPath), 'read');
      this.meter.report(offset, offset, true);
      return this.finish(offset, sha256, offset);
    }

    const controller = new AbortController();
    let stalled = false;
    const timer = new StallTimer(this.o.stallTimeoutMs ?? 30_000, () => {
      stalled = true;
      controller.abort();
    });
    const onUserAbort = () => controller.abort();
    this.o.signal?.addEventListener('abort', onUserAbort, { once: true });
    try {
      return await this.transfer(offset, meta, controller, timer, onProgressed);
    } catch (err) {
      controller.abort(); // tear the connection down whatever went wrong
      if (this.o.signal?.aborted) throw abortedError(this.o.url);
      if (stalled) {
        throw new DownloadError('STALLED', `The server stopped sending ${this.label} for ${Math.round((this.o.stallTimeoutMs ?? 30_000) / 1000)} s.`, {
          url: this.o.url,
          retryable: true,
        });
      }
      throw err;
    } finally {
      timer.stop();
      this.o.signal?.removeEventListener('abort', onUserAbort);
    }
  }

  private async transfer(
    offset: number,
    meta: PartMeta | null,
    controller: AbortController,
    timer: StallTimer,
    onProgressed: () => void,
  ): Promise<DownloadResult> {
    const url = this.o.url;
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      // If-Range needs a strong validator; with it, a changed file comes back whole (200) instead of spliced.
      const validator = meta?.etag && !meta.etag.startsWith('W/') ? meta.etag : meta?.lastModified;
      if (validator) headers['if-range'] = validator;
    }
    this.requests++;
    timer.reset();
    const response = await (this.o.fetchImpl ?? fetch)(url, { headers, signal: controller.signal, redirect: 'follow' });
    timer.reset();
    const cancelBody = () => response.body?.cancel().catch(() => undefined);

    if (response.status === 416) {
      // Our part does not fit the file the server has now (it changed, or we already hold all of it): start over.
      await cancelBody();
      await this.discardPart();
      throw new Restart();
    }
    if (response.status !== 200 && response.status !== 206) {
      await cancelBody();
      throw this.httpError(response.status, response.headers.get('retry-after'));
    }

    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    let start = 0;
    let total: number | null;
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'));
      const changed = meta?.etag != null && etag !== null && etag !== meta.etag;
      if (!range || range.start !== offset || changed) {
        await cancelBody();
        await this.discardPart();
        throw new Restart();
      }
      start = offset;
      const length = parseLength(response.headers.get('content-length'));
      total = range.total ?? (length !== null ? start + length : null);
    } else {
      // 200: the server ignored our Range, or If-Range said the file changed. Either way the body is the whole file.
      total = parseLength(response.headers.get('content-length'));
    }
    if (this.expectedSize !== null && total !== null && total !== this.expectedSize) {
      await cancelBody();
      await this.discardPart();
      throw new DownloadError(
        'SIZE_MISMATCH',
        `The server offers ${this.label} with ${total} bytes, but ${this.expectedSize} were expected; it is not the file we want.`,
        { url },
      );
    }
    const limit = this.expectedSize ?? total;

    await this.io(() => writeFile(this.metaPath, JSON.stringify({ url, etag, lastModified, totalBytes: total } satisfies PartMeta)), 'write');
    const hash = createHash('sha256');
    if (start > 0) {
      await this.io(() => hashPrefix(hash, this.partPath, start), 'read');
      this.lastAttemptResumed = true;
      this.resumedAny = true;
    }
    const handle = await this.io(() => open(this.partPath, start > 0 ? 'a' : 'w'), 'open');
    let received = start;
    this.meter.report(received, total, true);
    try {
      const reader = response.body?.getReader();
      for (;;) {
        if (!reader) break;
        const { done, value } = await reader.read();
        if (done) break;
        timer.reset();
        if (limit !== null && received + value.byteLength > limit) {
          throw new DownloadError('SIZE_MISMATCH', `The server sent more than the ${limit} bytes expected for ${this.label}.`, { url });
        }
        await this.io(() => handle.write(value), 'write');
        hash.update(value);
        received += value.byteLength;
        if (value.byteLength > 0) onProgressed();
        this.meter.addNetworkBytes(value.byteLength);
        this.meter.report(received, total);
      }
      await this.io(() => handle.sync(), 'flush');
    } catch (err) {
      if (err instanceof DownloadError && err.code === 'SIZE_MISMATCH') {
        await handle.close().catch(() => undefined);
        await this.discardPart();
      }
      throw err;
    } finally {
      await handle.close().catch(() => undefined);
    }
    timer.stop();
    if (total !== null && received < total) {
      // The connection ended cleanly but early; keep the part and resume.
      throw new DownloadError('NETWORK', `The connection closed after ${received} of ${total} bytes of ${this.label}.`, { url, retryable: true });
    }
    this.meter.report(received, total ?? received, true);
    return this.finish(received, hash.digest('hex'), total);
  }

  private async finish(size: number, sha256: string, announced: number | null): Promise<DownloadResult> {
    if (this.expectedSize !== null && size !== this.expectedSize) {
      await this.discardPart();
      throw new DownloadError('SIZE_MISMATCH', `${this.label} has ${size} bytes but ${this.expectedSize} were expected; the download was discarded.`, {
        url: this.o.url,
      });
    }
    if (this.expectedSha !== null && sha256 !== this.expectedSha) {
      await this.discardPart();
      throw new DownloadError(
        'CHECKSUM_MISMATCH',
        `${this.label} failed its checksum (SHA-256 ${sha256}, expected ${this.expectedSha}); the download was discarded.`,
        { url: this.o.url },
      );
    }
    await this.io(() => rename(this.partPath, this.o.dest), 'move into place');
    await rm(this.metaPath, { force: true }).catch(() => undefined);
    const verifiedBy: VerifiedBy =
      this.expectedSha !== null ? 'sha256' : this.expectedSize !== null ? 'size' : announced !== null ? 'content-length' : 'stream-end';
    return { path: this.o.dest, size, sha256, verifiedBy, resumed: this.resumedAny || this.lastAttemptResumed, requests: this.requests };
  }

  private httpError(status: number, retryAfter: string | null): DownloadError {
    const url = this.o.url;
    if (status === 404 || status === 410) {
      return new DownloadError('NOT_FOUND', `${this.label} was not found on the server (HTTP ${status} from ${url}).`, { url, status });
    }
    if (status === 401 || status === 403) {
      return new DownloadError(
        'FORBIDDEN',
        `The server refused to give ${this.label} (HTTP ${status} from ${url}); it may have been removed or made private.`,
        { url, status },
      );
    }
    if (status >= 500 || status === 408 || status === 429) {
      return new DownloadError('SERVER_ERROR', `The server had a problem sending ${this.label} (HTTP ${status}).`, {
        url,
        status,
        retryable: true,
        retryAfterMs: parseRetryAfter(retryAfter),
      });
    }
    return new DownloadError('HTTP_ERROR', `The server answered HTTP ${status} for ${this.label} (${url}).`, { url, status });
  }
}

async function hashPrefix(hash: Hash, file: string, length: number): Promise<void> {
  let seen = 0;
  for await (const chunk of createReadStream(file, { start: 0, end: length - 1 })) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    seen += bytes.length;
  }
  if (seen !== length) throw new Error(`the partial file is shorter than expected (${seen} of ${length} bytes)`);
}

/** fetch() wraps the useful part ("ECONNREFUSED", "other side closed") in `cause`. */
function describeNetworkError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 3; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.join(': ') || String(err);
}
