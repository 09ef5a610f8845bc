// `npm run bench -- search [--quick] [--json]`: text -> photo search at 100k and 1M photos (quick: 10k and 100k).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Catalog } from '../electron/engine/catalog/catalog';
import { mulberry32 } from '../electron/engine/math/random';
import { VectorIndex, catalogVectorSource } from '../electron/engine/search/index/index';
import type { VectorSource } from '../electron/engine/search/index/index';
import type { BenchOptions } from './clip';
import { BenchReport, median, percentile } from './lib';

export const DIM = 512;
const K = 50;
const MODEL = 'bench-clip-like';

// ---- synthetic CLIP-like vectors --------------------------------------------------------------------------------

/** Deterministic pseudo-random numbers (the engine's mulberry32, so the data is the same in every run). */
export const rng: (seed: number) => () => number = mulberry32;

/** Standard normal samples (Box-Muller) from a uniform source. */
export function gaussian(next: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const m = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * next();
    spare = m * Math.sin(angle);
    return m * Math.cos(angle);
  };
}

function normalizeAt(v: Float32Array, offset: number, dim: number): void {
  let sum = 0;
  for (let j = 0; j < dim; j++) sum += v[offset + j]! * v[offset + j]!;
  const inv = 1 / Math.sqrt(sum);
  for (let j = 0; j < dim; j++) v[offset + j]! *= inv;
}

export interface VectorGenerator {
  dim: number;
  /** `count` unit image vectors (count * dim floats); different seeds give independent draws. */
  images(count: number, seed: number): Float32Array;
  /** `count` unit text (query) vectors. */
  queries(count: number, seed: number): Float32Array;
}

/**
 * Vectors shaped like CLIP ViT-B/32 embeddings rather than like random noise: image vectors share a strong mean
 * direction (average image-image cosine ~0.45), sit in ~2000 concept clusters of Zipf-like sizes grouped under 50
 * themes, and vary along an anisotropic spectrum (per-dimension scales ~ rank^-0.25, so some directions carry far
 * more variance). Text vectors have their own mean direction (the modality gap: average text-image cosine ~0.15)
 * and a weak pull toward one concept, so a query's best images score ~0.30-0.40 and its 50th ~0.25-0.33.
 */
export function clipLike(dim = DIM, seed = 1): VectorGenerator {
  const clusters = 2000;
  const themes = 50;
  const g = gaussian(rng(seed));
  const order = Array.from({ length: dim }, (_, i) => ({ i, r: g() })).sort((a, b) => a.r - b.r);
  const scale = new Float32Array(dim);
  order.forEach(({ i }, rank) => (scale[i] = 1 / Math.pow(1 + rank, 0.25)));
  const scaleNorm = Math.sqrt(scale.reduce((s, x) => s + x * x, 0));
  for (let j = 0; j < dim; j++) scale[j]! /= scaleNorm;
  const direction = (): Float32Array => {
    const v = Float32Array.from({ length: dim }, (_, j) => g() * scale[j]!);
    normalizeAt(v, 0, dim);
    return v;
  };
  const imageMean = direction();
  const other = direction();
  let along = 0;
  for (let j = 0; j < dim; j++) along += other[j]! * imageMean[j]!;
  for (let j = 0; j < dim; j++) other[j]! -= along * imageMean[j]!;
  normalizeAt(other, 0, dim);
  const gap = 0.3;
  const textMean = Float32Array.from({ length: dim }, (_, j) => gap * imageMean[j]! + Math.sqrt(1 - gap * gap) * other[j]!);
  const theme = Array.from({ length: themes }, direction);
  const centre = Array.from({ length: clusters }, direction);
  const cumulative = new Float64Array(clusters);
  let total = 0;
  for (let c = 0; c < clusters; c++) cumulative[c] = total += 1 / Math.pow(c + 1, 0.6);
  const pick = (u: number): number => {
    let lo = 0;
    let hi = clusters - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u * total) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Shares of variance: mean direction, theme, concept, anisotropic noise.
  const make = (count: number, s: number, mean: Float32Array, shares: [number, number, number, number]): Float32Array => {
    const next = rng(s);
    const noise = gaussian(next);
    const [a, t, c, e] = shares.map(Math.sqrt) as [number, number, number, number];
    const out = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) {
      const k = pick(next());
      const cv = centre[k]!;
      const tv = theme[k % themes]!;
      const o = i * dim;
      for (let j = 0; j < dim; j++) out[o + j] = a * mean[j]! + t * tv[j]! + c * cv[j]! + e * noise() * scale[j]!;
      normalizeAt(out, o, dim);
    }
    return out;
  };
  return {
    dim,
    images: (count, s) => make(count, s, imageMean, [0.45, 0.12, 0.18, 0.25]),
    queries: (count, s) => make(count, s, textMean, [0.55, 0.03, 0.04, 0.38]),
  };
}

