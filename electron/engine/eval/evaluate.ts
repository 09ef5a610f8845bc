import os from 'node:os';
import path from 'node:path';
import { l2Normalize, type ClipModel } from '../clip/clip-model';
import { prepareImage, type PreparedImage } from '../clip/preprocess';
import type { EvalDataset, Flickr8kDataset, Judgements, LabelledFolderDataset } from './datasets';
import { firstRelevantRank, ndcgAtK, summariseRanks, type GainKind, type RetrievalMetrics } from './metrics';

export type { RetrievalMetrics } from './metrics';

export interface EvalProgress {
  phase: 'images' | 'texts' | 'scoring';
  done: number;
  total: number;
}

export interface EvaluateOptions {
  /** Images per encoder call. */
  imageBatch?: number;
  /** Texts per encoder call. */
  textBatch?: number;
  /** Images decoded at once. */
  decodeConcurrency?: number;
  onProgress?: (progress: EvalProgress) => void;
  signal?: AbortSignal;
}

export interface NdcgSummary {
  /** Mean nDCG@10 over the queries, or null when no query could be scored. */
  mean: number | null;
  queries: number;
}

export interface NdcgResult {
  source: Judgements['source'];
  /** How grades were made from the judgement file. */
  relevance: string;
  gain: GainKind;
  /** Each judged image ranks the captions judged against it. */
  imageToText: NdcgSummary;
  /** Each judged caption ranks the images judged against it. */
  textToImage: NdcgSummary;
  pairs: number;
}

export interface EvalResult {
  dataset: { kind: EvalDataset['kind']; dir: string; name: string };
  model: { dir: string; layout: string; fingerprint: string; provider: string | null };
  /** Flickr8k: each caption finds its image among all images. Labelled folders: each class (prompt ensemble) finds its images. */
  textToImage: RetrievalMetrics;
  /** Flickr8k: each image finds any of its captions among all captions. Labelled folders: each image ranks the classes. */
  imageToText: RetrievalMetrics;
  /** Graded nDCG@10 over the judged pairs only, one entry per judgement file (Flickr8k). */
  ndcg10?: NdcgResult[];
  /** Zero-shot classification accuracy (labelled folders): imageToText's R@1 and R@5. */
  zeroShot?: { top1: number; top5: number };
  counts: { images: number; texts: number; classes?: number; templates?: number; dim: number };
  seconds: { images: number; texts: number; scoring: number; total: number };
}

const NDCG_CUTOFF = 10;
const NDCG_GAIN: GainKind = 'linear';

