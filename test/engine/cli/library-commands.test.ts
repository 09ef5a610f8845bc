import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShoebox } from '../../support/run-cli';
import { hasShared, sharedPath, TOY_MODEL_DIR } from '../../support/shared-data';

interface StatusJson {
  photos: number;
  indexed: number;
  failed: number;
  queued: number;
  model: { id: string; status: string } | null;
  folders: { path: string; photos: number; indexed: number }[];
  failures: { path: string; reason: string }[];
}

describe.skipIf(!hasShared('data/captioned-8/images', 'models/toy-color-clip'))('shoebox index and status', () => {
  let work: string;
  let photos: string;
  let data: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'shoebox-cli-index-'));
    photos = path.join(work, 'photos');
    data = path.join(work, 'data');
    await mkdir(path.join(photos, 'nested'), { recursive: true });
    const source = sharedPath('data/captioned-8/images');
    for (const [i, name] of (await readdir(source)).entries()) {
      await copyFile(path.join(source, name), path.join(photos, i % 2 ? 'nested' : '', name));
    }
    await writeFile(path.join(photos, 'not-a-photo.jpg'), 'plain text pretending to be a JPEG');
    await writeFile(path.join(photos, 'notes.txt'), 'ignored: not a photo extension');
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('indexes a folder and exits, recording a bad file as a failure with its reason', async () => {
    const result = await runShoebox(['index', photos, '--data', data, '--model', TOY_MODEL_DIR, '--json'], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { complete: boolean; photos: number; indexed: number; failed: number; failures: { path: string; reason: string }[] };
    expect(summary).toMatchObject({ complete: true, photos: 9, indexed: 8, failed: 1 });
    expect(summary.failures[0]!.path).toBe(path.join(photos, 'not-a-photo.jpg'));
    expect(summary.failures[0]!.reason).toMatch(/not an image/);
  });

  it('prints counts, folders and failures with `status --json`', async () => {
    const result = await runShoebox(['status', '--data', data, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as StatusJson;
    expect(status).toMatchObject({ photos: 9, indexed: 8, failed: 1, queued: 0 });
    expect(status.model).toMatchObject({ status: 'complete' });
    expect(status.model!.id).toMatch(/^toy-color-clip@[0-9a-f]{16}$/);
    expect(status.folders).toEqual([expect.objectContaining({ path: photos, photos: 9, indexed: 8 })]);
    expect(status.failures).toHaveLength(1);
  });

  it('picks up only what changed when run again', async () => {
    await copyFile(sharedPath('data/captioned-8/images/coffee.png'), path.join(photos, 'coffee-copy.png'));
    const result = await runShoebox(['index', photos, '--data', data, '--model', TOY_MODEL_DIR, '--json'], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ photos: 10, indexed: 9, failed: 1, queued: 0 });
  });

  it('explains a missing model and an empty data folder in one line', async () => {
    const noModel = await runShoebox(['index', photos, '--data', path.join(work, 'fresh'), '--model', 'clip-vit-b32']);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr.trim().split('\n')).toHaveLength(1);
    expect(noModel.stderr).toMatch(/not available.*shoebox models download clip-vit-b32/);
    const noLibrary = await runShoebox(['status', '--data', path.join(work, 'nothing-here')]);
    expect(noLibrary.code).toBe(1);
    expect(noLibrary.stderr).toMatch(/no Shoebox library/);
    const noFolder = await runShoebox(['index', path.join(work, 'missing'), '--data', data, '--model', TOY_MODEL_DIR]);
    expect(noFolder.code).toBe(1);
    expect(noFolder.stderr.trim().split('\n')).toHaveLength(1);
  });
});
