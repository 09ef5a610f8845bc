import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError, backoffDelay, downloadFile } from '../../../electron/engine/models/downloader';
import type { DownloadProgress } from '../../../electron/engine/models/downloader';
import type { FileBehaviour } from '../../support/model-file-server';
import { ModelFileServer } from '../../support/model-file-server';
import { TOY_MODEL_DIR, hasShared } from '../../support/shared-data';

const haveToy = hasShared('models/toy-color-clip/vision_model.onnx');
// Tiny backoff so retry tests take milliseconds.
const FAST = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function flipBits(buffer: Buffer, index: number, mask: number): void {
  buffer.writeUInt8(buffer.readUInt8(index) ^ mask, index);
}

async function rejection(promise: Promise<unknown>): Promise<DownloadError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DownloadError);
    return err as DownloadError;
  }
  throw new Error('expected the download to fail');
}

describe('backoffDelay', () => {
  it('doubles per failure, stays between half and all of the ceiling, and is capped', () => {
    const retry = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, retry, () => 0)).toBe(50);
    expect(backoffDelay(1, retry, () => 1)).toBe(100);
    expect(backoffDelay(3, retry, () => 0)).toBe(200);
    expect(backoffDelay(3, retry, () => 1)).toBe(400);
    expect(backoffDelay(10, retry, () => 1)).toBe(1000);
    const jittered = backoffDelay(2, retry);
    expect(jittered).toBeGreaterThanOrEqual(100);
    expect(jittered).toBeLessThanOrEqual(200);
  });
});

