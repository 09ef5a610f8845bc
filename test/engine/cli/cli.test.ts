import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meanAbsDiff } from '../../support/math';
import { runShoebox } from '../../support/run-cli';
import { hasShared, sharedPath, TOY_MODEL_DIR } from '../../support/shared-data';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'shoebox-cli-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('shoebox command line', () => {
  it('lists its commands, and rejects an unknown one with a one-line reason and exit code 2', async () => {
    const help = await runShoebox(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['tokenize', 'preprocess', 'embed', 'models']) expect(help.stdout).toContain(name);
    const unknown = await runShoebox(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('rejects unknown options with the usage line', async () => {
    const result = await runShoebox(['tokenize', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--bogus.*usage: shoebox tokenize/);
  });
});

describe.skipIf(!hasShared('reference/tokenizer-ids.json'))('shoebox tokenize', () => {
  it('prints the reference ids for each line of standard input', async () => {
    const reference = JSON.parse(await readFile(sharedPath('reference/tokenizer-ids.json'), 'utf8')) as { text: string; ids: number[] }[];
    // Only entries without line breaks inside them: a line-oriented command cannot carry those.
    const lineBreaks = ['\r', '\n', '\u2028', '\u2029', '\u0085', '\v', '\f', '\u001c', '\u001d', '\u001e'];
    const cases = reference.filter((e) => !lineBreaks.some((c) => e.text.includes(c))).slice(0, 40);
    expect(cases.length).toBeGreaterThan(10);
    const result = await runShoebox(['tokenize'], { stdin: cases.map((c) => c.text).join('\n') + '\n' });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as number[]);
    expect(lines).toEqual(cases.map((c) => c.ids));
  });

  it('prints one JSON document with --json', async () => {
    const result = await runShoebox(['tokenize', '--json'], { stdin: 'a red photo\n' });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ text: 'a red photo', ids: [49406, 320, 736, 1125, 49407] }]);
  });
});

describe.skipIf(!hasShared('reference/preprocess/index.json'))('shoebox preprocess', () => {
  it("writes the reference crop of a photo (within 2 levels on average)", async () => {
    const index = JSON.parse(await readFile(sharedPath('reference/preprocess/index.json'), 'utf8')) as { original: string; crop: string }[];
    const { original, crop } = index[0]!;
    const out = path.join(work, 'crop.png');
    const result = await runShoebox(['preprocess', sharedPath('reference/preprocess', original), out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ output: out, size: 224 });
    const mine = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    const theirs = await sharp(sharedPath('reference/preprocess', crop)).removeAlpha().raw().toBuffer();
    expect(mine.info).toMatchObject({ width: 224, height: 224, channels: 3 });
    expect(meanAbsDiff(mine.data, theirs)).toBeLessThanOrEqual(2);
  });

  it('fails with exit code 1 and one clear line on a file that is not an image', async () => {
    const bogus = path.join(work, 'notes.jpg');
    await writeFile(bogus, 'this is a text file with an image extension');
    const result = await runShoebox(['preprocess', bogus, path.join(work, 'x.png')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^shoebox: /);
  });
});

describe.skipIf(!hasShared('models/toy-color-clip'))('shoebox embed', () => {
  it('scores a red picture highest against a red query', async () => {
    const red = path.join(work, 'red.png');
    const blue = path.join(work, 'blue.png');
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#d91a1a' } }).png().toFile(red);
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#1a40d9' } }).png().toFile(blue);
    const result = await runShoebox(['embed', '--model', TOY_MODEL_DIR, '--text', 'a red photo', '--image', red, '--image', blue, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as { similarity: number[][]; items: { kind: string }[]; model: { vision: { provider: string } } };
    expect(output.items.map((i) => i.kind)).toEqual(['text', 'image', 'image']);
    expect(output.similarity[0]![1]).toBeGreaterThan(output.similarity[0]![2]!);
    expect(output.model.vision.provider).toBe('cpu');
  });

  it('explains an unknown model id instead of crashing', async () => {
    const result = await runShoebox(['embed', '--model', 'no-such-model', '--text', 'red', '--data', work]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/no-such-model/);
  });
});
