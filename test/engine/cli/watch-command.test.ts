import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, hasShared, sharedPath, TOY_MODEL_DIR } from '../../support/shared-data';

describe.skipIf(!hasShared('data/captioned-8/images', 'models/toy-color-clip'))('shoebox watch', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'shoebox-cli-watch-'));
    await mkdir(path.join(work, 'photos'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('indexes a photo copied into the watched folder, and stops cleanly on SIGINT', async () => {
    const photos = path.join(work, 'photos');
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin/shoebox.js'), 'watch', photos, '--data', path.join(work, 'data'), '--model', TOY_MODEL_DIR, '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const indexed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress event showed the photo indexed\n${stdout}\n${stderr}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const done = stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { event: string; payload: { indexed?: number; pending?: number } })
          .some((e) => e.event === 'indexing.progress' && e.payload.indexed === 1 && e.payload.pending === 0);
        if (done) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // Give the watcher a moment to start, then drop a photo in as a camera import would.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await copyFile(sharedPath('data/captioned-8/images/rocket.jpg'), path.join(photos, 'rocket.jpg'));
    await indexed;
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
