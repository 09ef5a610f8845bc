import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SNAPSHOT_MAGIC, SNAPSHOT_VERSION, SnapshotReader, encodeHeader, writeSnapshot } from '../../../../electron/engine/search/index/snapshot-file';
import type { SnapshotBody, SnapshotHeader } from '../../../../electron/engine/search/index/snapshot-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-snapshot-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const header: SnapshotHeader = {
  dim: 4,
  seed: 0x5eb0c5,
  slots: 3,
  live: 2,
  centreSamples: 3,
  buildId: '0123456789abcdef',
  stamp: 'stämp-1', // not ASCII: the stamp's length is in bytes
  split: true,
};

function bytes(length: number, first: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (first + i) & 255);
}

const body: SnapshotBody = { centre: bytes(16, 1), ids: bytes(12, 50), factors: bytes(12, 90), codes: bytes(64, 120), lows: bytes(6, 200) };

function emptyLike(): Omit<SnapshotBody, 'centre'> {
  return { ids: new Uint8Array(12), factors: new Uint8Array(12), codes: new Uint8Array(64), lows: new Uint8Array(6) };
}

describe('snapshot file', () => {
  it('reads back the header, body and source state it was written with', () => {
    const file = path.join(dir, 'a.index');
    writeSnapshot(file, header, body, { stamp: header.stamp, mark: 7, digests: new Map([[3, 'ab'], [7, 'cd']]) });
    const reader = SnapshotReader.open(file)!;
    try {
      expect(reader.header).toEqual(header);
      const centre = new Uint8Array(16);
      expect(reader.readCentre(centre)).toBe(true);
      expect(centre).toEqual(body.centre);
      const rest = emptyLike();
      expect(reader.readBody(rest)).toBe(true);
      expect(rest).toEqual({ ids: body.ids, factors: body.factors, codes: body.codes, lows: body.lows });
      expect(reader.readTrailer()).toEqual({ stamp: header.stamp, mark: 7, digests: new Map([[3, 'ab'], [7, 'cd']]) });
    } finally {
      reader.close();
    }
  });

  it('keeps the on-disk layout: fixed fields at their offsets, the stamp after them, padded to 8 bytes', () => {
    const encoded = encodeHeader(header);
    const stampBytes = Buffer.byteLength(header.stamp, 'utf8');
    expect(encoded.length).toBe(Math.ceil((48 + stampBytes) / 8) * 8);
    expect(encoded.toString('latin1', 0, 8)).toBe(SNAPSHOT_MAGIC);
    expect([8, 12, 16, 20, 24, 28].map((at) => encoded.readUInt32LE(at))).toEqual([SNAPSHOT_VERSION, 4, 0x5eb0c5, 3, 2, 3]);
    expect(encoded.toString('hex', 32, 40)).toBe(header.buildId);
    expect(encoded.readUInt32LE(40)).toBe(stampBytes);
    expect(encoded.readUInt32LE(44)).toBe(1);
    expect(encoded.toString('utf8', 48, 48 + stampBytes)).toBe(header.stamp);
    expect(encodeHeader({ ...header, split: false }).readUInt32LE(44)).toBe(0);
  });

  it('an empty low plane (joint layout), no mark and no digests round-trip too', () => {
    const file = path.join(dir, 'b.index');
    writeSnapshot(file, { ...header, split: false, stamp: '' }, { ...body, lows: new Uint8Array(0) }, { stamp: undefined });
    const reader = SnapshotReader.open(file)!;
    expect(reader.header).toMatchObject({ split: false, stamp: '' });
    expect(reader.readCentre(new Uint8Array(16))).toBe(true);
    expect(reader.readBody({ ...emptyLike(), lows: new Uint8Array(0) })).toBe(true);
    expect(reader.readTrailer()).toEqual({ stamp: '', mark: undefined, digests: undefined });
    reader.close();
  });

  it('refuses another version or a file that is not a snapshot, and says when one ends early', () => {
    const file = path.join(dir, 'c.index');
    writeSnapshot(file, header, body, { stamp: header.stamp });
    const other = Buffer.from(readFileSync(file));
    other.writeUInt32LE(SNAPSHOT_VERSION + 1, 8);
    writeFileSync(path.join(dir, 'v.index'), other);
    expect(SnapshotReader.open(path.join(dir, 'v.index'))).toBeUndefined();
    writeFileSync(path.join(dir, 'x.index'), 'not a snapshot at all, but long enough to hold a header of 48 bytes');
    expect(SnapshotReader.open(path.join(dir, 'x.index'))).toBeUndefined();
    truncateSync(file, 100);
    const reader = SnapshotReader.open(file)!;
    expect(reader.readCentre(new Uint8Array(16))).toBe(true);
    expect(reader.readBody(emptyLike())).toBe(false);
    reader.close();
    truncateSync(file, 20);
    expect(SnapshotReader.open(file)).toBeUndefined();
  });
});
