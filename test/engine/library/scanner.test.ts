import { spawnSync } from 'node:child_process';
import { promises as fsp, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanFolder } from '../../../electron/engine/library/scanner';
import type { ScanOptions, ScanProblem, ScannedFile } from '../../../electron/engine/library/scanner';
import { hasShared, repoRoot, sharedPath } from '../../support/shared-data';

const JPEG = 'data/robustness/exif_gps_dates/ianare_cameras/Canon_40D.jpg';
const PNG = 'data/robustness/formats/pillow/hopper.png';
const WEBP = 'data/robustness/formats/pillow/flower.webp';

let tmp: string;

/** Copies a real image from ../shared to `dest` (made writable: the shared files are read-only). */
async function copyPhoto(source: string, dest: string): Promise<void> {
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  await fsp.copyFile(sharedPath(source), dest);
  await fsp.chmod(dest, 0o644);
}

async function writeText(dest: string, text = 'not a photo'): Promise<void> {
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  await fsp.writeFile(dest, text);
}

async function scanAll(root: string, options: ScanOptions = {}): Promise<{ files: ScannedFile[]; problems: ScanProblem[]; dirs: string[] }> {
  const problems: ScanProblem[] = [];
  const dirs: string[] = [];
  const files: ScannedFile[] = [];
  for await (const file of scanFolder(root, { ...options, onError: (p) => problems.push(p), onDirectory: (d) => dirs.push(d) })) {
    files.push(file);
  }
  return { files, problems, dirs };
}

const relativePaths = (root: string, files: ScannedFile[]): string[] => files.map((f) => path.relative(root, f.path)).sort();

beforeEach(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'shoebox-scan-'));
});

