import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipModel } from '../../../electron/engine/clip/clip-model';
import { CliError, type CliContext } from '../../../electron/engine/cli/command';
import { evalCommand } from '../../../electron/engine/cli/commands/eval';
import { loadFlickr8k, loadLabelledFolders, type JudgedPair, type Judgements } from '../../../electron/engine/eval/datasets';
import { ensemble, evaluate, judgedNdcg, scoreMatrix, type EvalProgress, type EvalResult } from '../../../electron/engine/eval/evaluate';
import type { RetrievalMetrics } from '../../../electron/engine/eval/metrics';
import { runShoebox } from '../../support/run-cli';
import { hasShared, sharedPath, TOY_MODEL_DIR } from '../../support/shared-data';

const FLICKR = 'data/flickr8k-test1k';
const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'] as const;

function expectConsistent(metrics: RetrievalMetrics, queries: number): void {
  expect(metrics.queries).toBe(queries);
  for (const value of [metrics.recallAt1, metrics.recallAt5, metrics.recallAt10, metrics.mrr]) {
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
  }
  expect(metrics.recallAt1).toBeLessThanOrEqual(metrics.recallAt5);
  expect(metrics.recallAt5).toBeLessThanOrEqual(metrics.recallAt10);
  // MRR >= R@1 (every hit at rank 1 contributes 1) and MRR <= R@10 + 1/11 (a miss at 10 contributes under 1/11).
  expect(metrics.mrr).toBeGreaterThanOrEqual(metrics.recallAt1);
  expect(metrics.mrr).toBeLessThanOrEqual(metrics.recallAt10 + 1 / 11);
}

/** A command context whose output is collected in strings. */
function commandContext(positionals: string[], values: CliContext['values']): { context: CliContext; stdout: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const context: CliContext = {
    positionals,
    values,
    json: values.json === true,
    stdin: new PassThrough(),
    stdout,
    stderr: new PassThrough().resume(),
  };
  return { context, stdout: () => text };
}

describe('score matrix and prompt ensembling', () => {
  it('blocked dot products equal the plain ones, for sizes that do not fill the blocks', () => {
    const dim = 3;
    const rows = Float32Array.from({ length: 7 * dim }, (_, i) => Math.sin(i));
    const cols = Float32Array.from({ length: 5 * dim }, (_, i) => Math.cos(i * 1.3));
    const scores = scoreMatrix(rows, cols, dim);
    expect(scores).toHaveLength(35);
    for (let r = 0; r < 7; r++) {
      for (let c = 0; c < 5; c++) {
        let sum = 0;
        for (let d = 0; d < dim; d++) sum += rows[r * dim + d]! * cols[c * dim + d]!;
        expect(scores[r * 5 + c]).toBe(Math.fround(sum));
      }
    }
  });

  it('averages each class prompts and normalises again', () => {
    // Class 0: (1,0) and (0,1) -> mean (0.5,0.5) -> (0.7071, 0.7071); class 1: (1,0) twice -> (1,0).
    const classes = ensemble([Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(1, 0), Float32Array.of(1, 0)], 2);
    expect(Array.from(classes[0]!)).toEqual([Math.fround(Math.SQRT1_2), Math.fround(Math.SQRT1_2)]);
    expect(Array.from(classes[1]!)).toEqual([1, 0]);
  });

  it('scores graded judgements on the judged pairs only', () => {
    // Image 0 judged against captions 0 (grade 3), 1 (grade 0) and 2 (grade 1); the model scores them 0.2, 0.9, 0.5.
    // Ranked captions 1, 2, 0 -> grades 0, 1, 3: DCG = 0 + 1/log2(3) + 3/log2(4) = 0.6309298 + 1.5 = 2.1309298;
    // IDCG = 3 + 1/log2(3) = 3.6309298; nDCG = 0.5868827. Caption 0 is judged against image 0 only: too short to rank.
    const pairs: JudgedPair[] = [
      { image: 0, caption: 0, relevance: 3 },
      { image: 0, caption: 1, relevance: 0 },
      { image: 0, caption: 2, relevance: 1 },
    ];
    const judgements: Judgements = { source: 'expert', file: 'x', scale: 'test', pairs, unmatched: 0 };
    const scores = [0.2, 0.9, 0.5];
    const result = judgedNdcg(judgements, (_image, caption) => scores[caption]!);
    expect(result.imageToText.queries).toBe(1);
    expect(result.imageToText.mean).toBeCloseTo(0.5868827, 6);
    expect(result.textToImage).toEqual({ mean: null, queries: 0 });
  });
});

