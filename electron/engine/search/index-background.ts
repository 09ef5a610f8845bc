import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IndexOrigin } from './vector-index';

/*
 * Builds a search index's cache files in a worker thread (VectorIndex.openInBackground), so that the thread that
 * asked - the engine's, which must keep answering requests - only loads the result.
 *
 * The worker runs index-build-worker.ts, the real build code. Unlike the search helpers (a small eval'd script),
 * it needs the index, the encoder and better-sqlite3, so it is a module of its own: the CLI bundle
 * (scripts/build-cli.mjs) and the Electron build (electron.vite.config.ts) emit it as an entry beside their main
 * one, and run from source (tsx, vitest) the worker loads the .ts file through tsx's loader.
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

const WORKER_NAME = 'index-build-worker';

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
    const { script, loader } = workerScript();
    const worker = loader
      ? new Worker(BOOTSTRAP, { eval: true, execArgv: [], workerData: { request, script: fileURLToPath(script), loader } })
      : new Worker(fileURLToPath(script), { workerData: { request } });
    let reply: BuildReply | undefined;
    let failure: Error | undefined;
    const onAbort = (): void => {
      failure = abortError(signal!);
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: { reply?: BuildReply; error?: string }) => {
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

/** From source: tsx's require hook (module hooks do not reach worker threads in Node 20), then the .ts module. */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
require(workerData.loader).register();
require(workerData.script);
`;

/** Where the worker's module is: beside this module (or its bundle chunk), as .js when bundled, .ts from source. */
function workerScript(): { script: URL; loader?: string } {
  const here = import.meta.url;
  if (/\.[cm]?ts$/.test(new URL(here).pathname)) {
    return { script: new URL(`./${WORKER_NAME}.ts`, here), loader: createRequire(here).resolve('tsx/cjs/api') };
  }
  // Bundlers put shared code in chunk files, which may sit one folder below the entries.
  for (const candidate of [`./${WORKER_NAME}.js`, `../${WORKER_NAME}.js`]) {
    const script = new URL(candidate, here);
    if (existsSync(fileURLToPath(script))) return { script };
  }
  throw new Error(`the search index worker (${WORKER_NAME}.js) is missing beside ${fileURLToPath(here)}`);
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
