import { parentPort, workerData } from 'node:worker_threads';
import { databaseVectorSource, openCatalogReadOnly } from '../../catalog/vector-chunk-reader';
import type { BuildMessage, BuildReply, BuildRequest, BuildWorkerData } from './index-background';
import { VectorIndex } from './vector-index';
import type { VectorSource } from './vector-source';

/*
 * The worker thread of VectorIndex.openInBackground (see index-background.ts): opens the catalog file read-only,
 * without sqlite-vec (the vectors are read from vec0's shadow tables with plain SQL), brings an outdated cache file
 * up to date (VectorIndex.resume) or builds the index exactly as VectorIndex.build does on the calling thread,
 * writes the cache files and reports the stamp they carry.
 */

const { request } = workerData as BuildWorkerData;
let message: BuildMessage;
try {
  message = { reply: build(request) };
} catch (error) {
  message = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
parentPort!.postMessage(message);

function build({ catalogFile, modelId, file, nativeBinding, signScanMin }: BuildRequest): BuildReply {
  const db = openCatalogReadOnly(catalogFile, nativeBinding);
  try {
    const source: VectorSource = databaseVectorSource(db, modelId);
    // Before any reading: whatever is written from now on is in chunks at or after the mark.
    const mark = source.mark?.();
    const options = { file, threads: 0, ...(signScanMin === undefined ? {} : { signScanMin }) };
    // An outdated cache file catches up when it can; otherwise the whole index is built.
    const index = VectorIndex.resume(source, options) ?? VectorIndex.build(source, options);
    const reply: BuildReply = { stamp: index.stamp ?? '', mark, size: index.size, origin: index.origin };
    index.close();
    return reply;
  } finally {
    db.close();
  }
}
