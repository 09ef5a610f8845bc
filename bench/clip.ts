import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ClipModel } from '../electron/engine/clip/clip-model';
import { CLIP_DEFAULT_PREPROCESS } from '../electron/engine/clip/preprocess-config';
import { prepareImage, type PreparedImage } from '../electron/engine/clip/preprocess';
import { ClipTokenizer } from '../electron/engine/clip/tokenizer';
import { BenchReport, benchModelDir, cacheDir, median, sharedRoot, timeRuns } from './lib';

export interface BenchOptions {
  quick: boolean;
}

const flickrDir = path.join(sharedRoot, 'data', 'flickr8k-test1k');

function flickrCaptions(): string[] {
  const lines = readFileSync(path.join(flickrDir, 'test_captions.jsonl'), 'utf8').trim().split('\n');
  return lines.flatMap((line) => (JSON.parse(line) as { captions: string[] }).captions);
}

export function flickrImages(limit = Infinity): string[] {
  const dir = path.join(flickrDir, 'images');
  return readdirSync(dir)
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .slice(0, limit)
    .map((f) => path.join(dir, f));
}

/** 12-megapixel (4000x3000) camera-like JPEGs made from real photos, cached between runs. */
export async function twelveMegapixelJpegs(count: number): Promise<string[]> {
  const dir = path.join(cacheDir, 'bench-images-12mp');
  mkdirSync(dir, { recursive: true });
  const sources = flickrImages(count);
  const files: string[] = [];
  for (const [i, source] of sources.entries()) {
    const file = path.join(dir, `photo-${i}.jpg`);
    if (!existsSync(file)) {
      // Upscaled photo plus mild noise so the JPEG carries camera-like detail and entropy (~3-5 MB).
      const upscaled = await sharp(source).resize(4000, 3000, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
      const data = upscaled.data;
      let seed = i + 1;
      for (let p = 0; p < data.length; p++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        data[p] = Math.max(0, Math.min(255, data[p]! + ((seed >> 16) % 9) - 4));
      }
      await sharp(data, { raw: upscaled.info }).jpeg({ quality: 90 }).toFile(file);
    }
    files.push(file);
  }
  return files;
}

export async function benchTokenizer(options: BenchOptions): Promise<BenchReport> {
  const report = new BenchReport('tokenizer');
  console.log('\n== tokenizer (Flickr8k captions) ==');
  const captions = flickrCaptions();
  const cold = ClipTokenizer.loadSync();
  const start = performance.now();
  for (const caption of captions) cold.encode(caption);
  const coldRate = captions.length / ((performance.now() - start) / 1000);
  const coldRow = report.add({ name: `encode, cold BPE cache (${captions.length} captions)`, median: coldRate, unit: 'str/s' });
  const runs = await timeRuns(() => {
    for (const caption of captions) cold.encode(caption);
  }, options.quick ? 3 : 7);
  report.compare({ name: 'encode, warm BPE cache', median: captions.length / (median(runs) / 1000), unit: 'str/s' }, coldRow);
  const batchRuns = await timeRuns(() => cold.encodeBatch(captions, 77), options.quick ? 3 : 7);
  report.add({ name: 'encodeBatch to int64 [N,77]', median: captions.length / (median(batchRuns) / 1000), unit: 'str/s' });
  return report;
}

async function preprocessRate(files: readonly string[], concurrency: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) await prepareImage(files[next++]!, CLIP_DEFAULT_PREPROCESS);
    }),
  );
  return files.length / ((performance.now() - start) / 1000);
}

export async function benchPreprocess(options: BenchOptions): Promise<BenchReport> {
  const report = new BenchReport('preprocess');
  const cores = os.availableParallelism();
  console.log(`\n== preprocessing (decode, orient, resize, crop; ${cores} cores) ==`);
  const flickr = flickrImages(options.quick ? 200 : 1000);
  await preprocessRate(flickr.slice(0, 20), 1);
  const runs = options.quick ? 1 : 3;
  const single: number[] = [];
  const parallel: number[] = [];
  for (let i = 0; i < runs; i++) {
    single.push(await preprocessRate(flickr, 1));
    parallel.push(await preprocessRate(flickr, cores * 2));
  }
  const flickrOne = report.add({ name: `Flickr8k ${flickr.length} photos, 1 at a time`, median: median(single), unit: 'img/s' });
  report.compare({ name: `Flickr8k, ${cores * 2} in flight`, median: median(parallel), unit: 'img/s' }, flickrOne);

  const big = await twelveMegapixelJpegs(options.quick ? 6 : 16);
  await preprocessRate(big.slice(0, 2), 1);
  const bigSingle: number[] = [];
  const bigParallel: number[] = [];
  for (let i = 0; i < runs; i++) {
    bigSingle.push(await preprocessRate(big, 1));
    bigParallel.push(await preprocessRate(big, cores * 2));
  }
  const bigOne = report.add({ name: `12 MP JPEG x${big.length}, 1 at a time`, median: median(bigSingle), unit: 'img/s' });
  report.compare({ name: `12 MP JPEG, ${cores * 2} in flight`, median: median(bigParallel), unit: 'img/s' }, bigOne);
  return report;
}

function randomImages(count: number, size: number): PreparedImage[] {
  return Array.from({ length: count }, (_, i) => {
    const pixels = new Uint8Array(size * size * 3);
    let seed = i + 7;
    for (let p = 0; p < pixels.length; p++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      pixels[p] = seed >> 23;
    }
    return { pixels, size, sourceWidth: size, sourceHeight: size, format: 'raw' };
  });
}

export async function benchEncoders(options: BenchOptions): Promise<BenchReport> {
  const report = new BenchReport('encoder');
  console.log(`\n== CLIP ViT-B/32-shaped encoders (random weights, CPU, ${os.availableParallelism()} threads) ==`);
  const captions = flickrCaptions().slice(0, 64);
  const batches = [1, 8, 32];
  const fp32Rows = new Map<string, number>();
  for (const precision of ['fp32', 'int8'] as const) {
    const model = await ClipModel.open(benchModelDir(precision), { provider: 'cpu' });
    const images = randomImages(32, model.preprocess.size);
    let batchOne = 0;
    for (const batch of batches) {
      const runs = options.quick ? 3 : batch === 32 ? 5 : 9;
      const times = await timeRuns(() => model.embedImages(images.slice(0, batch)), runs, 2);
      const rate = batch / (median(times) / 1000);
      if (batch === 1) batchOne = rate;
      const name = `image ${precision} batch ${batch}`;
      const fp32 = fp32Rows.get(`image-${batch}`);
      if (precision === 'fp32') fp32Rows.set(`image-${batch}`, rate);
      report.add({
        name,
        median: rate,
        unit: 'img/s',
        ...(fp32 !== undefined
          ? { ratio: rate / fp32, baseline: `fp32 batch ${batch}` }
          : batch > 1
            ? { ratio: rate / batchOne, baseline: 'batch 1' }
            : {}),
      });
    }
    let i = 0;
    const times = await timeRuns(() => model.embedTexts([captions[i++ % captions.length]!]), options.quick ? 10 : 40, 3);
    const fp32Text = fp32Rows.get('text');
    if (precision === 'fp32') fp32Rows.set('text', median(times));
    report.add({
      name: `text query latency ${precision} (77 tokens)`,
      median: median(times),
      unit: 'ms',
      ...(fp32Text !== undefined ? { ratio: median(times) / fp32Text, baseline: 'fp32' } : {}),
    });
    await model.dispose();
  }
  return report;
}