afterEach(async () => {
  await fsp.chmod(tmp, 0o755).catch(() => {});
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasShared(JPEG, PNG, WEBP))('scanFolder', () => {
  it('finds nested photos and skips hidden, system and non-image files', async () => {
    const root = path.join(tmp, 'Pictures');
    await copyPhoto(JPEG, path.join(root, 'a.jpg'));
    await copyPhoto(JPEG, path.join(root, 'B.JPG'));
    await copyPhoto(PNG, path.join(root, '2019', 'summer', 'c.png'));
    await copyPhoto(WEBP, path.join(root, '2019', 'd.webp'));
    await writeText(path.join(root, 'notes.txt'));
    await writeText(path.join(root, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeText(path.join(root, 'IMG_0001.CR2'));
    await writeText(path.join(root, 'Thumbs.db'));
    await writeText(path.join(root, 'desktop.ini'));
    await copyPhoto(JPEG, path.join(root, '._a.jpg'));
    await copyPhoto(JPEG, path.join(root, '.hidden', 'e.jpg'));
    await copyPhoto(JPEG, path.join(root, '@eaDir', 'a.jpg', 'SYNOFILE_THUMB_XL.jpg'));
    await copyPhoto(JPEG, path.join(root, '$RECYCLE.BIN', 'S-1-5-21', 'f.jpg'));
    await copyPhoto(JPEG, path.join(root, 'System Volume Information', 'g.jpg'));
    await copyPhoto(JPEG, path.join(root, '.Trashes', '501', 'h.jpg'));
    await copyPhoto(PNG, path.join(root, '.thumbnails', 'large', 'i.png'));
    await copyPhoto(PNG, path.join(root, 'node_modules', 'pkg', 'j.png'));
    await fsp.mkdir(path.join(root, 'empty'));

    const { files, problems, dirs } = await scanAll(root);
    expect(relativePaths(root, files)).toEqual(['2019/d.webp', '2019/summer/c.png', 'B.JPG', 'a.jpg'].map((p) => p.split('/').join(path.sep)).sort());
    expect(problems).toEqual([]);
    expect(dirs.map((d) => path.relative(root, d)).sort()).toEqual(['', '2019', path.join('2019', 'summer'), 'empty']);
    for (const file of files) {
      const stats = await fsp.stat(file.path);
      expect(path.isAbsolute(file.path)).toBe(true);
      expect(file.size).toBe(stats.size);
      expect(file.mtimeMs).toBe(stats.mtimeMs);
    }
  });

  it('terminates on symlink loops and reads every real folder once', async () => {
    const root = path.join(tmp, 'root');
    await copyPhoto(JPEG, path.join(root, 'top.jpg'));
    await copyPhoto(PNG, path.join(root, 'a', 'b', 'deep.png'));
    await fsp.symlink(root, path.join(root, 'a', 'b', 'up')); // to an ancestor
    await fsp.symlink('.', path.join(root, 'self')); // to itself, relative
    await fsp.symlink(path.join(root, 'a'), path.join(root, 'a', 'b', 'back-to-a'));

    const { files, problems, dirs } = await scanAll(root);
    const realDirs = dirs.map((d) => realpathSync(d));
    expect(new Set(realDirs).size).toBe(realDirs.length);
    expect(realDirs.sort()).toEqual([root, path.join(root, 'a'), path.join(root, 'a', 'b')].map((d) => realpathSync(d)).sort());
    expect(relativePaths(root, files)).toEqual([path.join('a', 'b', 'deep.png'), 'top.jpg'].sort());
    expect(problems).toEqual([]);
  });

  it('follows a symlinked photo folder outside the root once, and symlinked photo files', async () => {
    const root = path.join(tmp, 'root');
    const outside = path.join(tmp, 'elsewhere', 'Camera Uploads');
    await copyPhoto(JPEG, path.join(outside, 'x.jpg'));
    await copyPhoto(WEBP, path.join(outside, 'inner', 'y.webp'));
    await copyPhoto(PNG, path.join(root, 'own.png'));
    await fsp.mkdir(path.join(root, 'nested'), { recursive: true });
    await fsp.symlink(outside, path.join(root, 'uploads'));
    await fsp.symlink(outside, path.join(root, 'nested', 'uploads-again'));
    await fsp.symlink(path.join(outside, 'x.jpg'), path.join(root, 'favourite.jpg'));
    await fsp.symlink(path.join(tmp, 'missing'), path.join(root, 'dangling'));
    await fsp.symlink(path.join(tmp, 'missing.jpg'), path.join(root, 'dangling.jpg'));

    const { files, problems } = await scanAll(root);
    const names = files.map((f) => path.basename(f.path)).sort();
    expect(names).toEqual(['favourite.jpg', 'own.png', 'x.jpg', 'y.webp']);
    const x = files.find((f) => path.basename(f.path) === 'x.jpg') as ScannedFile;
    // Reported under the link, as the user sees it, not under the real path.
    expect(x.path.startsWith(root + path.sep)).toBe(true);
    const favourite = files.find((f) => path.basename(f.path) === 'favourite.jpg') as ScannedFile;
    expect(favourite.size).toBe((await fsp.stat(path.join(outside, 'x.jpg'))).size);
    expect(problems).toEqual([]);

    const unfollowed = await scanAll(root, { followSymlinks: false });
    expect(relativePaths(root, unfollowed.files)).toEqual(['own.png']);
  });

  it('reports an unreadable folder and scans the rest', async () => {
    const root = path.join(tmp, 'root');
    await copyPhoto(JPEG, path.join(root, 'ok', 'x.jpg'));
    await copyPhoto(PNG, path.join(root, 'locked', 'secret.png'));
    await copyPhoto(WEBP, path.join(root, 'z-after', 'z.webp'));
    const locked = path.join(root, 'locked');
    await fsp.chmod(locked, 0o000);
    try {
      const bypassed = await fsp.opendir(locked).then(
        async (dir) => {
          await dir.close();
          return true;
        },
        () => false,
      );
      if (!bypassed) {
        const { files, problems } = await scanAll(root);
        expect(relativePaths(root, files)).toEqual([path.join('ok', 'x.jpg'), path.join('z-after', 'z.webp')]);
        expect(problems).toEqual([expect.objectContaining({ path: locked, code: 'EACCES', isRoot: false })]);
        return;
      }
      // Root reads any folder. Run the scan as an unprivileged user instead: a new user namespace
      // without a uid mapping makes the process "nobody" to the files here.
      const result = runUnprivileged(tmp, root);
      if (result === null) {
        console.warn('skipping unreadable-folder check: running as root, which reads chmod 000 folders, and `unshare -U` is unavailable');
        return;
      }
      expect(result.files.map((f) => path.relative(root, f)).sort()).toEqual([path.join('ok', 'x.jpg'), path.join('z-after', 'z.webp')]);
      expect(result.problems).toEqual([expect.objectContaining({ path: locked, code: 'EACCES', isRoot: false })]);
    } finally {
      await fsp.chmod(locked, 0o755);
    }
  });

  it('reports a missing root as a root problem and yields nothing', async () => {
    const missing = path.join(tmp, 'unplugged-drive');
    const { files, problems } = await scanAll(missing);
    expect(files).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ path: missing, code: 'ENOENT', isRoot: true })]);

    await writeText(path.join(tmp, 'file-root.txt'));
    const notFolder = await scanAll(path.join(tmp, 'file-root.txt'));
    expect(notFolder.problems).toEqual([expect.objectContaining({ code: 'ENOTDIR', isRoot: true })]);
  });

  it('stops with an AbortError when aborted, before or during the scan', async () => {
    const root = path.join(tmp, 'many');
    for (let d = 0; d < 10; d++) {
      for (let f = 0; f < 10; f++) await writeText(path.join(root, `d${d}`, `p${f}.jpg`), 'x');
    }
    const controller = new AbortController();
    const seen: string[] = [];
    const run = async (): Promise<void> => {
      for await (const file of scanFolder(root, { signal: controller.signal })) {
        seen.push(file.path);
        if (seen.length === 5) controller.abort();
      }
    };
    await expect(run()).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBe(5);

    const aborted = AbortSignal.abort();
    const first = scanFolder(root, { signal: aborted }).next();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
  });

  // Speed: `npm run bench -- library`.
  it('finds every photo of a few thousand in 50 folders, and nothing else', async () => {
    const root = path.join(tmp, 'big');
    let made = 0;
    for (let d = 0; d < 50; d++) {
      const dir = path.join(root, `y${2000 + (d % 10)}`, `album${d}`);
      await fsp.mkdir(dir, { recursive: true });
      await Promise.all(Array.from({ length: 60 }, (_, f) => fsp.writeFile(path.join(dir, `IMG_${f}.jpg`), 'x')));
      await fsp.writeFile(path.join(dir, 'notes.txt'), 'x');
      made += 60;
    }
    const found = new Set<string>();
    for await (const file of scanFolder(root)) {
      expect(file.size).toBe(1);
      found.add(file.path);
    }
    const count = found.size;
    expect([...found].every((p) => p.endsWith('.jpg'))).toBe(true);
    expect(count).toBe(made);
  });
});

