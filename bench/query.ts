// `npm run bench -- query`: end-to-end text query latency (tokenize + text encoder + vector search + cut-off +
// metadata join) through SearchService, warm, on a 100k-photo catalog with the random-weight ViT-B/32 int8 text graph.
// Baseline in the same run: the same pipeline with sqlite-vec's vec0 brute-force KNN instead of the vector index.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Catalog } from '../electron/engine/catalog/catalog';
import { ClipModel } from '../electron/engine/clip/clip-model';
import { SearchService } from '../electron/engine/search/search-service';
import { DEFAULT_THRESHOLD } from '../electron/engine/settings/settings-service';
import type { BenchOptions } from './clip';
import { BenchReport, benchModelDir, cacheDir, median, percentile } from './lib';
import { clipLike } from './search';

const MODEL_ID = 'bench-vit-b-32-int8@random';
const DIM = 512;
const WORDS = [
  'beach', 'sunset', 'dog', 'cat', 'mountain', 'snow', 'city', 'night', 'birthday', 'cake', 'wedding', 'car', 'train',
  'forest', 'lake', 'boat', 'flowers', 'garden', 'kitchen', 'receipt', 'screenshot', 'children', 'football', 'concert',
  'museum', 'bridge', 'rain', 'fog', 'desert', 'horse', 'bird', 'pizza', 'coffee', 'books', 'laptop', 'baby', 'selfie',
];

/** A catalog of `n` indexed photos with CLIP-like vectors, cached under .cache (built once, ~1 min at 100k). */
export function benchCatalog(n: number): string {
  const dir = path.join(cacheDir, 'bench-query', `${n}`);
  const file = path.join(dir, 'catalog.sqlite');
  if (existsSync(path.join(dir, 'complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`building a ${n}-photo catalog in ${dir} ...`);
  const catalog = Catalog.open(file);
  const folder = catalog.folders.add('/bench/Pictures');
  catalog.embeddings.ensureModel(MODEL_ID, DIM);
  const vectors = clipLike(DIM, 7).images(n, 11);
  const insert = catalog.db.prepare(
    `INSERT INTO photos (folder_id, path, size, mtime_ms, content_hash, width, height, taken_at, format, state, embedded_model, added_at, updated_at)
     VALUES (?, ?, 1000000, ?, ?, 4032, 3024, ?, 'jpeg', 'indexed', ?, 0, 0)`,
  );
  const chunk = 5000;
  for (let start = 0; start < n; start += chunk) {
    catalog.transaction(() => {
      const entries = [];
      for (let i = start; i < Math.min(n, start + chunk); i++) {
        const day = new Date(Date.UTC(2010, 0, 1) + (i % 5000) * 86_400_000).toISOString().slice(0, 19);
        const id = Number(insert.run(folder.id, `/bench/Pictures/${String(i).padStart(7, '0')}.jpg`, i, `h${i}`, day, MODEL_ID).lastInsertRowid);
        entries.push({ photoId: id, vector: vectors.subarray(i * DIM, (i + 1) * DIM) });
      }
      catalog.embeddings.putMany(MODEL_ID, entries);
    });
  }
  catalog.embeddings.markComplete(MODEL_ID);
  catalog.close();
  rmSync(path.join(dir, 'search'), { recursive: true, force: true });
  // Marker last: an interrupted build is redone.
  writeFileSync(path.join(dir, 'complete'), '');
  return dir;
}

export async function benchQuery(options: BenchOptions): Promise<BenchReport> {
  const report = new BenchReport('query');
  const n = 100_000;
  console.log(`\nquery: end-to-end text query, ${n} photos, ViT-B/32-shaped int8 text graph (random weights)`);
  const dir = benchCatalog(n);
  const catalog = Catalog.open(path.join(dir, 'catalog.sqlite'));
  const model = await ClipModel.open(benchModelDir('int8'));
  const settings = { threshold: DEFAULT_THRESHOLD, textFusion: true, diversify: false, groupDuplicates: true, provider: 'cpu' as const, threads: 0, model: 'bench' };
  const search = new SearchService({ catalog, model, modelId: MODEL_ID, dim: DIM, cacheDir: path.join(dir, 'search'), settings: () => settings });
  const opened = performance.now();
  await search.warmUp();
  console.log(`  index ready in ${((performance.now() - opened) / 1000).toFixed(1)} s (first run builds it, later runs load the cache)`);

  const runs = options.quick ? 30 : 100;
  // Every query is new text, so the text cache never answers: each run pays for the text encoder.
  const texts = Array.from({ length: runs + 5 }, (_, i) => `${WORDS[i % WORDS.length]} ${WORDS[(i * 7 + 3) % WORDS.length]} ${i}`);
  for (const text of texts.slice(0, 5)) await search.search({ text, limit: 50 });
  const endToEnd: number[] = [];
  const encoder: number[] = [];
  const searchOnly: number[] = [];
  for (const text of texts.slice(5)) {
    const t0 = performance.now();
    await model.embedTexts([`${text} again`]);
    encoder.push(performance.now() - t0);
    const t1 = performance.now();
    const result = await search.search({ text, limit: 50 });
    endToEnd.push(performance.now() - t1);
    if (result.hits.length === 0 && result.total > 0) throw new Error('a page came back empty');
    // The same query with different filters' worth of cache miss but its text vector cached: search, cut-off,
    // grouping and metadata without the text encoder.
    const t2 = performance.now();
    await search.search({ text, limit: 50, groupDuplicates: true, diversify: false, threshold: -0.999 });
    searchOnly.push(performance.now() - t2);
  }

  // Baseline: the same steps with vec0's brute force (what a plain sqlite-vec app does).
  const baselineRuns = options.quick ? 5 : 15;
  const baseline: number[] = [];
  for (const text of texts.slice(5, 5 + baselineRuns)) {
    const t0 = performance.now();
    const [vector] = await model.embedTexts([`${text} baseline`]);
    const neighbours = catalog.embeddings.knn(MODEL_ID, vector!, 50);
    catalog.photos.getByIds(neighbours.map((nb) => nb.photoId));
    baseline.push(performance.now() - t0);
  }
  const base = report.add({ name: `vec0 pipeline, ${n / 1000}k, top 50`, median: median(baseline), unit: 'ms', detail: `${baselineRuns} queries` });
  report.compare(
    { name: `text query end to end, ${n / 1000}k, top 50`, median: median(endToEnd), unit: 'ms', detail: `p90 ${percentile(endToEnd, 90).toFixed(1)} ms; target p50 <= 30 ms` },
    base,
  );
  report.add({ name: 'of which text encoder (int8, 77 tokens)', median: median(encoder), unit: 'ms' });
  report.add({ name: 'of which search, cut-off, grouping, metadata', median: median(searchOnly), unit: 'ms', detail: 'same query, text vector cached' });
  search.close();
  await model.dispose();
  catalog.close();
  return report;
}
