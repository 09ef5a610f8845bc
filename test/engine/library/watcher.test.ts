import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, promises as fsp, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FSWatcher } from 'chokidar';
import type { ChokidarOptions } from 'chokidar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderWatcher, isWatchLimitError } from '../../../electron/engine/library/watcher';
import type { FolderWatcherOptions, WatchEvent } from '../../../electron/engine/library/watcher';
import { hashFile } from '../../../electron/engine/library/content-hash';
import { hasShared, repoRoot, sharedPath } from '../../support/shared-data';

const PHOTO_DIR = 'data/flickr8k-test1k/images';
const WEBP = 'data/robustness/formats/pillow/iss634.webp'; // 208 kB
const JPEG = 'data/robustness/exif_gps_dates/ianare_cameras/Canon_40D.jpg';

/** Generous for a loaded 2-core machine; a healthy run sees events in well under a second. */
const EVENT_TIMEOUT_MS = 20_000;

interface Seen {
  event: WatchEvent;
  at: number;
}

let tmp: string;
let watchers: FolderWatcher[] = [];
let photoNames: string[] = [];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function copyPhoto(source: string, dest: string): Promise<void> {
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  await fsp.copyFile(source, dest);
  await fsp.chmod(dest, 0o644); // the shared files are read-only
}

/** The n-th real Flickr photo. */
const photo = (n: number): string => sharedPath(PHOTO_DIR, photoNames[n] as string);

/** A watcher whose events are recorded with their arrival time; closed after each test. */
function newWatcher(options: FolderWatcherOptions = {}): { watcher: FolderWatcher; seen: Seen[] } {
  const watcher = new FolderWatcher(options);
  const seen: Seen[] = [];
  watcher.on((event) => seen.push({ event, at: performance.now() }));
  watchers.push(watcher);
  return { watcher, seen };
}

const describeEvent = (e: WatchEvent): string => `${e.type} ${'path' in e ? e.path : ''}${e.type === 'mode' ? ` ${e.mode} ${e.reason ?? ''}` : ''}${e.type === 'error' ? ` ${e.error.message}` : ''}`;