/**
 * Runs scanFolder in a child process as an unprivileged user (`unshare -U` maps no uid, so the
 * child is the overflow user and root's files are judged by their "other" permission bits).
 * Returns null when user namespaces are unavailable.
 */
function runUnprivileged(tmpDir: string, root: string): { files: string[]; problems: ScanProblem[] } | null {
  const script = path.join(tmpDir, 'scan-child.mts');
  const scanner = path.join(repoRoot, 'electron', 'engine', 'library', 'scanner.ts');
  const source = `
import { scanFolder } from ${JSON.stringify(scanner)};
const files = [];
const problems = [];
for await (const file of scanFolder(process.argv[2], { onError: (p) => problems.push(p) })) files.push(file.path);
process.stdout.write(JSON.stringify({ uid: process.getuid(), files, problems }));
`;
  writeFileSync(script, source, { mode: 0o644 });
  spawnSync('chmod', ['-R', 'o+rX', tmpDir]);
  spawnSync('chmod', ['000', path.join(root, 'locked')]); // the locked folder stays locked for everyone
  const child = spawnSync('unshare', ['-U', process.execPath, '--import', 'tsx', script, root], {
    cwd: repoRoot, // where `--import tsx` is resolved
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.error || child.status !== 0) {
    console.warn(`unshare -U failed: ${child.error?.message ?? child.stderr}`);
    return null;
  }
  const parsed = JSON.parse(child.stdout) as { uid: number; files: string[]; problems: ScanProblem[] };
  expect(parsed.uid).not.toBe(0);
  return parsed;
}
