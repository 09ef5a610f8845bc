import path from 'node:path';
import type { IndexOrigin } from './vector-index';
import { startWorkerModule } from './worker-module';

/*
 * Builds a search index's cache files in a worker thread (VectorIndex.openInBackground), so that the thread that
 * asked - the engine's, which must keep answering requests - only loads the result.
 *
 * The worker runs index-build-worker.ts, the real build code, as a module of its own (see worker-module.ts).
 */

export interface BuildRequest {
  catalogFile: string;
  modelId: string;
  /** The cache path the worker writes (as VectorIndex.build with options.file does). */
  file: string;
  nativeBinding?: string | undefined;
  signScanMin?: number | undefined;
}

export interface BuildReply {
  /** The source stamp the cache file was saved with. */
  stamp: string;
  /** The source's mark taken before reading (see VectorSource.mark). */
  mark: number | undefined;
  size: number;
  /** Built from scratch, or an outdated cache file caught up (VectorIndex.resume). */
  origin: IndexOrigin;
}

/** What the build worker starts with. */
export interface BuildWorkerData {
  request: BuildRequest;
}

/** What the build worker posts back: a reply, or why it failed. */
export interface BuildMessage {
  reply?: BuildReply;
  error?: string;
}

/** Builds in the background; concurrent builds of the same file share one worker. */
const running = new Map<string, Promise<BuildReply>>();

export function buildInWorker(request: BuildRequest, signal?: AbortSignal): Promise<BuildReply> {
  const key = path.resolve(request.file);
  const shared = running.get(key);
  if (shared) return abortable(shared, signal);
  const build = runWorker(request, signal).finally(() => running.delete(key));
  running.set(key, build);
  return build;
}

function runWorker(request: BuildRequest, signal: AbortSignal | undefined): Promise<BuildReply> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const data: BuildWorkerData = { request };
    const worker = startWorkerModule('index-build-worker', data);
    let reply: BuildReply | undefined;
    let failure: Error | undefined;
    const onAbort = (): void => {
      failure = abortError(signal!);
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: BuildMessage) => {
      if (message.reply) reply = message.reply;
      else failure ??= new Error(`building the search index in the background failed: ${message.error ?? 'unknown error'}`);
    });
    worker.on('error', (error) => (failure ??= error));
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (reply && !failure) resolve(reply);
      else reject(failure ?? new Error(`the search index worker exited with code ${code} before finishing`));
    });
  });
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    if (signal.aborted) reject(abortError(signal));
    signal.addEventListener('abort', () => reject(abortError(signal)), { once: true });
    promise.then(resolve, reject);
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the search index build was aborted');
}