/** Waits until an event matching `match` has arrived; fails with the events seen so far on timeout. */
async function waitFor(seen: Seen[], label: string, match: (e: WatchEvent) => boolean, timeoutMs = EVENT_TIMEOUT_MS): Promise<Seen> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = seen.find((s) => match(s.event));
    if (found) return found;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}; events seen: ${seen.map((s) => describeEvent(s.event)).join(' | ') || 'none'}`);
    }
    await sleep(10);
  }
}

const isEvent = (type: WatchEvent['type'], filePath: string) => (e: WatchEvent): boolean => e.type === type && 'path' in e && e.path === filePath;
const eventsFor = (seen: Seen[], filePath: string): WatchEvent[] => seen.map((s) => s.event).filter((e) => 'path' in e && e.path === filePath);

beforeEach(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'shoebox-watch-'));
  if (photoNames.length === 0 && hasShared(PHOTO_DIR)) photoNames = (await fsp.readdir(sharedPath(PHOTO_DIR))).filter((n) => n.endsWith('.jpg')).sort().slice(0, 40);
});

afterEach(async () => {
  await Promise.all(watchers.map((w) => w.close()));
  watchers = [];
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasShared(PHOTO_DIR, WEBP, JPEG))('FolderWatcher (real chokidar, real files)', () => {
  it('reports one add, after the last chunk, for a photo written slowly in chunks', async () => {
    const root = path.join(tmp, 'Pictures');
    await fsp.mkdir(root);
    // Chunks every 100 ms against 1 s of stability: a loaded machine may stretch the pauses, not tenfold.
    const { watcher, seen } = newWatcher({ writeStabilityMs: 1000 });
    await watcher.addFolder(root);
    await waitFor(seen, 'mode watching', (e) => e.type === 'mode' && e.mode === 'watching');

    const data = await fsp.readFile(sharedPath(WEBP));
    const target = path.join(root, 'slow-copy.webp');
    const handle = await fsp.open(target, 'w');
    const chunks = 6;
    const chunkSize = Math.ceil(data.length / chunks);
    for (let i = 0; i < chunks; i++) {
      if (i === chunks - 1) expect(eventsFor(seen, target)).toEqual([]); // nothing before the last chunk
      await handle.write(data.subarray(i * chunkSize, (i + 1) * chunkSize));
      if (i < chunks - 1) await sleep(100); // slower than the 50 ms checks, well inside the stability threshold
    }
    await handle.close();

    const add = await waitFor(seen, 'add of slow-copy.webp', isEvent('add', target));
    expect(add.event).toMatchObject({ type: 'add', folder: root, path: target, size: data.length });
    await sleep(800); // nothing more may follow
    expect(eventsFor(seen, target).map((e) => e.type)).toEqual(['add']);
  });

  // How soon after the last byte: `npm run bench -- library`.
  it('reports each fully written photo once, with its final size', async () => {
    const root = path.join(tmp, 'Pictures');
    await fsp.mkdir(root);
    const { watcher, seen } = newWatcher();
    await watcher.addFolder(root);

    for (let i = 0; i < 6; i++) {
      const target = path.join(root, `IMG_${i}.jpg`);
      await copyPhoto(photo(i), target);
      const add = await waitFor(seen, `add of IMG_${i}.jpg`, isEvent('add', target));
      expect(add.event).toMatchObject({ size: (await fsp.stat(target)).size });
    }
    const adds = seen.flatMap((s) => (s.event.type === 'add' ? [path.basename(s.event.path)] : []));
    expect(adds).toEqual(Array.from({ length: 6 }, (_, i) => `IMG_${i}.jpg`));
  });

  it('reports change, unlink, and a rename as unlink + add of the same content', async () => {
    const root = path.join(tmp, 'Pictures');
    const edited = path.join(root, 'edited.jpg');
    const doomed = path.join(root, 'doomed.jpg');
    const before = path.join(root, 'IMG_0001.jpg');
    const after = path.join(root, 'Beach day.jpg');
    await copyPhoto(photo(0), edited);
    await copyPhoto(photo(1), doomed);
    await copyPhoto(photo(2), before);
    const { watcher, seen } = newWatcher();
    await watcher.addFolder(root);

    // An editor overwrites the photo in place.
    const newBytes = await fsp.readFile(photo(3));
    await fsp.writeFile(edited, newBytes);
    const change = await waitFor(seen, 'change of edited.jpg', isEvent('change', edited));
    expect(change.event).toMatchObject({ folder: root, size: newBytes.length });

    await fsp.unlink(doomed);
    await waitFor(seen, 'unlink of doomed.jpg', isEvent('unlink', doomed));

    const hashBefore = await hashFile(before);
    await fsp.rename(before, after);
    await waitFor(seen, 'unlink of the old name', isEvent('unlink', before));
    await waitFor(seen, 'add of the new name', isEvent('add', after));
    // The indexer pairs the two by content hash; the watcher only reports them.
    expect(await hashFile(after)).toBe(hashBefore);
    expect(eventsFor(seen, after).map((e) => e.type)).toEqual(['add']);
  });

  it('reports photos in new nested folders, created in place or moved in', async () => {
    const root = path.join(tmp, 'Pictures');
    await fsp.mkdir(root);
    const { watcher, seen } = newWatcher();
    await watcher.addFolder(root);

    const created = path.join(root, '2024', 'Trip to Oslo', 'day 1');
    await fsp.mkdir(created, { recursive: true });
    await copyPhoto(photo(4), path.join(created, 'a.jpg'));
    await copyPhoto(photo(5), path.join(created, 'b.jpg'));
    await waitFor(seen, 'add of 2024/.../a.jpg', isEvent('add', path.join(created, 'a.jpg')));
    await waitFor(seen, 'add of 2024/.../b.jpg', isEvent('add', path.join(created, 'b.jpg')));

    // A folder prepared elsewhere (same filesystem) and moved in at once.
    const staging = path.join(tmp, 'staging', 'Card import');
    await copyPhoto(photo(6), path.join(staging, 'c.jpg'));
    await copyPhoto(photo(7), path.join(staging, 'sub', 'd.jpg'));
    await fsp.rename(staging, path.join(root, 'Card import'));
    await waitFor(seen, 'add of moved-in c.jpg', isEvent('add', path.join(root, 'Card import', 'c.jpg')));
    await waitFor(seen, 'add of moved-in sub/d.jpg', isEvent('add', path.join(root, 'Card import', 'sub', 'd.jpg')));

    // And moved out again: the folder goes, with its photos.
    await fsp.rename(path.join(root, 'Card import'), path.join(tmp, 'moved-out'));
    await waitFor(seen, 'unlinkDir of Card import', isEvent('unlinkDir', path.join(root, 'Card import')));
  });

  it('reports a photo created in a new folder after chokidar read the folder and before it watched it', async () => {
    const root = path.join(tmp, 'Pictures');
    await fsp.mkdir(root);
    const album = path.join(root, 'Card import');
    const first = path.join(album, 'first.jpg');
    const late = path.join(album, 'late.jpg');
    let lateWritten = false;
    // chokidar asks `ignored` about each entry of a folder it has just listed: the folder's listing is taken, its
    // watch not yet set up. A photo written at that moment is the one a busy machine loses.
    const createWatcher = (options: ChokidarOptions): FSWatcher => {
      const ignored = options.ignored as (entryPath: string, stats?: Stats) => boolean;
      return new FSWatcher({
        ...options,
        ignored: (entryPath: string, stats?: Stats) => {
          if (entryPath === first && stats && !lateWritten) {
            lateWritten = true;
            copyFileSync(photo(21), late);
          }
          return ignored(entryPath, stats);
        },
      });
    };
    const { watcher, seen } = newWatcher({ createWatcher });
    await watcher.addFolder(root);

    const staging = path.join(tmp, 'staging');
    await copyPhoto(photo(20), path.join(staging, 'first.jpg'));
    await fsp.rename(staging, album);
    await waitFor(seen, 'add of first.jpg', isEvent('add', first));
    await waitFor(seen, 'add of late.jpg', isEvent('add', late));
    expect(lateWritten).toBe(true);
    await sleep(500); // nothing more may follow
    expect(eventsFor(seen, late)).toEqual([expect.objectContaining({ type: 'add', folder: root, size: (await fsp.stat(late)).size })]);
    expect(eventsFor(seen, first).map((e) => e.type)).toEqual(['add']);

    // Handed over to chokidar: later changes to it are reported as usual.
    await fsp.unlink(late);
    await waitFor(seen, 'unlink of late.jpg', isEvent('unlink', late));
  });

  it('ignores hidden, system and non-photo files', async () => {
    const root = path.join(tmp, 'Pictures');
    await fsp.mkdir(root);
    const { watcher, seen } = newWatcher();
    await watcher.addFolder(root);

    await fsp.writeFile(path.join(root, 'notes.txt'), 'x');
    await fsp.writeFile(path.join(root, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await fsp.writeFile(path.join(root, 'Thumbs.db'), 'x');
    await copyPhoto(photo(8), path.join(root, '._IMG_1.jpg'));
    await copyPhoto(photo(8), path.join(root, '.hidden', 'h.jpg'));
    await copyPhoto(photo(8), path.join(root, '@eaDir', 'IMG_1.jpg', 'SYNOFILE_THUMB_XL.jpg'));
    await copyPhoto(photo(8), path.join(root, '$RECYCLE.BIN', 'r.jpg'));
    await sleep(100);
    const sentinel = path.join(root, 'sentinel.jpg');
    await copyPhoto(photo(9), sentinel);
    await waitFor(seen, 'add of sentinel.jpg', isEvent('add', sentinel));
    await sleep(400);
    const fileEvents = seen.map((s) => s.event).filter((e) => e.type !== 'mode');
    expect(fileEvents.map(describeEvent)).toEqual([`add ${sentinel}`]);
  });

  it('follows symlinked folders but watches a folder reached twice (or a loop) only once', async () => {
    const root = path.join(tmp, 'root');
    const outside = path.join(tmp, 'Camera Uploads');
    await fsp.mkdir(path.join(root, 'a', 'b'), { recursive: true });
    await fsp.mkdir(outside);
    await fsp.symlink(root, path.join(root, 'a', 'b', 'up')); // loop to an ancestor
    await fsp.symlink(outside, path.join(root, 'uploads'));
    await fsp.symlink(outside, path.join(root, 'a', 'uploads-again'));
    const { watcher, seen } = newWatcher();
    await watcher.addFolder(root);

    await copyPhoto(photo(10), path.join(outside, 'x.jpg'));
    await copyPhoto(photo(11), path.join(root, 'a', 'b', 'y.jpg'));
    await waitFor(seen, 'add of y.jpg', isEvent('add', path.join(root, 'a', 'b', 'y.jpg')));
    await waitFor(seen, 'add of x.jpg via a link', (e) => e.type === 'add' && path.basename(e.path) === 'x.jpg');
    await sleep(500);
    const adds = seen.flatMap((s) => (s.event.type === 'add' ? [path.relative(root, s.event.path)] : []));
    // chokidar alone reports each of these ~40 times (once per loop level, until ELOOP).
    expect(adds.filter((p) => p.endsWith('y.jpg'))).toEqual([path.join('a', 'b', 'y.jpg')]);
    expect(adds.filter((p) => p.endsWith('x.jpg'))).toHaveLength(1);
  });

  it('stops reporting a removed root at once while other roots go on', async () => {
    const first = path.join(tmp, 'First');
    const second = path.join(tmp, 'Second');
    await fsp.mkdir(first);
    await fsp.mkdir(second);
    const { watcher, seen } = newWatcher();
    await watcher.addFolder(first);
    await watcher.addFolder(second);
    expect(watcher.folders().sort()).toEqual([first, second].sort());

    // A photo still being checked for write-finish when its root goes must not be reported either.
    await copyPhoto(photo(12), path.join(first, 'pending.jpg'));
    await watcher.removeFolder(first);
    expect(watcher.folders()).toEqual([second]);
    expect(watcher.modeOf(first)).toBeUndefined();

    await copyPhoto(photo(13), path.join(first, 'after.jpg'));
    await copyPhoto(photo(14), path.join(second, 'b.jpg'));
    await waitFor(seen, 'add in the remaining root', isEvent('add', path.join(second, 'b.jpg')));
    await sleep(500);
    const fromFirst = seen.map((s) => s.event).filter((e) => e.folder === first && e.type !== 'mode');
    expect(fromFirst.map(describeEvent)).toEqual([]);
  });

  it('reports an event once, from the innermost root, when roots are nested', async () => {
    const outer = path.join(tmp, 'Pictures');
    const inner = path.join(outer, 'Phone');
    await fsp.mkdir(inner, { recursive: true });
    const { watcher, seen } = newWatcher();
    await watcher.addFolder(outer);
    await watcher.addFolder(inner);
    const target = path.join(inner, 'p.jpg');
    await copyPhoto(photo(15), target);
    await waitFor(seen, 'add of p.jpg', isEvent('add', target));
    await sleep(500);
    expect(eventsFor(seen, target)).toEqual([expect.objectContaining({ type: 'add', folder: inner })]);
  });

  it('polls when forced and still reports add, change and unlink', async () => {
    const root = path.join(tmp, 'NAS share');
    await fsp.mkdir(root);
    const { watcher, seen } = newWatcher({ forcePolling: true, pollIntervalMs: 200, filePollIntervalMs: 300 });
    await watcher.addFolder(root);
    expect(seen[0]?.event).toMatchObject({ type: 'mode', folder: root, mode: 'polling', reason: 'polling forced by option' });
    expect(watcher.modeOf(root)).toBe('polling');

    const target = path.join(root, 'polled.jpg');
    await copyPhoto(photo(16), target);
    await waitFor(seen, 'polled add', isEvent('add', target));
    await sleep(50);
    await fsp.appendFile(target, Buffer.alloc(100)); // size changes: polling compares stats
    await waitFor(seen, 'polled change', isEvent('change', target));
    await fsp.unlink(target);
    await waitFor(seen, 'polled unlink', isEvent('unlink', target));
  });

  it('falls back to polling when the watch limit is hit (ENOSPC injected into a real chokidar watcher)', async () => {
    const root = path.join(tmp, 'Pictures');
    await copyPhoto(photo(17), path.join(root, 'existing.jpg'));
    const created: FSWatcher[] = [];
    const createWatcher = (options: ChokidarOptions): FSWatcher => {
      const fsw = new FSWatcher(options);
      created.push(fsw);
      if (!options.usePolling) {
        // What Node's fs.watch throws when inotify's max_user_watches is exhausted.
        const error = Object.assign(new Error(`ENOSPC: System limit for number of file watchers reached, watch '${root}'`), {
          code: 'ENOSPC',
          errno: -28,
          syscall: 'watch',
          path: root,
        });
        fsw.once('ready', () => setTimeout(() => fsw.emit('error', error), 20));
      }
      return fsw;
    };
    const { watcher, seen } = newWatcher({ createWatcher, pollIntervalMs: 200 });
    await watcher.addFolder(root);
    await waitFor(seen, 'mode polling', (e) => e.type === 'mode' && e.mode === 'polling');

    const modes = seen.map((s) => s.event).filter((e) => e.type === 'mode');
    expect(modes).toEqual([
      { type: 'mode', folder: root, mode: 'watching' },
      expect.objectContaining({ type: 'mode', folder: root, mode: 'polling', rescanNeeded: true, reason: expect.stringContaining('ENOSPC') }),
    ]);
    expect(seen.some((s) => s.event.type === 'error')).toBe(false); // handled, not passed on
    expect(watcher.modeOf(root)).toBe('polling');
    expect(created).toHaveLength(2);
    expect(created[0]?.closed).toBe(true); // the native watcher was released
    expect(created[1]?.options.usePolling).toBe(true);

    const target = path.join(root, 'after-fallback.jpg');
    await copyPhoto(photo(18), target);
    await waitFor(seen, 'add while polling', isEvent('add', target));
    await watcher.close();
    expect(created[1]?.closed).toBe(true);
  });

  it('recognises watch-limit errors and nothing else', () => {
    expect(isWatchLimitError(Object.assign(new Error('x'), { code: 'ENOSPC', syscall: 'watch' }))).toBe(true);
    expect(isWatchLimitError(Object.assign(new Error('x'), { code: 'EMFILE', syscall: 'watch' }))).toBe(true);
    expect(isWatchLimitError(Object.assign(new Error('x'), { code: 'EMFILE', syscall: 'opendir' }))).toBe(false);
    expect(isWatchLimitError(Object.assign(new Error('x'), { code: 'EACCES', syscall: 'watch' }))).toBe(false);
    expect(isWatchLimitError(new Error('plain'))).toBe(false);
  });

  it('rejects a missing folder, and everything once closed', async () => {
    const { watcher, seen } = newWatcher();
    await expect(watcher.addFolder(path.join(tmp, 'unplugged'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(watcher.folders()).toEqual([]);

    const root = path.join(tmp, 'Pictures');
    await fsp.mkdir(root);
    await watcher.addFolder(root);
    await watcher.close();
    expect(watcher.folders()).toEqual([]);
    await copyPhoto(photo(19), path.join(root, 'after-close.jpg'));
    await sleep(600);
    expect(seen.map((s) => s.event.type)).toEqual(['mode']);
    await expect(watcher.addFolder(root)).rejects.toThrow(/closed/);
  });
});

describe.skipIf(!hasShared(PHOTO_DIR))('FolderWatcher against the real inotify limit', () => {
  const probe = spawnSync('unshare', ['-U', '-r', 'sh', '-c', 'echo 8 > /proc/sys/user/max_inotify_watches'], { encoding: 'utf8' });
  const available = process.platform === 'linux' && !probe.error && probe.status === 0;
  if (!available) {
    console.warn(
      `skipping the real ENOSPC test: it needs Linux user namespaces (unshare -U -r) to lower max_inotify_watches for one process only (${probe.error?.message ?? probe.stderr.trim()})`,
    );
  }

  it.skipIf(!available)('switches to polling on a real ENOSPC and keeps delivering adds', async () => {
    // A child process in its own user namespace, where the inotify watch limit is lowered to 6
    // (the machine-wide fs.inotify.max_user_watches is left alone). The root has 12 folders.
    const root = path.join(tmp, 'Pictures');
    for (let i = 0; i < 12; i++) await copyPhoto(photo(20 + i), path.join(root, `album ${i}`, 'p.jpg'));
    const script = path.join(tmp, 'watch-child.mts');
    const watcherModule = path.join(repoRoot, 'electron', 'engine', 'library', 'watcher.ts');
    writeFileSync(
      script,
      `import { FolderWatcher } from ${JSON.stringify(watcherModule)};