describe.skipIf(!hasShared('models/toy-color-clip'))('evaluate with the toy colour model', () => {
  let model: ClipModel;
  let work: string;
  let colours: string;

  beforeAll(async () => {
    model = await ClipModel.open(TOY_MODEL_DIR, { provider: 'cpu' });
    work = await mkdtemp(path.join(os.tmpdir(), 'shoebox-eval-'));
    colours = path.join(work, 'colours');
    // Solid images in the colours the toy model knows (its own prototypes), three sizes and formats per class.
    const params = JSON.parse(await readFile(path.join(TOY_MODEL_DIR, 'toy_params.json'), 'utf8')) as { colours: string[]; prototypes_rgb: number[][] };
    for (const colour of COLOURS) {
      const [r, g, b] = params.prototypes_rgb[params.colours.indexOf(colour)]!.map((v) => Math.round(v * 255));
      await mkdir(path.join(colours, colour), { recursive: true });
      const sizes = [[320, 240, 'jpg'], [200, 300, 'png'], [256, 256, 'webp']] as const;
      for (const [n, [width, height, format]] of sizes.entries()) {
        await sharp({ create: { width, height, channels: 3, background: { r: r!, g: g!, b: b! } } })
          .toFormat(format === 'jpg' ? 'jpeg' : format)
          .toFile(path.join(colours, colour, `${n}.${format}`));
      }
    }
  });

  afterAll(async () => {
    await model?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('classifies solid colour photos by colour name with top-1 accuracy 1.0', async () => {
    const dataset = await loadLabelledFolders(colours);
    const phases = new Set<EvalProgress['phase']>();
    const result = await evaluate(model, dataset, { imageBatch: 4, onProgress: (p) => phases.add(p.phase) });
    expect(result.zeroShot).toEqual({ top1: 1, top5: 1 });
    expect(result.imageToText).toMatchObject({ recallAt1: 1, mrr: 1, queries: 18 });
    // Each class prompt finds one of its own three images first.
    expect(result.textToImage).toMatchObject({ recallAt1: 1, mrr: 1, queries: 6 });
    expect(result.counts).toEqual({ images: 18, texts: 6 * 80, classes: 6, templates: 80, dim: 512 });
    expect(result.dataset).toEqual({ kind: 'labelled-folders', dir: colours, name: 'colours' });
    expect(result.model).toMatchObject({ dir: TOY_MODEL_DIR, fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) as string, provider: 'cpu' });
    expect([...phases]).toEqual(['images', 'texts', 'scoring']);
  });

  it('runs as the eval command, as JSON and as a table, and names a bad folder in one line', async () => {
    const json = commandContext([colours], { model: TOY_MODEL_DIR, provider: 'cpu', json: true });
    expect(await evalCommand.run(json.context)).toBe(0);
    const result = JSON.parse(json.stdout()) as EvalResult;
    expect(result.zeroShot).toEqual({ top1: 1, top5: 1 });

    const table = commandContext([colours], { model: TOY_MODEL_DIR, provider: 'cpu', limit: '6' });
    expect(await evalCommand.run(table.context)).toBe(0);
    expect(table.stdout()).toContain('6 images, 6 classes x 80 prompt templates');
    expect(table.stdout()).toContain('zero-shot accuracy: top-1 100.0%, top-5 100.0%');
    expect(table.stdout()).toMatch(/class->image\s+100\.0\s+100\.0\s+100\.0\s+100\.0\s+6\n/);

    const bad = commandContext([work], { model: TOY_MODEL_DIR });
    const error = await evalCommand.run(bad.context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(1);
    // `work` holds only the colours/ folder, whose images are one level too deep.
    expect((error as CliError).message).toMatch(/is not an evaluation dataset/);
    expect((error as CliError).message).not.toContain('\n');
    const noLimit = commandContext([colours], { model: TOY_MODEL_DIR, limit: '0' });
    await expect(evalCommand.run(noLimit.context)).rejects.toThrow(/--limit must be a positive whole number/);
  });

  describe.skipIf(!hasShared(FLICKR))('on Flickr8k', () => {
    it('gives consistent numbers on a 100-image subset, whatever the batch sizes', async () => {
      const dataset = await loadFlickr8k(sharedPath(FLICKR), { limit: 100 });
      const result = await evaluate(model, dataset);
      expect(result.counts).toEqual({ images: 100, texts: 500, dim: 512 });
      expectConsistent(result.textToImage, 500);
      expectConsistent(result.imageToText, 100);
      expect(result.ndcg10?.map((n) => n.source)).toEqual(['expert', 'crowdflower']);
      for (const n of result.ndcg10!) {
        expect(n.gain).toBe('linear');
        for (const s of [n.imageToText, n.textToImage]) {
          expect(s.queries).toBeGreaterThan(0);
          expect(s.mean).toBeGreaterThan(0);
          expect(s.mean).toBeLessThanOrEqual(1);
        }
      }
      expect(result.seconds.total).toBeGreaterThan(0);
      // Different batching and decoding concurrency must not change a single number.
      const again = await evaluate(model, dataset, { imageBatch: 7, textBatch: 33, decodeConcurrency: 1 });
      expect(again.textToImage).toEqual(result.textToImage);
      expect(again.imageToText).toEqual(result.imageToText);
      expect(again.ndcg10).toEqual(result.ndcg10);
    });

    it('runs through the real shoebox executable with --limit 50', async (context) => {
      const help = await runShoebox(['--help']);
      if (!/^\s+eval\s/m.test(help.stdout)) {
        console.warn("skipping: the bundled shoebox does not list 'eval' yet (register evalCommand in electron/engine/cli/commands/index.ts)");
        context.skip();
      }
      const run = await runShoebox(['eval', sharedPath(FLICKR), '--model', TOY_MODEL_DIR, '--limit', '50', '--provider', 'cpu', '--json']);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as EvalResult;
      expect(result.dataset.kind).toBe('flickr8k');
      expect(result.counts).toMatchObject({ images: 50, texts: 250 });
      expectConsistent(result.textToImage, 250);
      expectConsistent(result.imageToText, 50);

      const table = await runShoebox(['eval', sharedPath(FLICKR), '--model', TOY_MODEL_DIR, '--limit', '50', '--provider', 'cpu']);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(/text->image\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+250\n/);
      expect(table.stdout).toContain('nDCG@10, expert judgements');

      const bad = await runShoebox(['eval', path.join(work, 'nowhere'), '--model', TOY_MODEL_DIR]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/no such folder/);
    });
  });
});
