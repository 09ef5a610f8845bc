import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { databaseVectorSource } from './catalog-vector-source';
import type { BuildReply, BuildRequest } from './index-background';
import { VectorIndex } from './vector-index';

/*
 * The worker thread of VectorIndex.openInBackground (see index-background.ts): opens the catalog file read-only,
 * without sqlite-vec (the vectors are read from vec0's shadow tables with plain SQL), brings an outdated cache file
 * up to date (VectorIndex.resume) or builds the index exactly as VectorIndex.build does on the calling thread,
 * writes the cache files and reports the stamp they carry.
 */

const { request } = workerData as { request: BuildRequest };
try {
  parentPort!.postMessage({ reply: build(request) });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}

function build({ catalogFile, modelId, file, nativeBinding, signScanMin }: BuildRequest): BuildReply {
  const db = new Database(catalogFile, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
  try {
    // The engine may be committing a batch: wait for it rather than fail with SQLITE_BUSY.
    db.pragma('busy_timeout = 5000');
    const source = databaseVectorSource(db, modelId);
    // Before any reading: whatever is written from now on is in chunks at or after the mark.
    const mark = source.mark?.();
    const options = { file, threads: 0, ...(signScanMin === undefined ? {} : { signScanMin }) };
    // An outdated cache file catches up when it can (seconds); otherwise the whole index is built.
    const index = VectorIndex.resume(source, options) ?? VectorIndex.build(source, options);
    const reply: BuildReply = { stamp: index.stamp ?? '', mark, size: index.size, origin: index.origin };
    index.close();
    return reply;
  } finally {
    db.close();
  }
}
