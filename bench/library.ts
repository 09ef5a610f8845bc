// `npm run bench -- library [--quick]`: the library layer's own speed, moved here from the unit tests (which check only
// correctness): content hashing (one large file streamed, the same bytes in memory, many small photos one by one),
// the scanner's walk of a few thousand files, and how long after a photo's last byte the watcher reports it (its
// write-finish detection waits 250 ms of stability by default, so that is the floor).
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashBuffer, hashFile } from '../electron/engine/library/content-hash';
import { scanFolder } from '../electron/engine/library/scanner';
import { FolderWatcher } from '../electron/engine/library/watcher';
import type { BenchOptions } from './clip';
import { BenchReport, median, sharedRoot, timeRuns } from './lib';

const FLICKR = path.join(sharedRoot, 'data', 'flickr8k-test1k', 'images');
const BIG_BYTES = 64 << 20;

export async function benchLibrary(options: BenchOptions): Promise<BenchReport> {
  const report = new BenchReport('library');
  console.log('\nlibrary: content hash, scanner, watcher');
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'shoebox-bench-library-'));
  try {
    const names = (await fsp.readdir(FLICKR)).filter((n) => n.endsWith('.jpg')).sort().slice(0, 300);
    const photos = await Promise.all(names.map((n) => fsp.readFile(path.join(FLICKR, n))));
    const photoBytes = photos.reduce((sum, p) => sum + p.length, 0);
    const runs = options.quick ? 3 : 7;

    // One 64 MiB file of real JPEG bytes (a large photo or a video-sized file), streamed from the page cache.
    const big = Buffer.concat(Array.from({ length: Math.ceil(BIG_BYTES / photoBytes) }, () => photos).flat()).subarray(0, BIG_BYTES);
    const bigFile = path.join(tmp, 'big.bin');
    await fsp.writeFile(bigFile, big);
    const streamed = await timeRuns(() => hashFile(bigFile), runs);
    report.add({ name: 'hash a 64 MiB file (streamed)', median: big.length / 1e6 / (median(streamed) / 1000), unit: 'MB/s' });
    const buffered = await timeRuns(() => hashBuffer(big), runs);
    report.add({ name: 'hash 64 MiB in memory', median: big.length / 1e6 / (median(buffered) / 1000), unit: 'MB/s' });

    // Many small files (Flickr photos average ~28 kB): per-file open and close dominate.
    const small = path.join(tmp, 'photos');
    await fsp.mkdir(small);
    await Promise.all(photos.map((p, i) => fsp.writeFile(path.join(small, `${i}.jpg`), p)));
    const oneByOne = await timeRuns(async () => {
      for (let i = 0; i < photos.length; i++) await hashFile(path.join(small, `${i}.jpg`));
    }, runs);
    report.add({ name: `hash ${photos.length} small photos one by one`, median: photos.length / (median(oneByOne) / 1000), unit: 'files/s' });

    // 50 albums of 60 photos (and a non-photo each), walked by the scanner.
    const tree = path.join(tmp, 'tree');
    for (let d = 0; d < 50; d++) {
      const dir = path.join(tree, `y${2000 + (d % 10)}`, `album${d}`);
      await fsp.mkdir(dir, { recursive: true });
      await Promise.all(Array.from({ length: 60 }, (_, f) => fsp.writeFile(path.join(dir, `IMG_${f}.jpg`), 'x')));
      await fsp.writeFile(path.join(dir, 'notes.txt'), 'x');
    }
    const walks = await timeRuns(async () => {
      for await (const file of scanFolder(tree)) void file;
    }, runs);
    report.add({ name: 'scan 3000 photos in 50 folders', median: 3000 / (median(walks) / 1000), unit: 'files/s' });

    report.add({ name: 'watcher add after the last byte', median: await watcherLatency(tmp, photos, options.quick ? 6 : 20), unit: 'ms', detail: 'stability 250 ms, checks every 50 ms' });
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
  return report;
}

/** Median time from a photo's write finishing to the watcher's add event, photo by photo. */
async function watcherLatency(tmp: string, photos: readonly Buffer[], count: number): Promise<number> {
  const root = path.join(tmp, 'watched');
  await fsp.mkdir(root);
  const watcher = new FolderWatcher();
  const arrived = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  watcher.on((event) => {
    if (event.type !== 'add') return;
    arrived.set(event.path, performance.now());
    waiting.get(event.path)?.();
  });
  try {
    await watcher.addFolder(root);
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const target = path.join(root, `IMG_${i}.jpg`);
      const added = new Promise<void>((resolve) => waiting.set(target, resolve));
      await fsp.writeFile(target, photos[i % photos.length]!);
      const writtenAt = performance.now();
      await added;
      latencies.push(arrived.get(target)! - writtenAt);
    }
    return median(latencies);
  } finally {
    await watcher.close();
  }
}