describe.skipIf(!haveToy)('downloadFile against a local HTTP server', () => {
  let server: ModelFileServer;
  let dir: string;
  let body: Buffer;
  let bodySha: string;
  let counter = 0;

  /** Serves the toy vision tower (or `content`) at a fresh path. */
  function serve(behaviour: FileBehaviour = {}, content: Buffer = body): { urlPath: string; url: string; dest: string } {
    const urlPath = `/f${++counter}/vision_model.onnx`;
    server.serve(urlPath, content, behaviour);
    return { urlPath, url: server.url(urlPath), dest: path.join(dir, 'vision_model.onnx') };
  }

  beforeAll(async () => {
    server = await ModelFileServer.start();
    body = readFileSync(path.join(TOY_MODEL_DIR, 'vision_model.onnx'));
    bodySha = sha256(body);
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-download-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('downloads with monotonic progress, verifies the SHA-256 and leaves only the final file', async () => {
    const { urlPath, url, dest } = serve();
    const events: DownloadProgress[] = [];
    const result = await downloadFile({
      url,
      dest,
      expectedSize: body.length,
      expectedSha256: bodySha,
      progressIntervalMs: 0,
      onProgress: (p) => events.push(p),
    });
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(result).toMatchObject({ size: body.length, sha256: bodySha, verifiedBy: 'sha256', resumed: false, requests: 1 });
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.receivedBytes).toBeGreaterThanOrEqual(events[i - 1]!.receivedBytes);
    }
    expect(events.every((e) => e.totalBytes === body.length && e.bytesPerSecond >= 0)).toBe(true);
    expect(events.at(-1)?.receivedBytes).toBe(body.length);
    expect(await readdir(dir)).toEqual(['vision_model.onnx']);
    expect(server.requestsFor(urlPath)[0]?.range).toBeNull();
  });

  it('resumes an interrupted download with Range and If-Range, hashing the resumed prefix too', async () => {
    const { urlPath, url, dest } = serve({ cutAfter: { bytes: 50_000 } });
    const result = await downloadFile({ url, dest, expectedSize: body.length, expectedSha256: bodySha, retry: FAST });
    const requests = server.requestsFor(urlPath);
    expect(requests).toHaveLength(2);
    const offset = Number(requests[1]?.range?.match(/^bytes=(\d+)-$/)?.[1]);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(50_000);
    expect(requests[1]?.ifRange).toMatch(/^"[0-9a-f]+"$/);
    expect(requests[1]?.status).toBe(206);
    expect(server.bodyBytesFor(urlPath)).toBeLessThan(2 * body.length);
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(result).toMatchObject({ sha256: bodySha, resumed: true, verifiedBy: 'sha256' });
    expect(existsSync(`${dest}.part`) || existsSync(`${dest}.part.json`)).toBe(false);
  });

  it('starts again from zero when the server ignores Range', async () => {
    const { urlPath, url, dest } = serve({ ignoreRange: true, cutAfter: { bytes: 50_000 } });
    const result = await downloadFile({ url, dest, expectedSha256: bodySha, retry: FAST });
    const requests = server.requestsFor(urlPath);
    expect(requests).toHaveLength(2);
    expect(requests[1]?.range).toMatch(/^bytes=\d+-$/);
    expect(requests[1]?.status).toBe(200);
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(result.resumed).toBe(false);
  });

  it('takes the whole new file when it changed on the server between attempts (If-Range)', async () => {
    const changed = Buffer.concat([body.subarray(0, 1000), Buffer.from('a different export'), body.subarray(1000)]);
    const { urlPath, url, dest } = serve({ cutAfter: { bytes: 50_000 } });
    const oldTag = `"${sha256(body).slice(0, 16)}"`;
    let swapped = false;
    const result = await downloadFile({
      url,
      dest,
      retry: FAST,
      progressIntervalMs: 0,
      onProgress: () => {
        // Swap while the first (cut) response is under way: the retry must not splice old and new bytes.
        if (!swapped) server.serve(urlPath, changed);
        swapped = true;
      },
    });
    const requests = server.requestsFor(urlPath);
    expect(requests).toHaveLength(2);
    expect(requests[1]?.ifRange).toBe(oldTag);
    expect(requests[1]?.status).toBe(200);
    expect(readFileSync(dest).equals(changed)).toBe(true);
    expect(result).toMatchObject({ sha256: sha256(changed), verifiedBy: 'content-length' });
  });

  it('drops a partial file the server answers with 416 and downloads afresh', async () => {
    const { urlPath, url, dest } = serve({ etag: '"v1"' });
    await writeFile(`${dest}.part`, Buffer.alloc(body.length + 10, 7));
    await writeFile(`${dest}.part.json`, JSON.stringify({ url, etag: '"v1"', lastModified: null, totalBytes: null }));
    await downloadFile({ url, dest, retry: FAST });
    expect(server.requestsFor(urlPath).map((r) => r.status)).toEqual([416, 200]);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('verifies a complete .part left by an earlier run without going to the network', async () => {
    const { urlPath, url, dest } = serve();
    await writeFile(`${dest}.part`, body);
    await writeFile(`${dest}.part.json`, JSON.stringify({ url, etag: null, lastModified: null, totalBytes: body.length }));
    const result = await downloadFile({ url, dest, expectedSize: body.length, expectedSha256: bodySha });
    expect(server.requestsFor(urlPath)).toHaveLength(0);
    expect(result).toMatchObject({ requests: 0, verifiedBy: 'sha256' });
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('rejects a corrupted file: nothing in place, the .part removed, no second download', async () => {
    const corrupted = Buffer.from(body);
    flipBits(corrupted, corrupted.length >> 1, 0xff);
    const { urlPath, url, dest } = serve({}, corrupted);
    const error = await rejection(downloadFile({ url, dest, expectedSize: body.length, expectedSha256: bodySha, retry: FAST }));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain('checksum');
    expect(await readdir(dir)).toEqual([]);
    expect(server.requestsFor(urlPath)).toHaveLength(1);
  });

  it('refuses a file whose announced size differs from the pinned size before downloading it', async () => {
    const { urlPath, url, dest } = serve();
    const error = await rejection(downloadFile({ url, dest, expectedSize: body.length + 1, retry: FAST }));
    expect(error.code).toBe('SIZE_MISMATCH');
    expect(await readdir(dir)).toEqual([]);
    expect(server.requestsFor(urlPath)).toHaveLength(1);
  });

  it('fails at once with NOT_FOUND on a 404 (no retries)', async () => {
    const url = server.url('/missing/vision_model.onnx');
    // Long backoff: a retry would hold the test far past its timeout, and the server counts one request only.
    const error = await rejection(
      downloadFile({ url, dest: path.join(dir, 'x.onnx'), retry: { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 } }),
    );
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, retryable: false });
    expect(error.message).toMatch(/was not found on the server \(HTTP 404/);
    expect(server.requestsFor('/missing/vision_model.onnx')).toHaveLength(1);
  });

  it('fails at once with FORBIDDEN on a 403', async () => {
    const { urlPath, url, dest } = serve({ failWith: { status: 403 } });
    const error = await rejection(downloadFile({ url, dest, retry: { maxAttempts: 5, baseDelayMs: 10_000 } }));
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(server.requestsFor(urlPath)).toHaveLength(1);
  });

  it('retries server errors with backoff and then succeeds', async () => {
    const { urlPath, url, dest } = serve({ failWith: { status: 500, times: 2 } });
    await downloadFile({ url, dest, expectedSha256: bodySha, retry: FAST });
    expect(server.requestsFor(urlPath).map((r) => r.status)).toEqual([500, 500, 200]);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('gives up after maxAttempts server errors', async () => {
    const { urlPath, url, dest } = serve({ failWith: { status: 503 } });
    const error = await rejection(downloadFile({ url, dest, retry: FAST }));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', status: 503, retryable: true });
    expect(server.requestsFor(urlPath)).toHaveLength(3);
  });

  it('retries a stalled connection and resumes where it stopped', async () => {
    const { urlPath, url, dest } = serve({ stallAfter: { bytes: 30_000 } });
    const result = await downloadFile({ url, dest, expectedSha256: bodySha, retry: FAST, stallTimeoutMs: 300 });
    const requests = server.requestsFor(urlPath);
    expect(requests).toHaveLength(2);
    expect(requests[1]?.range).toMatch(/^bytes=\d+-$/);
    expect(result.resumed).toBe(true);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('can be cancelled with an AbortSignal, keeping the .part for a later resume', async () => {
    const { url, dest } = serve({ stallAfter: { bytes: 30_000 } });
    const controller = new AbortController();
    const error = await rejection(
      downloadFile({
        url,
        dest,
        signal: controller.signal,
        progressIntervalMs: 0,
        stallTimeoutMs: 60_000,
        onProgress: (p) => {
          if (p.receivedBytes > 0) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('ABORTED');
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(true);
  });

  it('reports NETWORK after retries when nothing listens', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await rejection(downloadFile({ url: `http://127.0.0.1:${port}/x.onnx`, dest: path.join(dir, 'x.onnx'), retry: FAST }));
    expect(error).toMatchObject({ code: 'NETWORK', retryable: true });
    expect(await readdir(dir)).toEqual([]);
  });

  it('checks an unpinned file against Content-Length, or only a clean end when the length is not sent', async () => {
    const plain = serve();
    const first = await downloadFile({ url: plain.url, dest: plain.dest });
    expect(first).toMatchObject({ verifiedBy: 'content-length', sha256: bodySha, size: body.length });
    await rm(plain.dest);
    const chunked = serve({ chunked: true });
    const second = await downloadFile({ url: chunked.url, dest: chunked.dest, onProgress: () => undefined });
    expect(second).toMatchObject({ verifiedBy: 'stream-end', sha256: bodySha });
  });
});
