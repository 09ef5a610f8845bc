import { closeSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import type { SourceState } from './vector-source';

/*
 * The index's cache file (the snapshot): everything but the full-precision vectors, which are in the vector file
 * beside it (vector-file.ts) that it names by build id. This module is the one description of its layout, used to
 * write it and to read it back:
 *
 *   header      FIXED_BYTES of fields (HEADER_FIELDS), then the stamp (utf8), padded to 8 bytes
 *   centre      dim f32
 *   ids         slots i32
 *   factors     slots f32
 *   codes       the blocks of the slots (see code-memory.ts)
 *   low plane   slots * planeBytes bytes, split layout only (else empty)
 *   trailer     u32 length + JSON { mark, digests }: what lets an outdated file catch up (see SourceState)
 *
 * Little-endian throughout. A change to any of it bumps SNAPSHOT_VERSION, so that older files are rebuilt.
 */

export const SNAPSHOT_MAGIC = 'SBXINDX\0';
export const SNAPSHOT_VERSION = 5;

/** Byte offsets of the header's fields (u32 unless said otherwise). */
const HEADER_FIELDS = {
  /** 8 bytes, latin1. */
  magic: 0,
  version: 8,
  dim: 12,
  /** The rotation's seed (two-bit-codes.ts). */
  seed: 16,
  slots: 20,
  live: 24,
  /** How many vectors the centre was averaged over. */
  centreSamples: 28,
  /** 8 bytes: the vector file's build id. */
  buildId: 32,
  stampBytes: 40,
  /** 1: the split layout. */
  split: 44,
} as const;
const FIXED_BYTES = 48;

export interface SnapshotHeader {
  dim: number;
  seed: number;
  slots: number;
  live: number;
  centreSamples: number;
  /** The vector file's build id (16 hex digits). */
  buildId: string;
  /** The source stamp the file was saved with. */
  stamp: string;
  split: boolean;
}

/** The sections after the header, as bytes: views of the index's own arrays, written from and read into. */
export interface SnapshotBody {
  centre: Uint8Array;
  ids: Uint8Array;
  factors: Uint8Array;
  codes: Uint8Array;
  lows: Uint8Array;
}

/** The body's sections in file order. */
function sections(body: SnapshotBody): Uint8Array[] {
  return [body.centre, body.ids, body.factors, body.codes, body.lows];
}

function headerBytes(stampBytes: number): number {
  return Math.ceil((FIXED_BYTES + stampBytes) / 8) * 8;
}

/** The header as it starts the file. */
export function encodeHeader(header: SnapshotHeader): Buffer {
  const stamp = Buffer.from(header.stamp, 'utf8');
  const out = Buffer.alloc(headerBytes(stamp.length));
  out.write(SNAPSHOT_MAGIC, HEADER_FIELDS.magic, 'latin1');
  out.writeUInt32LE(SNAPSHOT_VERSION, HEADER_FIELDS.version);
  out.writeUInt32LE(header.dim, HEADER_FIELDS.dim);
  out.writeUInt32LE(header.seed, HEADER_FIELDS.seed);
  out.writeUInt32LE(header.slots, HEADER_FIELDS.slots);
  out.writeUInt32LE(header.live, HEADER_FIELDS.live);
  out.writeUInt32LE(Math.min(header.centreSamples, 0xffffffff), HEADER_FIELDS.centreSamples);
  out.write(header.buildId, HEADER_FIELDS.buildId, 'hex');
  out.writeUInt32LE(stamp.length, HEADER_FIELDS.stampBytes);
  out.writeUInt32LE(header.split ? 1 : 0, HEADER_FIELDS.split);
  stamp.copy(out, FIXED_BYTES);
  return out;
}

/** The end of the file: what lets it catch up once outdated (see SourceState), as length-prefixed JSON. */
export function encodeTrailer(state: SourceState): Buffer {
  const json = JSON.stringify({ mark: state.mark ?? null, digests: state.digests ? [...state.digests] : null });
  const text = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(4 + text.length);
  out.writeUInt32LE(text.length, 0);
  text.copy(out, 4);
  return out;
}

function parseTrailer(json: string, stamp: string): SourceState {
  try {
    const parsed = JSON.parse(json) as { mark?: unknown; digests?: unknown };
    const mark = typeof parsed.mark === 'number' ? parsed.mark : undefined;
    const entries = Array.isArray(parsed.digests) ? parsed.digests : undefined;
    const valid = entries?.every((e) => Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'string');
    return { stamp, mark, digests: valid ? new Map(entries as [number, string][]) : undefined };
  } catch {
    return { stamp };
  }
}

/** Writes the snapshot to `file` atomically (a temporary file, then a rename). */
export function writeSnapshot(file: string, header: SnapshotHeader, body: SnapshotBody, state: SourceState): void {
  const parts = [encodeHeader(header), ...sections(body), encodeTrailer(state)];
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let at = 0;
    for (const part of parts) {
      let done = 0;
      while (done < part.length) done += writeSync(fd, part, done, part.length - done, at + done);
      at += part.length;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Reads a snapshot front to back: the header on open, then the body into the caller's arrays, then the trailer. */
export class SnapshotReader {
  private constructor(
    private readonly fd: number,
    readonly header: SnapshotHeader,
    /** Where the next section starts. */
    private at: number,
  ) {}

  /** The file's reader, or undefined when it is not a snapshot of this version (the file is closed then). */
  static open(file: string): SnapshotReader | undefined {
    const fd = openSync(file, 'r');
    try {
      const fixed = Buffer.alloc(FIXED_BYTES);
      if (readSync(fd, fixed, 0, FIXED_BYTES, 0) !== FIXED_BYTES) return closed(fd);
      if (fixed.toString('latin1', HEADER_FIELDS.magic, HEADER_FIELDS.magic + 8) !== SNAPSHOT_MAGIC) return closed(fd);
      if (fixed.readUInt32LE(HEADER_FIELDS.version) !== SNAPSHOT_VERSION) return closed(fd);
      const stampBytes = fixed.readUInt32LE(HEADER_FIELDS.stampBytes);
      const stamp = Buffer.alloc(stampBytes);
      if (readSync(fd, stamp, 0, stampBytes, FIXED_BYTES) !== stampBytes) return closed(fd);
      return new SnapshotReader(fd, {
        dim: fixed.readUInt32LE(HEADER_FIELDS.dim),
        seed: fixed.readUInt32LE(HEADER_FIELDS.seed),
        slots: fixed.readUInt32LE(HEADER_FIELDS.slots),
        live: fixed.readUInt32LE(HEADER_FIELDS.live),
        centreSamples: fixed.readUInt32LE(HEADER_FIELDS.centreSamples),
        buildId: fixed.toString('hex', HEADER_FIELDS.buildId, HEADER_FIELDS.buildId + 8),
        stamp: stamp.toString('utf8'),
        split: fixed.readUInt32LE(HEADER_FIELDS.split) === 1,
      }, headerBytes(stampBytes));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Reads the centre (the first section, needed before the rest has anywhere to go); false if the file ends. */
  readCentre(centre: Uint8Array): boolean {
    return this.readInto(centre);
  }

  /** Reads the other sections, in file order, into `body` (whose centre was read already); false if the file ends. */
  readBody(body: Omit<SnapshotBody, 'centre'>): boolean {
    return sections({ ...body, centre: new Uint8Array(0) }).every((part) => this.readInto(part));
  }

  /** The source state recorded at the end (after readBody); undefined if the file ends early. */
  readTrailer(): SourceState | undefined {
    const length = Buffer.alloc(4);
    if (!this.readInto(length)) return undefined;
    const text = Buffer.alloc(length.readUInt32LE(0));
    if (!this.readInto(text)) return undefined;
    return parseTrailer(text.toString('utf8'), this.header.stamp);
  }

  close(): void {
    closeSync(this.fd);
  }

  private readInto(target: Uint8Array): boolean {
    let done = 0;
    while (done < target.length) {
      const got = readSync(this.fd, target, done, target.length - done, this.at + done);
      if (got <= 0) return false;
      done += got;
    }
    this.at += target.length;
    return true;
  }
}

function closed(fd: number): undefined {
  closeSync(fd);
  return undefined;
}
