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

  // Speed: `npm run bench -- library`.
  it.skipIf(!hasShared(PHOTOS))('hashes real photos, and a file of many chunks made of them, exactly as in memory', async () => {
    const names = (await fsp.readdir(sharedPath(PHOTOS))).filter((n) => n.endsWith('.jpg')).sort().slice(0, 300);
    const photos = await Promise.all(names.map((n) => fsp.readFile(sharedPath(PHOTOS, n))));

    // Real JPEG bytes over many 1 MiB chunks with a partial last one: a broken read loop shows as a wrong hash.
    const big = Buffer.concat(photos).subarray(0, (6 << 20) + 4321);
    const bigFile = path.join(tmp, 'big.bin');
    await fsp.writeFile(bigFile, big);
    expect(await hashFile(bigFile)).toBe(hashBuffer(big));

    // Many small files one by one (each smaller than a chunk).
    const dir = path.join(tmp, 'photos');
    await fsp.mkdir(dir);
    await Promise.all(photos.map((p, i) => fsp.writeFile(path.join(dir, `${i}.jpg`), p)));
    for (let i = 0; i < photos.length; i++) expect(await hashFile(path.join(dir, `${i}.jpg`))).toBe(hashBuffer(photos[i]!));
    expect(new Set(photos.map((p) => hashBuffer(p))).size).toBe(photos.length);
  });
});