/** Isotropic Gaussian directions: the hard case for any quantiser (neighbours are barely nearer than the rest). */
export function isotropic(dim = DIM): VectorGenerator {
  const make = (count: number, s: number): Float32Array => {
    const g = gaussian(rng(s));
    const out = new Float32Array(count * dim);
    for (let i = 0; i < count * dim; i++) out[i] = g();
    for (let i = 0; i < count; i++) normalizeAt(out, i * dim, dim);
    return out;
  };
  return { dim, images: make, queries: make };
}

/** Exact top-k ids (0-based rows of `vectors`) per query, by a plain float32 dot-product scan. */
export function exactTopK(vectors: Float32Array, queries: Float32Array, dim: number, k: number): Int32Array[] {
  const n = vectors.length / dim;
  const nq = queries.length / dim;
  const best = Array.from({ length: nq }, () => ({ scores: new Float64Array(k).fill(-Infinity), ids: new Int32Array(k).fill(-1) }));
  const scores = new Float64Array(nq);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let q = 0; q < nq; q++) {
      const qo = q * dim;
      let s = 0;
      for (let j = 0; j < dim; j++) s += vectors[o + j]! * queries[qo + j]!;
      scores[q] = s;
    }
    for (let q = 0; q < nq; q++) {
      const b = best[q]!;
      const s = scores[q]!;
      if (s <= b.scores[k - 1]!) continue;
      let at = k - 1;
      while (at > 0 && b.scores[at - 1]! < s) {
        b.scores[at] = b.scores[at - 1]!;
        b.ids[at] = b.ids[at - 1]!;
        at--;
      }
      b.scores[at] = s;
      b.ids[at] = i;
    }
  }
  return best.map((b) => b.ids);
}

/** An in-memory source over rows of `vectors`, photo id = row + 1. */
export function arraySource(vectors: Float32Array, dim: number, chunk = 16384): VectorSource {
  const n = vectors.length / dim;
  return {
    dim,
    *iterate() {
      for (let start = 0; start < n; start += chunk) {
        const end = Math.min(n, start + chunk);
        yield { photoIds: Array.from({ length: end - start }, (_, i) => start + i + 1), vectors: vectors.subarray(start * dim, end * dim) };
      }
    },
    fetch(ids) {
      return new Map(ids.filter((id) => id >= 1 && id <= n).map((id) => [id, vectors.slice((id - 1) * dim, id * dim)]));
    },
    count: () => n,
    stamp: () => `array:${n}`,
  };
}

// ---- benchmark --------------------------------------------------------------------------------------------------

interface SizeResult {
  n: number;
  p50_ms: number;
  p95_ms: number;
  /** The same queries again: their vector-file pages now in the page cache. */
  p50_warm_ms: number;
  /** The same queries after the vector file was dropped from the page cache (Linux only; else null). */
  p50_cold_ms: number | null;
  baseline_p50_ms: number;
  ratio: number;
  recall_at_50: number;
  recall_at_50_isotropic: number;
  isotropic_p50_ms: number;
  filtered_p50_ms: number;
  filtered_recall_at_50: number;
  bytes_per_photo: number;
  cold_load_ms: number;
  index_build_ms: number;
  /** Catching an outdated cache file up after 300 changes (VectorIndex.resume). */
  resume_ms: number;
  catalog_insert_ms: number;
  loadavg: number[];
}