const root = process.argv[2];
const watcher = new FolderWatcher({ pollIntervalMs: 250 });
const print = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
watcher.on((e) => print(e.type === 'error' ? { ...e, error: e.error.message } : e));
await watcher.addFolder(root);
print({ type: 'ready', mode: watcher.modeOf(root) });
process.stdin.once('data', async () => { await watcher.close(); print({ type: 'closed' }); process.exit(0); });
`,
    );
    const child = spawn(
      'unshare',
      ['-U', '-r', 'sh', '-c', 'echo 6 > /proc/sys/user/max_inotify_watches && exec "$0" --import tsx "$1" "$2"', process.execPath, script, root],
      { cwd: repoRoot },
    ) as ChildProcessWithoutNullStreams;
    const lines: Seen[] = [];
    let stderr = '';
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.trim()) lines.push({ event: JSON.parse(part) as WatchEvent, at: performance.now() });
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const ready = await waitFor(lines, 'the child to be ready', (e) => (e.type as string) === 'ready', 30_000).catch((error: Error) => {
        throw new Error(`${error.message}; child stderr: ${stderr}`);
      });
      expect(ready.event).toMatchObject({ mode: 'polling' });
      const mode = await waitFor(lines, 'mode polling', (e) => e.type === 'mode');
      expect(mode.event).toMatchObject({ type: 'mode', folder: root, mode: 'polling', rescanNeeded: true });
      expect((mode.event as { reason: string }).reason).toMatch(/ENOSPC/);
      console.log(`real inotify limit: ${(mode.event as { reason: string }).reason}`);

      const target = path.join(root, 'album 7', 'new.jpg');
      await copyPhoto(photo(35), target);
      const add = await waitFor(lines, 'add while polling', isEvent('add', target));
      expect(add.event).toMatchObject({ size: (await fsp.stat(target)).size });
      child.stdin.write('close\n');
      await waitFor(lines, 'the child to close', (e) => (e.type as string) === 'closed');
    } finally {
      child.kill();
    }
  });
});
