import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';

/*
 * Full-precision vectors on disk, one fixed-size float32 record per index slot, for exact re-ranking of a few
 * hundred candidates per query. Reading a record is one pread from the page cache, where a point lookup in the
 * vec0 table is far slower (vec0 keeps 1024 vectors per 2 MB blob and SQLite walks the blob's overflow pages to
 * reach an offset). Nothing of it is held in memory.
 *
 * Layout: a HEADER_BYTES header (HEADER_FIELDS: magic, version, dim, a random build id that the index snapshot
 * must match, see snapshot-file.ts), then the record of slot s at recordOffset(s, dim).
 */

const MAGIC = 'SBXVECS\0';
const VERSION = 1;
const HEADER_BYTES = 64;
/** Byte offsets of the header's fields (u32 unless said otherwise). */
const HEADER_FIELDS = {
  /** 8 bytes, latin1. */
  magic: 0,
  version: 8,
  dim: 12,
  /** 8 random bytes. */
  buildId: 16,
} as const;

/** Where the record of `slot` starts (helper threads read the file by themselves, see search-worker.ts). */
export function recordOffset(slot: number, dim: number): number {
  return HEADER_BYTES + slot * dim * 4;
}

export class VectorFile {
  private constructor(
    private fd: number,
    private filePath: string,
    readonly dim: number,
    readonly buildId: string,
  ) {
    this.recordBytes = dim * 4;
  }

  readonly recordBytes: number;

  get path(): string {
    return this.filePath;
  }

  /** Creates (truncating) `path` for a new build. */
  static create(path: string, dim: number): VectorFile {
    const fd = openSync(path, 'w+');
    const buildId = randomBytes(8).toString('hex');
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(MAGIC, HEADER_FIELDS.magic, 'latin1');
    header.writeUInt32LE(VERSION, HEADER_FIELDS.version);
    header.writeUInt32LE(dim, HEADER_FIELDS.dim);
    header.write(buildId, HEADER_FIELDS.buildId, 'hex');
    writeSync(fd, header, 0, HEADER_BYTES, 0);
    return new VectorFile(fd, path, dim, buildId);
  }

  /** Opens an existing file; undefined if it is missing or not a vector file of this dimension. */
  static open(path: string, dim: number): VectorFile | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r+');
    } catch {
      return undefined;
    }
    const header = Buffer.alloc(HEADER_BYTES);
    const ok =
      readSync(fd, header, 0, HEADER_BYTES, 0) === HEADER_BYTES &&
      header.toString('latin1', HEADER_FIELDS.magic, HEADER_FIELDS.magic + 8) === MAGIC &&
      header.readUInt32LE(HEADER_FIELDS.version) === VERSION &&
      header.readUInt32LE(HEADER_FIELDS.dim) === dim;
    if (!ok) {
      closeSync(fd);
      return undefined;
    }
    return new VectorFile(fd, path, dim, header.toString('hex', HEADER_FIELDS.buildId, HEADER_FIELDS.buildId + 8));
  }

  /** How many whole records the file holds. */
  records(): number {
    return Math.floor((fstatSync(this.fd).size - HEADER_BYTES) / this.recordBytes);
  }

  /** Writes `count` records from `vectors` (count * dim floats) starting at `slot`. */
  write(slot: number, vectors: Float32Array, count = vectors.length / this.dim): void {
    const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, count * this.recordBytes);
    let done = 0;
    while (done < bytes.length) {
      done += writeSync(this.fd, bytes, done, bytes.length - done, recordOffset(slot, this.dim) + done);
    }
  }

  /** Reads the record of `slot` into `out` (dim floats at out[0]). */
  read(slot: number, out: Float32Array): void {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, this.recordBytes);
    const got = readSync(this.fd, bytes, 0, this.recordBytes, recordOffset(slot, this.dim));
    if (got !== this.recordBytes) throw new Error(`vector file ${this.path} is truncated at slot ${slot}`);
  }

  /** Reads `count` consecutive records from `slot` into `out` (count * dim floats at out[0]) in one pread. */
  readRun(slot: number, count: number, out: Float32Array): void {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, count * this.recordBytes);
    let done = 0;
    while (done < bytes.length) {
      const got = readSync(this.fd, bytes, done, bytes.length - done, recordOffset(slot, this.dim) + done);
      if (got <= 0) throw new Error(`vector file ${this.path} is truncated at slot ${slot + Math.floor(done / this.recordBytes)}`);
      done += got;
    }
  }

  /** Renames the file (a finished build replaces the previous one atomically). */
  rename(to: string): void {
    renameSync(this.filePath, to);
    this.filePath = to;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
