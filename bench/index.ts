import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClipModel } from '../electron/engine/clip/clip-model';
import { modelImageInput, prepareImage } from '../electron/engine/clip/preprocess';
import { SharpPhotoDecoder } from '../electron/engine/media/photo-decoder';
import { ThumbnailStore } from '../electron/engine/media/thumbnails';
import { startEngine } from '../electron/engine/start-engine';
import type { BenchOptions } from './clip';
import { flickrImages, twelveMegapixelJpegs } from './clip';
import { BenchReport, benchModelDir, cacheDir, median, repoRoot, sharedRoot, timeRuns } from './lib';

const BATCH = 16;

/** A folder holding the first `count` Flickr8k photos (copied once; the full set is used in place). */
function flickrFolder(count: number): string {
  const all = flickrImages();
  if (count >= all.length) return path.dirname(all[0]!);
  const dir = path.join(cacheDir, `bench-flickr-${count}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    for (const file of all.slice(0, count)) copyFileSync(file, path.join(dir, path.basename(file)));
  }
  return dir;
}

async function encoderOnly(model: ClipModel, files: readonly string[], runs: number): Promise<number> {
  const images = await Promise.all(files.slice(0, 2 * BATCH).map((f) => prepareImage(f, model.preprocess)));
  const times = await timeRuns(async () => {
    for (let i = 0; i < images.length; i += BATCH) await model.embedImages(images.slice(i, i + BATCH));
  }, runs, 1);
  return images.length / (median(times) / 1000);
}

async function decodeOnly(model: ClipModel, files: readonly string[]): Promise<number> {
  const thumbs = mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-thumbs-'));
  try {
    const decoder = new SharpPhotoDecoder({ modelInput: modelImageInput(model.preprocess), thumbnails: new ThumbnailStore(thumbs) });
    const concurrency = os.availableParallelism();
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < files.length) await decoder.decode(files[next++]!);
      }),
    );
    return files.length / ((performance.now() - start) / 1000);
  } finally {
    rmSync(thumbs, { recursive: true, force: true });
  }
}

interface ChildResult {
  seconds: number;
  indexed: number;
  failed: number;
  peakRssBytes: number;
}

/** The whole product path (scan, decode, thumbnails, inference, catalog writes) in a fresh process. */
function pipelineRun(folder: string, modelDir: string): ChildResult {
  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  const output = execFileSync(tsx, [path.join(repoRoot, 'bench', 'index-child.ts'), folder, modelDir, String(BATCH)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = output.trim().split('\n').at(-1)!;
  return JSON.parse(line) as ChildResult;
}

export async function benchIndex(options: BenchOptions): Promise<BenchReport> {
  const report = new BenchReport('index');
  const flickrCount = options.quick ? 200 : 1000;
  const flickr = flickrFolder(flickrCount);
  const flickrFiles = readdirSync(flickr).map((f) => path.join(flickr, f));
  const big = await twelveMegapixelJpegs(options.quick ? 16 : 48);
  const bigFolder = path.dirname(big[0]!);
  console.log(`\n== indexing pipeline (batch ${BATCH}, ${os.availableParallelism()} cores; ViT-B/32-shaped random weights) ==`);

  for (const precision of ['fp32', 'int8'] as const) {
    const modelDir = benchModelDir(precision);
    const model = await ClipModel.open(modelDir, { provider: 'cpu' });
    const encoder = await encoderOnly(model, flickrFiles, options.quick ? 2 : 4);
    const decodeFlickr = await decodeOnly(model, flickrFiles);
    const decodeBig = await decodeOnly(model, big);
    await model.dispose();

    const encoderRow = report.add({ name: `${precision} encoder only`, median: encoder, unit: 'img/s' });
    report.add({ name: `${precision} decode only, Flickr8k`, median: decodeFlickr, unit: 'img/s' });
    const flickrRun = pipelineRun(flickr, modelDir);
    report.compare(
      {
        name: `${precision} pipeline, Flickr8k x${flickrRun.indexed}`,
        median: flickrRun.indexed / flickrRun.seconds,
        unit: 'img/s',
        detail: 'target >= 0.85',
      },
      encoderRow,
    );
    const bound = 1 / (1 / encoder + 1 / decodeBig);
    report.add({ name: `${precision} decode only, 12 MP`, median: decodeBig, unit: 'img/s' });
    const boundRow = { name: '1/(1/encoder + 1/decode)', median: bound, unit: 'img/s' };
    const bigRun = pipelineRun(bigFolder, modelDir);
    report.compare(
      { name: `${precision} pipeline, 12 MP x${bigRun.indexed}`, median: bigRun.indexed / bigRun.seconds, unit: 'img/s', detail: 'target >= 0.85' },
      boundRow,
    );
    if (precision === 'fp32') {
      const vision = statSync(path.join(modelDir, 'vision_model.onnx')).size;
      const budget = vision + 400 * 1024 * 1024;
      report.compare(
        {
          name: `peak RSS indexing ${flickrRun.indexed} photos`,
          median: flickrRun.peakRssBytes / 1048576,
          unit: 'MiB',
          detail: `budget = image model ${Math.round(vision / 1048576)} MiB + 400 MiB; target <= 1.00`,
        },
        { name: 'budget', median: budget / 1048576, unit: 'MiB' },
      );
    }
  }

  // Time from a photo landing in a watched folder to its vector being in the catalog (toy model).
  const toy = path.join(sharedRoot, 'models', 'toy-color-clip');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-watch-'));
  const library = path.join(dataDir, 'photos');
  mkdirSync(library);
  const engine = await startEngine({ mode: 'cli', dataDir, model: toy, provider: 'cpu', watch: true });
  try {
    await engine.modelReady;
    await engine.library.addFolder(library);
    await engine.library.idle();
    const latencies: number[] = [];
    const samples = options.quick ? 5 : 15;
    for (let i = 0; i < samples; i++) {
      const target = path.join(library, `landed-${i}.jpg`);
      copyFileSync(flickrFiles[i]!, target);
      const landed = performance.now();
      for (;;) {
        if (engine.catalog.photos.getByPath(target)?.state === 'indexed') break;
        if (performance.now() - landed > 10_000) throw new Error(`${target} was not indexed within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      latencies.push(performance.now() - landed);
    }
    report.add({
      name: `watch: landed -> searchable (toy model, n=${samples})`,
      median: median(latencies),
      unit: 'ms',
      detail: `max ${Math.max(...latencies).toFixed(0)} ms; target <= 1000`,
    });
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return report;
}
