import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShoebox } from '../../support/run-cli';
import { hasShared, sharedPath, TOY_MODEL_DIR } from '../../support/shared-data';

/** `shoebox search | similar | describe` on a library indexed by the real CLI with the toy model. */

async function solid(file: string, rgb: [number, number, number], format: 'jpeg' | 'png' = 'jpeg'): Promise<void> {
  const image = sharp({ create: { width: 80, height: 60, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  await (format === 'png' ? image.png() : image.jpeg()).toFile(file);
}

type Hits = { path: string; score: number }[];

describe.skipIf(!hasShared('data/flickr8k-test1k/images', 'models/toy-color-clip'))('shoebox search, similar and describe', () => {
  let work: string;
  let photos: string;
  let data: string;
  const model = ['--data', '', '--model', TOY_MODEL_DIR];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'shoebox-cli-query-'));
    photos = path.join(work, 'photos');
    data = path.join(work, 'data');
    model[1] = data;
    await mkdir(photos);
    await solid(path.join(photos, 'red.jpg'), [220, 25, 30]);
    await solid(path.join(photos, 'green.png'), [30, 190, 50], 'png');
    await solid(path.join(photos, 'blue.jpg'), [30, 40, 215]);
    await solid(path.join(photos, 'yellow.jpg'), [240, 220, 30]);
    const flickr = (await readdir(sharedPath('data/flickr8k-test1k/images'))).sort().slice(0, 36);
    for (const name of flickr) await copyFile(sharedPath('data/flickr8k-test1k/images', name), path.join(photos, name));
    const indexed = await runShoebox(['index', photos, ...model, '--json'], { timeoutMs: 120_000 });
    expect(indexed.code, indexed.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('search prints [{path, score}] best first with --json', async () => {
    const result = await runShoebox(['search', 'blue', ...model, '--json', '--k', '5']);
    expect(result.code, result.stderr).toBe(0);
    const hits = JSON.parse(result.stdout) as Hits;
    expect(hits[0]!.path).toBe(path.join(photos, 'blue.jpg'));
    expect(hits.length).toBeLessThanOrEqual(5);
    expect(hits.map((h) => h.score)).toEqual(hits.map((h) => h.score).sort((a, b) => b - a));
  });

  it('search takes arithmetic, filters and a plain-text listing', async () => {
    const png = JSON.parse((await runShoebox(['search', 'red', ...model, '--json', '--format', 'png', '--all'])).stdout) as Hits;
    expect(png.map((h) => path.basename(h.path))).toEqual(['green.png']);
    const folder = JSON.parse((await runShoebox(['search', 'yellow -red', ...model, '--json', '--folder', photos])).stdout) as Hits;
    expect(path.basename(folder[0]!.path)).toBe('yellow.jpg');
    const plain = await runShoebox(['search', 'green', ...model]);
    expect(plain.stdout.split('\n')[0]).toMatch(/^\d\.\d{3} {2}.*green\.png$/);
    const strict = await runShoebox(['search', 'green', ...model, '--threshold', '0.9999']);
    expect(strict.code).toBe(0);
    expect(strict.stdout).toMatch(/no photo is a good match/);
  });

  it('similar: a library photo is left out of its own results; an outside image is not added', async () => {
    const own = JSON.parse((await runShoebox(['similar', path.join(photos, 'red.jpg'), ...model, '--json', '--all', '--no-group', '--k', '50'])).stdout) as Hits;
    expect(own.map((h) => h.path)).not.toContain(path.join(photos, 'red.jpg'));
    expect(own).toHaveLength(39);
    const outside = path.join(work, 'outside-yellow.jpg');
    await solid(outside, [245, 215, 40]);
    const result = await runShoebox(['similar', outside, ...model, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(path.basename((JSON.parse(result.stdout) as Hits)[0]!.path)).toBe('yellow.jpg');
    const status = JSON.parse((await runShoebox(['status', '--data', data, '--json'])).stdout) as { photos: number };
    expect(status.photos).toBe(40);
  });

  it('similar with a text modifier (composed query)', async () => {
    const result = await runShoebox(['similar', path.join(photos, 'red.jpg'), '--text', 'blue', '--text-weight', '0.9', ...model, '--json']);
    expect(path.basename((JSON.parse(result.stdout) as Hits)[0]!.path)).toBe('blue.jpg');
  });

  it('describe prints [{caption, probability}] for a library photo or an outside file', async () => {
    const result = await runShoebox(['describe', path.join(photos, 'green.png'), ...model, '--json', '--k', '3']);
    expect(result.code, result.stderr).toBe(0);
    const captions = JSON.parse(result.stdout) as { caption: string; probability: number }[];
    expect(captions).toHaveLength(3);
    expect(captions[0]!.caption).toMatch(/green/i);
    expect(captions[0]!.probability).toBeGreaterThanOrEqual(captions[2]!.probability);
    const outside = path.join(work, 'outside-blue.jpg');
    await solid(outside, [20, 40, 230]);
    const plain = await runShoebox(['describe', outside, ...model, '--k', '2']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.split('\n')[0]).toMatch(/^ *\d+\.\d% {2}.*blue/i);
  });

  it('past searches join the caption bank', async () => {
    await runShoebox(['search', 'a blue umbrella', ...model, '--json']);
    const result = await runShoebox(['describe', path.join(photos, 'blue.jpg'), ...model, '--json', '--k', '100']);
    const captions = JSON.parse(result.stdout) as { caption: string; source: string }[];
    expect(captions.find((c) => c.caption === 'a blue umbrella')?.source).toBe('query');
  });

  it('fails with one clear line', async () => {
    const none = await runShoebox(['search', 'red', '--data', path.join(work, 'nowhere'), '--model', TOY_MODEL_DIR]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/no Shoebox library/);
    const missing = await runShoebox(['similar', path.join(work, 'missing.jpg'), ...model]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
    const corrupt = await runShoebox(['similar', path.join(TOY_MODEL_DIR, 'README.md'), ...model]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/README\.md/);
    expect((await runShoebox(['search', ...model])).code).toBe(2);
    expect((await runShoebox(['search', 'red', '--sort', 'random', ...model])).code).toBe(2);
  });
});