/** Runs `model` over `dataset` and computes the standard retrieval metrics. */
export async function evaluate(model: ClipModel, dataset: EvalDataset, options: EvaluateOptions = {}): Promise<EvalResult> {
  const started = performance.now();
  const report = options.onProgress ?? (() => undefined);

  const texts = dataset.kind === 'flickr8k' ? dataset.captions : promptTexts(dataset);
  let clock = performance.now();
  const imageVectors = await embedImageFiles(model, dataset.images, options);
  const imageSeconds = (performance.now() - clock) / 1000;
  clock = performance.now();
  const textVectors = await embedTextsBatched(model, texts, options);
  const textSeconds = (performance.now() - clock) / 1000;
  const dim = imageVectors[0]?.length ?? 0;

  clock = performance.now();
  report({ phase: 'scoring', done: 0, total: 1 });
  const images = packRows(imageVectors, dim);
  const partial =
    dataset.kind === 'flickr8k'
      ? scoreFlickr8k(dataset, images, packRows(textVectors, dim), dim)
      : scoreLabelledFolders(dataset, images, packRows(ensemble(textVectors, dataset.templates.length), dim), dim);
  report({ phase: 'scoring', done: 1, total: 1 });
  const scoringSeconds = (performance.now() - clock) / 1000;

  const status = model.status();
  return {
    dataset: { kind: dataset.kind, dir: dataset.dir, name: path.basename(dataset.dir) },
    model: {
      dir: status.dir,
      layout: status.layout,
      fingerprint: status.fingerprint,
      provider: status.vision.loaded ? status.vision.provider : null,
    },
    ...partial,
    counts: {
      images: dataset.images.length,
      texts: texts.length,
      ...(dataset.kind === 'labelled-folders' ? { classes: dataset.classes.length, templates: dataset.templates.length } : {}),
      dim,
    },
    seconds: {
      images: round(imageSeconds),
      texts: round(textSeconds),
      scoring: round(scoringSeconds),
      total: round((performance.now() - started) / 1000),
    },
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** Every class name in every template, class-major: class c's prompts are rows c*T .. c*T+T-1. */
export function promptTexts(dataset: LabelledFolderDataset): string[] {
  return dataset.classes.flatMap((c) => dataset.templates.map((t) => t.replaceAll('{}', c.name)));
}

/** CLIP's prompt ensembling: the mean of each class's (normalised) prompt embeddings, normalised again. */
export function ensemble(vectors: readonly Float32Array[], perClass: number): Float32Array[] {
  const classes: Float32Array[] = [];
  for (let start = 0; start < vectors.length; start += perClass) {
    const sum = new Float32Array(vectors[start]!.length);
    for (let t = start; t < start + perClass; t++) {
      const v = vectors[t]!;
      for (let d = 0; d < sum.length; d++) sum[d]! += v[d]!;
    }
    classes.push(l2Normalize(sum));
  }
  return classes;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Decodes and embeds images in batches; the next batch decodes while the current one is in the encoder. A file that
 * cannot be decoded stops the evaluation: leaving it out would quietly change every number.
 */
async function embedImageFiles(model: ClipModel, files: readonly string[], options: EvaluateOptions): Promise<Float32Array[]> {
  const batch = Math.max(1, options.imageBatch ?? 32);
  const concurrency = Math.max(1, options.decodeConcurrency ?? Math.min(8, os.availableParallelism()));
  const report = options.onProgress ?? (() => undefined);
  const decode = (start: number): Promise<PreparedImage[]> =>
    mapLimit(files.slice(start, start + batch), concurrency, (file) => prepareImage(file, model.preprocess));
  const vectors: Float32Array[] = [];
  report({ phase: 'images', done: 0, total: files.length });
  let pending = files.length > 0 ? decode(0) : null;
  for (let start = 0; pending; start += batch) {
    const prepared = await pending;
    options.signal?.throwIfAborted();
    pending = start + batch < files.length ? decode(start + batch) : null;
    // A failed prefetch must not become an unhandled rejection while this batch runs; it is awaited next turn.
    pending?.catch(() => undefined);
    vectors.push(...(await model.embedImages(prepared)));
    report({ phase: 'images', done: vectors.length, total: files.length });
  }
  return vectors;
}

async function embedTextsBatched(model: ClipModel, texts: readonly string[], options: EvaluateOptions): Promise<Float32Array[]> {
  const batch = Math.max(1, options.textBatch ?? 256);
  const report = options.onProgress ?? (() => undefined);
  const vectors: Float32Array[] = [];
  report({ phase: 'texts', done: 0, total: texts.length });
  for (let start = 0; start < texts.length; start += batch) {
    options.signal?.throwIfAborted();
    vectors.push(...(await model.embedTexts(texts.slice(start, start + batch))));
    report({ phase: 'texts', done: vectors.length, total: texts.length });
  }
  return vectors;
}

function packRows(vectors: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw new Error(`embedding ${i} has ${v.length} values, expected ${dim}`);
    out.set(v, i * dim);
  });
  return out;
}

/**
 * scores[r * cols + c] = rows[r] . cols[c], both packed row-major with `dim` values per vector. The vectors are
 * L2-normalised, so these are cosine similarities (the logit scale would not change any ranking).
 */
export function scoreMatrix(rows: Float32Array, cols: Float32Array, dim: number): Float32Array {
  const nRows = dim === 0 ? 0 : rows.length / dim;
  const nCols = dim === 0 ? 0 : cols.length / dim;
  const scores = new Float32Array(nRows * nCols);
  // Blocks of 4 rows x 2 columns: each value loaded feeds 2-4 products instead of 1, so far fewer memory reads than
  // row by row.
  let r = 0;
  for (; r + 4 <= nRows; r += 4) {
    const a0 = r * dim;
    const a1 = a0 + dim;
    const a2 = a1 + dim;
    const a3 = a2 + dim;
    let c = 0;
    for (; c + 2 <= nCols; c += 2) {
      const b0 = c * dim;
      const b1 = b0 + dim;
      let s00 = 0, s10 = 0, s20 = 0, s30 = 0, s01 = 0, s11 = 0, s21 = 0, s31 = 0;
      for (let d = 0; d < dim; d++) {
        const v = cols[b0 + d]!;
        const w = cols[b1 + d]!;
        const x0 = rows[a0 + d]!;
        const x1 = rows[a1 + d]!;
        const x2 = rows[a2 + d]!;
        const x3 = rows[a3 + d]!;
        s00 += x0 * v;
        s10 += x1 * v;
        s20 += x2 * v;
        s30 += x3 * v;
        s01 += x0 * w;
        s11 += x1 * w;
        s21 += x2 * w;
        s31 += x3 * w;
      }
      const o = r * nCols + c;
      scores[o] = s00;
      scores[o + 1] = s01;
      scores[o + nCols] = s10;
      scores[o + nCols + 1] = s11;
      scores[o + 2 * nCols] = s20;
      scores[o + 2 * nCols + 1] = s21;
      scores[o + 3 * nCols] = s30;
      scores[o + 3 * nCols + 1] = s31;
    }
    for (; c < nCols; c++) for (let k = 0; k < 4; k++) scores[(r + k) * nCols + c] = dotInOrder(rows, a0 + k * dim, cols, c * dim, dim);
  }
  for (; r < nRows; r++) for (let c = 0; c < nCols; c++) scores[r * nCols + c] = dotInOrder(rows, r * dim, cols, c * dim, dim);
  return scores;
}

/**
 * The blocks' tail: one sum in dimension order, exactly as each block accumulates, so a score does not depend on
 * which path computed it (identical photos keep exactly tied scores). math/vectors' dot sums in four lanes.
 */
function dotInOrder(x: Float32Array, a: number, y: Float32Array, b: number, dim: number): number {
  let sum = 0;
  for (let d = 0; d < dim; d++) sum += x[a + d]! * y[b + d]!;
  return sum;
}

/** Column `c` of a row-major matrix with `cols` columns. */
function column(matrix: Float32Array, cols: number, c: number, out: Float32Array): Float32Array {
  for (let r = 0; r < out.length; r++) out[r] = matrix[r * cols + c]!;
  return out;
}

type ScoredParts = Pick<EvalResult, 'textToImage' | 'imageToText' | 'ndcg10' | 'zeroShot'>;

function scoreFlickr8k(dataset: Flickr8kDataset, images: Float32Array, texts: Float32Array, dim: number): ScoredParts {
  const nImages = dataset.images.length;
  const nTexts = dataset.captions.length;
  // One matrix, texts x images: rows are the text->image queries, columns the image->text ones.
  const scores = scoreMatrix(texts, images, dim);

  const textRanks = new Float64Array(nTexts);
  for (let t = 0; t < nTexts; t++) {
    textRanks[t] = firstRelevantRank(scores.subarray(t * nImages, (t + 1) * nImages), [dataset.captionImage[t]!]);
  }
  const imageRanks = new Float64Array(nImages);
  const buffer = new Float32Array(nTexts);
  for (let i = 0; i < nImages; i++) imageRanks[i] = firstRelevantRank(column(scores, nImages, i, buffer), dataset.imageCaptions[i]!);

  const result: ScoredParts = { textToImage: summariseRanks(textRanks), imageToText: summariseRanks(imageRanks) };
  if (dataset.judgements.length > 0) {
    result.ndcg10 = dataset.judgements.map((j) => judgedNdcg(j, (image, caption) => scores[caption * nImages + image]!));
  }
  return result;
}

/**
 * nDCG@10 on the judged pairs only (a "condensed list"): each query ranks just the candidates judged against it.
 * The judgements cover a few captions per image out of 5000, chosen by the original authors' systems, so an unjudged
 * caption is not known to be irrelevant (an image's own four other captions are not judged at all); counting them
 * as zero-gain would punish a model for ranking a correct caption first. Queries with fewer than two judged
 * candidates (nothing to order) or no positive grade (nDCG undefined) are left out.
 */
export function judgedNdcg(judgements: Judgements, score: (image: number, caption: number) => number): NdcgResult {
  const byImage = new Map<number, { candidate: number; relevance: number }[]>();
  const byCaption = new Map<number, { candidate: number; relevance: number }[]>();
  for (const pair of judgements.pairs) {
    const i = byImage.get(pair.image) ?? [];
    i.push({ candidate: pair.caption, relevance: pair.relevance });
    byImage.set(pair.image, i);
    const c = byCaption.get(pair.caption) ?? [];
    c.push({ candidate: pair.image, relevance: pair.relevance });
    byCaption.set(pair.caption, c);
  }
  const summarise = (groups: Map<number, { candidate: number; relevance: number }[]>, imageQuery: boolean): NdcgSummary => {
    let sum = 0;
    let queries = 0;
    // Candidates in ascending index order, so ties break the same way as in the full rankings.
    for (const [query, list] of [...groups].sort((a, b) => a[0] - b[0])) {
      if (list.length < 2) continue;
      list.sort((a, b) => a.candidate - b.candidate);
      const scores = list.map((p) => (imageQuery ? score(query, p.candidate) : score(p.candidate, query)));
      const value = ndcgAtK(scores, list.map((p) => p.relevance), NDCG_CUTOFF, NDCG_GAIN);
      if (value === null) continue;
      sum += value;
      queries++;
    }
    return { mean: queries > 0 ? sum / queries : null, queries };
  };
  return {
    source: judgements.source,
    relevance: judgements.scale,
    gain: NDCG_GAIN,
    imageToText: summarise(byImage, true),
    textToImage: summarise(byCaption, false),
    pairs: judgements.pairs.length,
  };
}

function scoreLabelledFolders(dataset: LabelledFolderDataset, images: Float32Array, classes: Float32Array, dim: number): ScoredParts {
  const nImages = dataset.images.length;
  const nClasses = dataset.classes.length;
  // images x classes: rows classify an image, columns retrieve a class's images.
  const scores = scoreMatrix(images, classes, dim);
  const imageRanks = new Float64Array(nImages);
  for (let i = 0; i < nImages; i++) {
    imageRanks[i] = firstRelevantRank(scores.subarray(i * nClasses, (i + 1) * nClasses), [dataset.labels[i]!]);
  }
  const members: number[][] = dataset.classes.map(() => []);
  dataset.labels.forEach((label, i) => members[label]!.push(i));
  const classRanks: number[] = [];
  const buffer = new Float32Array(nImages);
  members.forEach((relevant, c) => {
    // A class with no images (an empty folder, or cut off by a limit) is still a wrong answer to classify into.
    if (relevant.length > 0) classRanks.push(firstRelevantRank(column(scores, nClasses, c, buffer), relevant));
  });
  const imageToText = summariseRanks(imageRanks);
  return {
    textToImage: summariseRanks(classRanks),
    imageToText,
    zeroShot: { top1: imageToText.recallAt1, top5: imageToText.recallAt5 },
  };
}
