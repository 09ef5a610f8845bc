import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';

/**
 * Content hashes identify a photo by its bytes: the indexer pairs an `unlink` with an `add` of the
 * same hash as a move/rename (keeping its embedding), and thumbnails are stored under the hash.
 *
 * SHA-256 as 64 lower-case hex characters: hex rather than base64url because thumbnail file names
 * must not differ only by letter case (macOS and Windows filesystems ignore case by default), and it
 * matches `sha256sum` output when debugging. Take a prefix where a shorter key is enough.
 */
export const CONTENT_HASH_ALGORITHM = 'sha256';

/** Length of a content hash string. */
export const CONTENT_HASH_LENGTH = 64;

const CHUNK_BYTES = 1024 * 1024;

/** Hash of bytes already in memory (the indexer reads each file once and decodes the same buffer). */
export function hashBuffer(data: Uint8Array): string {
  return createHash(CONTENT_HASH_ALGORITHM).update(data).digest('hex');
}

/** Hash of a file, read in 1 MiB chunks so a large file never sits in memory whole. */
export async function hashFile(filePath: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const { signal } = options;
  signal?.throwIfAborted();
  const hash = createHash(CONTENT_HASH_ALGORITHM);
  const handle = await fsp.open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    // Small files get a small buffer; read to end-of-file rather than to `size` in case the file grows.
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK_BYTES, size || CHUNK_BYTES)));
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
