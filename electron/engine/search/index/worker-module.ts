import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/*
 * Starts one of the index's worker modules (index-build-worker.ts, search-worker.ts) as a worker thread. The CLI
 * bundle (scripts/build-cli.mjs) and the Electron build (electron.vite.config.ts) emit each as an entry of its own
 * beside their main one; run from source (tsx, vitest) the worker loads the .ts file through tsx's loader.
 */

export type WorkerModuleName = 'index-build-worker' | 'search-worker';

/** A worker thread running `name` with `workerData`. */
export function startWorkerModule(name: WorkerModuleName, workerData: unknown): Worker {
  const { script, loader } = workerScript(name);
  return loader
    ? new Worker(sourceBootstrap(), { execArgv: [], workerData: { workerData, script: fileURLToPath(script), loader } })
    : new Worker(fileURLToPath(script), { workerData });
}

/** From source: a plain script that registers tsx's require hook, then loads the .ts module (see the file). */
function sourceBootstrap(): string {
  return fileURLToPath(new URL('./source-worker-bootstrap.cjs', import.meta.url));
}

/** Where the worker's module is: beside this module (or its bundle chunk), as .js when bundled, .ts from source. */
function workerScript(name: WorkerModuleName): { script: URL; loader?: string } {
  const here = import.meta.url;
  if (/\.[cm]?ts$/.test(new URL(here).pathname)) {
    return { script: new URL(`./${name}.ts`, here), loader: createRequire(here).resolve('tsx/cjs/api') };
  }
  // Bundlers put shared code in chunk files, which may sit one folder below the entries.
  for (const candidate of [`./${name}.js`, `../${name}.js`]) {
    const script = new URL(candidate, here);
    if (existsSync(fileURLToPath(script))) return { script };
  }
  throw new Error(`the search index worker (${name}.js) is missing beside ${fileURLToPath(here)}`);
}
