// Run from source only (vitest, tsx): a worker thread cannot inherit the parent's TypeScript loader in Node 20, so
// this plain script registers tsx's require hook and then loads the worker's .ts module, handing it its own
// workerData. Bundled builds start the worker's .js file directly and never use this.
const threads = require('node:worker_threads');
const { workerData, script, loader } = threads.workerData;
threads.workerData = workerData;
require(loader).register();
require(script);
