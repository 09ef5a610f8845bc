import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_HASH_LENGTH, hashBuffer, hashFile } from '../../../electron/engine/library/content-hash';
import { hasShared, sharedPath } from '../../support/shared-data';

const PHOTOS = 'data/flickr8k-test1k/images';
const BIG_JPEG = 'data/robustness/size_extremes/ianare/HMD_Nokia_8.3_5G.jpg';

let tmp: string;

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'shoebox-hash-'));
});

afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('content hash', () => {
  it('is SHA-256 in lower-case hex (known vectors)', async () => {
    expect(hashBuffer(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashBuffer(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const empty = path.join(tmp, 'empty.jpg');
    await fsp.writeFile(empty, '');
    expect(await hashFile(empty)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashBuffer(Buffer.from('abc'))).toHaveLength(CONTENT_HASH_LENGTH);
  });

  it.skipIf(!hasShared(BIG_JPEG))('gives the same hash streamed from disk and from memory, across chunk boundaries', async () => {
    const photo = await fsp.readFile(sharedPath(BIG_JPEG));
    // 2 MB photo three times plus a bit: several 1 MiB chunks and a partial last one.
    const data = Buffer.concat([photo, photo, photo, photo.subarray(0, 12345)]);
    const file = path.join(tmp, 'large.jpg');
    await fsp.writeFile(file, data);
    expect(await hashFile(file)).toBe(hashBuffer(data));
    expect(await hashFile(sharedPath(BIG_JPEG))).toBe(hashBuffer(photo));
  });

  it.skipIf(!hasShared(BIG_JPEG))('pairs a moved file with its original and tells an edited one apart', async () => {
    const original = path.join(tmp, 'IMG_0001.jpg');
    await fsp.copyFile(sharedPath(BIG_JPEG), original);
    await fsp.chmod(original, 0o644);
    const before = await hashFile(original);
    const moved = path.join(tmp, 'moved', 'Holiday 1.jpg');
    await fsp.mkdir(path.dirname(moved));
    await fsp.rename(original, moved);
    expect(await hashFile(moved)).toBe(before);
    const handle = await fsp.open(moved, 'r+');
    await handle.write(Buffer.from([0x00]), 0, 1, 1000);
    await handle.close();
    expect(await hashFile(moved)).not.toBe(before);
  });

  it('rejects for a missing file and when aborted', async () => {
    await expect(hashFile(path.join(tmp, 'nope.jpg'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(hashFile(path.join(tmp, 'empty.jpg'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it.skipIf(!hasShared(PHOTOS))('hashes real photos fast (prints MB/s)', async () => {
    const names = (await fsp.readdir(sharedPath(PHOTOS))).filter((n) => n.endsWith('.jpg')).slice(0, 300);
    const photos = await Promise.all(names.map((n) => fsp.readFile(sharedPath(PHOTOS, n))));
    const photoBytes = photos.reduce((sum, p) => sum + p.length, 0);

    // One 64 MiB file made of real JPEG bytes (a large photo or video-sized file), streamed.
    const big = Buffer.concat(Array.from({ length: Math.ceil((64 << 20) / photoBytes) }, () => photos).flat()).subarray(0, 64 << 20);
    const bigFile = path.join(tmp, 'big.bin');
    await fsp.writeFile(bigFile, big);
    await hashFile(bigFile); // warm the page cache: measure hashing, not the disk
    let started = performance.now();
    const streamed = await hashFile(bigFile);
    const streamMBs = big.length / 1e6 / ((performance.now() - started) / 1000);
    expect(streamed).toBe(hashBuffer(big));

    started = performance.now();
    for (let i = 0; i < 3; i++) hashBuffer(big);
    const bufferMBs = (3 * big.length) / 1e6 / ((performance.now() - started) / 1000);

    // Many small files (Flickr photos average ~28 kB): per-file open/close dominates.
    const dir = path.join(tmp, 'photos');
    await fsp.mkdir(dir);
    await Promise.all(photos.map((p, i) => fsp.writeFile(path.join(dir, `${i}.jpg`), p)));
    started = performance.now();
    for (let i = 0; i < photos.length; i++) await hashFile(path.join(dir, `${i}.jpg`));
    const smallSeconds = (performance.now() - started) / 1000;
    const smallMBs = photoBytes / 1e6 / smallSeconds;

    console.log(
      `content hash (sha256): streamed 64 MiB file ${streamMBs.toFixed(0)} MB/s; in-memory buffer ${bufferMBs.toFixed(0)} MB/s; ` +
        `${photos.length} small photos one by one ${smallMBs.toFixed(0)} MB/s (${Math.round(photos.length / smallSeconds)} files/s)`,
    );
    expect(streamMBs).toBeGreaterThan(20); // far below any real machine; catches a broken read loop
    expect(bufferMBs).toBeGreaterThan(20);
  });
});