function recall(hits: readonly { photoId: number }[], truthRows: Int32Array): number {
  const truth = new Set(Array.from(truthRows, (row) => row + 1));
  return hits.filter((h) => truth.has(h.photoId)).length / truthRows.length;
}

function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Drops `file` from the page cache (GNU dd's nocache flag: posix_fadvise DONTNEED); false where that is not possible. */
function dropFromPageCache(file: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function timeEach<T>(items: readonly T[], fn: (item: T, i: number) => void, warmup = 3): number[] {
  for (let i = 0; i < Math.min(warmup, items.length); i++) fn(items[i]!, i);
  return items.map((item, i) => {
    const start = performance.now();
    fn(item, i);
    return performance.now() - start;
  });
}

function row(vectors: Float32Array, i: number): Float32Array {
  return vectors.subarray(i * DIM, (i + 1) * DIM);
}

async function benchSize(n: number, quick: boolean, report: BenchReport): Promise<SizeResult | undefined> {
  const need = n * DIM * 4 * 3;
  const free = freeBytes(os.tmpdir());
  if (n >= 1_000_000 && free < 6 * 1024 ** 3) {
    console.log(`  skipping n=${n}: ${(free / 1024 ** 3).toFixed(1)} GB free in ${os.tmpdir()}, need 6 GB`);
    return undefined;
  }
  if (free < need) {
    console.log(`  skipping n=${n}: ${(free / 1024 ** 3).toFixed(1)} GB free, need ${(need / 1024 ** 3).toFixed(1)} GB`);
    return undefined;
  }
  const label = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
  const nq = 100;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-search-'));
  try {
    // Catalog with n photos and their CLIP-like vectors, inserted in big transactions.
    const gen = clipLike();
    const all = new Float32Array(n * DIM);
    const catalog = Catalog.open(path.join(dir, 'catalog.sqlite'));
    const folder = catalog.folders.add(path.join(dir, 'Pictures'));
    catalog.embeddings.ensureModel(MODEL, DIM);
    const step = 50_000;
    const insertStart = performance.now();
    let insertMs = 0;
    for (let start = 0; start < n; start += step) {
      const count = Math.min(step, n - start);
      const vectors = gen.images(count, 1000 + start);
      all.set(vectors, start * DIM);
      const t = performance.now();
      const ids = catalog.photos
        .upsertMany(Array.from({ length: count }, (_, i) => ({ folderId: folder.id, path: path.join(folder.path, `${start + i}.jpg`), size: 1, mtimeMs: 1 })))
        .map((r) => r.id);
      if (ids[0] !== start + 1) throw new Error('expected photo ids 1..n');
      catalog.embeddings.putMany(MODEL, ids.map((photoId, i) => ({ photoId, vector: vectors.subarray(i * DIM, (i + 1) * DIM) })));
      insertMs += performance.now() - t;
    }
    console.log(`  n=${label}: generated + inserted in ${((performance.now() - insertStart) / 1000).toFixed(1)} s (catalog inserts ${(insertMs / 1000).toFixed(1)} s)`);

    const queries = gen.queries(nq, 77);
    let t = performance.now();
    const truth = exactTopK(all, queries, DIM, K);
    console.log(`  n=${label}: exact float32 ground truth for ${nq} queries in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const file = path.join(dir, `${MODEL}.index`);
    const source = catalogVectorSource(catalog, MODEL);
    t = performance.now();
    VectorIndex.build(source, { file }).close();
    const buildMs = performance.now() - t;

    const loads: number[] = [];
    let index: VectorIndex | undefined;
    for (let i = 0; i < 3; i++) {
      index?.close();
      t = performance.now();
      index = VectorIndex.open(source, { file });
      loads.push(performance.now() - t);
      if (index.origin !== 'cache') throw new Error('the cache file was not used');
    }
    const search = index!;
    // As the app's warm-up does: the helper threads are up before the first query is timed.
    await search.startHelpers();

    const ours = timeEach(Array.from({ length: nq }, (_, i) => i), (i) => search.search(row(queries, i), K));
    const warm = timeEach(Array.from({ length: nq }, (_, i) => i), (i) => search.search(row(queries, i), K), 0);
    const cold = dropFromPageCache(`${file}.vectors`) ? timeEach(Array.from({ length: nq }, (_, i) => i), (i) => search.search(row(queries, i), K), 0) : null;
    const recalls = Array.from({ length: nq }, (_, i) => recall(search.search(row(queries, i), K), truth[i]!));
    const baselineQueries = n >= 1_000_000 ? 10 : quick ? 30 : 100;
    const baseline = timeEach(Array.from({ length: baselineQueries }, (_, i) => i), (i) => catalog.embeddings.knn(MODEL, row(queries, i), K), 1);

    // A folder-like filter: 10% of the photos allowed.
    const allowed = new Set<number>();
    for (let id = 1; id <= n; id += 10) allowed.add(id);
    const filteredTruth = exactTopK(
      Float32Array.from({ length: Math.ceil(n / 10) * DIM }, (_, x) => all[Math.floor(x / DIM) * 10 * DIM + (x % DIM)]!),
      queries.subarray(0, 20 * DIM),
      DIM,
      K,
    );
    const filtered = timeEach(Array.from({ length: 20 }, (_, i) => i), (i) => search.search(row(queries, i), K, { allowed }));
    const filteredRecall = median(
      Array.from({ length: 20 }, (_, i) => {
        const want = new Set(Array.from(filteredTruth[i]!, (r) => r * 10 + 1));
        return search.search(row(queries, i), K, { allowed }).filter((h) => want.has(h.photoId)).length / K;
      }),
    );
    const bytesPerPhoto = search.memoryBytes() / n;
    search.close();

    // The cache outdated behind the index's back, as after a crash before saving: the last stretch of work - 100
    // recent photos deleted, 100 re-embedded (edited), 100 added - then caught up (VectorIndex.resume), not built.
    catalog.photos.deleteMany(Array.from({ length: 100 }, (_, i) => n - i));
    const changed = gen.images(200, 31);
    for (let i = 0; i < 100; i++) catalog.embeddings.put(MODEL, n - 300 + i, changed.subarray(i * DIM, (i + 1) * DIM));
    const late = catalog.photos
      .upsertMany(Array.from({ length: 100 }, (_, i) => ({ folderId: folder.id, path: path.join(folder.path, `late${i}.jpg`), size: 1, mtimeMs: 1 })))
      .map((r) => r.id);
    catalog.embeddings.putMany(MODEL, late.map((photoId, i) => ({ photoId, vector: changed.subarray((100 + i) * DIM, (101 + i) * DIM) })));
    t = performance.now();
    const resumed = VectorIndex.resume(source, { file });
    const resumeMs = performance.now() - t;
    if (resumed?.origin !== 'resumed' || resumed.size !== n) throw new Error('the outdated cache did not catch up');
    resumed.close();
    catalog.close();

    // Isotropic random data: same index, no catalog (the in-memory source and its cache file).
    const iso = isotropic();
    for (let start = 0; start < n; start += step) all.set(iso.images(Math.min(step, n - start), 5000 + start), start * DIM);
    const isoQueries = iso.queries(nq, 99);
    const isoTruth = exactTopK(all, isoQueries, DIM, K);
    const isoIndex = VectorIndex.build(arraySource(all, DIM), { file: path.join(dir, 'isotropic.index') });
    const isoTimes = timeEach(Array.from({ length: nq }, (_, i) => i), (i) => isoIndex.search(row(isoQueries, i), K));
    const isoRecall = Array.from({ length: nq }, (_, i) => recall(isoIndex.search(row(isoQueries, i), K), isoTruth[i]!));
    isoIndex.close();

    const result: SizeResult = {
      n,
      p50_ms: median(ours),
      p95_ms: percentile(ours, 95),
      p50_warm_ms: median(warm),
      p50_cold_ms: cold && median(cold),
      baseline_p50_ms: median(baseline),
      ratio: median(baseline) / median(ours),
      recall_at_50: recalls.reduce((a, b) => a + b, 0) / nq,
      recall_at_50_isotropic: isoRecall.reduce((a, b) => a + b, 0) / nq,
      isotropic_p50_ms: median(isoTimes),
      filtered_p50_ms: median(filtered),
      filtered_recall_at_50: filteredRecall,
      bytes_per_photo: bytesPerPhoto,
      cold_load_ms: median(loads),
      index_build_ms: buildMs,
      resume_ms: resumeMs,
      catalog_insert_ms: insertMs,
      loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    };
    const base = report.add({ name: `${label}: sqlite-vec vec0 brute force top-${K} (x${baselineQueries})`, median: result.baseline_p50_ms, unit: 'ms' });
    report.compare({ name: `${label}: VectorIndex top-${K} p50 (x${nq})`, median: result.p50_ms, unit: 'ms', detail: `${result.ratio.toFixed(1)}x faster; p95 ${result.p95_ms.toFixed(1)} ms; repeated ${result.p50_warm_ms.toFixed(1)} ms; vector file not cached ${result.p50_cold_ms?.toFixed(1) ?? '-'} ms; target <= ${n >= 1_000_000 ? 40 : 10} ms, >= 10x` }, base);
    report.add({ name: `${label}: recall@${K} CLIP-like`, median: result.recall_at_50, unit: '', detail: 'target >= 0.99' });
    report.add({ name: `${label}: recall@${K} isotropic`, median: result.recall_at_50_isotropic, unit: '', detail: `p50 ${result.isotropic_p50_ms.toFixed(1)} ms` });
    report.add({ name: `${label}: filtered (10% allowed) p50`, median: result.filtered_p50_ms, unit: 'ms', detail: `recall@${K} ${result.filtered_recall_at_50.toFixed(3)}` });
    report.add({ name: `${label}: resident bytes per photo`, median: result.bytes_per_photo, unit: 'B', detail: 'target <= 150' });
    report.add({ name: `${label}: cold load from cache file`, median: result.cold_load_ms, unit: 'ms', detail: `target <= ${n / 1000} ms` });
    report.add({ name: `${label}: build from catalog`, median: result.index_build_ms, unit: 'ms' });
    report.compare(
      { name: `${label}: outdated cache caught up`, median: result.resume_ms, unit: 'ms', detail: '300 recent changes made behind its back' },
      { name: `${label}: build from catalog`, median: result.index_build_ms, unit: 'ms' },
    );
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSearch(options: BenchOptions): Promise<BenchReport> {
  const report = new BenchReport('search');
  const sizes = options.quick ? [10_000, 100_000] : [100_000, 1_000_000];
  console.log(`\n== search: top-${K} over CLIP-like ${DIM}-d vectors (load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}) ==`);
  const results: SizeResult[] = [];
  for (const n of sizes) {
    const result = await benchSize(n, options.quick, report);
    if (result) results.push(result);
  }
  console.log('\n  n        p50 ms  (repeat)  (uncached)  vec0 ms  ratio  recall@50 (CLIP / iso)  B/photo  cold load ms  catch-up ms');
  for (const r of results) {
    console.log(
      `  ${String(r.n).padEnd(8)} ${r.p50_ms.toFixed(2).padStart(6)}  ${r.p50_warm_ms.toFixed(2).padStart(8)}  ${(r.p50_cold_ms?.toFixed(2) ?? '-').padStart(10)} ${r.baseline_p50_ms.toFixed(1).padStart(8)} ${r.ratio.toFixed(1).padStart(6)}` +
        `  ${r.recall_at_50.toFixed(4)} / ${r.recall_at_50_isotropic.toFixed(4)}       ${r.bytes_per_photo.toFixed(1).padStart(7)} ${r.cold_load_ms.toFixed(0).padStart(13)} ${r.resume_ms.toFixed(0).padStart(12)}`,
    );
  }
  console.log('  (p50: first pass over the queries; repeat: the same queries again, their re-rank reads from the page cache; uncached: again after dropping the vector file from the page cache)');
  if (process.argv.includes('--json')) for (const r of results) console.log(JSON.stringify(r));
  return report;
}
