import { createHash } from 'node:crypto';
import type { Caption } from '@shared/types';
import type { EmbeddingRepository } from '../catalog/embedding-repository';
import type { LabelRepository } from '../catalog/label-repository';
import type { QueryHistoryRepository } from '../catalog/query-history-repository';
import type { TextVectorRepository } from '../catalog/text-vector-repository';
import { dot, hasDirection, normalize, normalizeInPlace } from '../math/vectors';
import { loadCaptionBank, type CaptionBank } from './caption-bank';
import { RowMatrix } from '../search/dense-wasm';

/*
 * Describe: photo -> ranked captions. Every caption (the built-in bank, the user's labels, recent queries) is a
 * unit text vector; a photo's captions are the softmax over all of them of logitScale * cosine, as CLIP's
 * zero-shot classifier does, and the top k are returned.
 *
 * Bank vectors are computed once per model and recipe, in batches, and cached in text_vectors; after that the bank
 * loads from SQLite in milliseconds and sits in memory as one row-major matrix (N rows of dim floats) for the scan.
 */

/** What Describe needs from a CLIP model (ClipModel satisfies it). Vectors need not be normalised. */
export interface TextEmbedder {
  embedTexts(texts: readonly string[]): Promise<Float32Array[]>;
}

/**
 * The prompt templates each bank concept and label is embedded with (prompt ensembling: embed every prompt,
 * normalise each, average, normalise again).
 *
 * The first seven are the set OpenAI's sequential forward selection picked from CLIP's 80 ImageNet templates
 * (openai/CLIP, notebooks/Prompt_Engineering_for_ImageNet.ipynb, in the order selected); it scored a little better
 * than all 80. They were chosen on ImageNet's objects, and three of them are renditions (origami, video game, art),
 * while a photo library is photographs of scenes, rooms, events and documents as much as of objects, so the two
 * templates CLIP uses for scenes (SUN397: 'a photo of a {}.', 'a photo of the {}.') anchor the ensemble on plain
 * photographs. Nine prompts keep the one-off cost (once per model, in the background) to about 3,200 concepts x 9
 * = 29k prompts of about ten tokens, where all 80 templates would be 256k. ClipModel trims padding, so such a prompt
 * costs a fraction of a 77-token query on the CPU (see `npm run bench -- query`): minutes, not the better part of
 * an hour.
 * None of them contains a colour word, which would leak into every concept (the toy test model counts them).
 */
export const BANK_TEMPLATES: readonly string[] = [
  'itap of a {}.',
  'a bad photo of the {}.',
  'a origami {}.',
  'a photo of the large {}.',
  'a {} in a video game.',
  'art of the {}.',
  'a photo of the small {}.',
  'a photo of a {}.',
  'a photo of the {}.',
];

/** text_vectors.method of past queries: embedded exactly as typed, as the search box embeds them. */
export const QUERY_METHOD = 'typed-v1';

/** Past queries kept in query_history (most recently used first). */
export const QUERY_HISTORY_SIZE = 500;
/**
 * Past queries join the bank, with two limits so they cannot drown it out. A query is a whole description the user
 * wrote for photos like the ones it matches, so it outscores single-concept captions on exactly those photos, and
 * people search the same idea many ways ('beach sunset', 'sunset at the beach', ...): left alone, a handful of
 * them would fill every top 10. So only the newest QUERY_POOL take part, and at most MAX_QUERY_CAPTIONS of them
 * are returned for one photo; the rest of the list stays the bank's and the labels'.
 */
export const QUERY_POOL = 200;
export const MAX_QUERY_CAPTIONS = 3;
export const MAX_LABEL_LENGTH = 200;
const MAX_QUERY_LENGTH = 1000;

/** The catalog's repositories Describe reads and writes (a Catalog has them all). */
export interface DescribeRepositories {
  /** Library photos' vectors, for describePhoto(). */
  embeddings: Pick<EmbeddingRepository, 'get'>;
  labels: LabelRepository;
  queryHistory: QueryHistoryRepository;
  /** The cache of bank, label and query vectors. */
  textVectors: TextVectorRepository;
}

export interface DescribeServiceOptions {
  repositories: DescribeRepositories;
  encoder: TextEmbedder;
  /** The catalog's id for the model (text vectors are cached per model id). */
  modelId: string;
  /** CLIP's learned temperature (ClipModel.logitScale, 100 for OpenAI's models). */
  logitScale: number;
  /** The built-in bank by default. */
  bank?: CaptionBank;
  /** Prompt templates for the bank and labels ('{}' is the concept); BANK_TEMPLATES by default. */
  templates?: readonly string[];
  /** Concepts per text-tower call (each is templates.length prompts). */
  batchSize?: number;
  /** Bank vectors available so far, while ready() computes them (also called once with what the cache had). */
  onProgress?: (done: number, total: number) => void;
  /** Clock for query_history and labels (tests pin it). */
  now?: () => number;
}

interface Entry {
  text: string;
  source: Caption['source'];
  vector: Float32Array;
}

type ExtraKind = 'label' | 'query';

export class DescribeService {
  /** text_vectors.method of bank concepts and labels: the recipe and a hash of its templates. */
  readonly method: string;
  private readonly bank: CaptionBank;
  private readonly templates: readonly string[];
  private readonly batchSize: number;
  private readonly repositories: DescribeRepositories;
  private readonly now: () => number;
  /** Bank index by lower-cased concept (labels and queries with the same text replace or skip it). */
  private readonly bankIndex = new Map<string, number>();
  private matrix: Float32Array | null = null;
  private population: RowMatrix | null = null;
  private dim = 0;
  private building: Promise<void> | null = null;
  /** Label and query vectors already read or computed, by kind and exact text. */
  private extraVectors = new Map<string, Float32Array>();

  constructor(private readonly options: DescribeServiceOptions) {
    if (!(options.logitScale > 0 && Number.isFinite(options.logitScale))) throw new RangeError('logitScale must be a positive number');
    this.bank = options.bank ?? loadCaptionBank();
    this.templates = options.templates ?? BANK_TEMPLATES;
    if (this.templates.length === 0 || this.templates.some((t) => !t.includes('{}'))) {
      throw new Error("prompt templates must be a non-empty list, each with '{}' for the concept");
    }
    this.batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    this.method = ensembleMethod(this.templates);
    this.repositories = options.repositories;
    this.now = options.now ?? Date.now;
    this.bank.concepts.forEach((concept, i) => this.bankIndex.set(concept.toLowerCase(), i));
  }

  /** Concepts in the built-in bank. */
  get bankSize(): number {
    return this.bank.concepts.length;
  }

  /** Whether the bank's vectors are in memory (ready() has finished). */
  get isReady(): boolean {
    return this.matrix !== null;
  }

  /**
   * Loads the bank's cached vectors and computes the missing ones, batchSize concepts per text-tower call, each
   * batch committed on its own (an interrupted run resumes where it stopped) and followed by a turn of the event
   * loop, so it can run in the background of a busy engine. Concurrent calls share one run; a failed run can be
   * retried by calling again.
   */
  ready(): Promise<void> {
    this.building ??= this.buildBank().catch((error: unknown) => {
      this.building = null;
      throw error;
    });
    return this.building;
  }

  /**
   * The k most likely captions for an image vector (a library photo's, or an uploaded image's), most likely first.
   * Probabilities are the softmax over the whole bank, so the k returned sum to at most 1.
   */
  async describe(imageVector: Float32Array, k = 10): Promise<Caption[]> {
    if (!Number.isInteger(k) || k < 1) throw new RangeError('k must be a positive integer');
    await this.ready();
    const matrix = this.matrix!;
    const dim = this.dim;
    if (imageVector.length !== dim) {
      throw new Error(`the image vector has ${imageVector.length} dimensions; this model's text vectors have ${dim}`);
    }
    const query = unitOrZero(imageVector);
    const { labels, queries } = await this.extras();

    // One score per entry: bank concepts, then labels, then queries. A bank concept that is also a label is
    // left out (-Infinity): the label stands for it, and two copies would split its probability.
    const n = this.bank.concepts.length;
    const scores = new Float64Array(n + labels.length + queries.length);
    for (let i = 0; i < n; i++) scores[i] = dot(query, matrix, i * dim);
    labels.forEach((entry, i) => {
      const shadowed = this.bankIndex.get(entry.text.toLowerCase());
      if (shadowed !== undefined) scores[shadowed] = -Infinity;
      scores[n + i] = dot(query, entry.vector);
    });
    queries.forEach((entry, i) => (scores[n + labels.length + i] = dot(query, entry.vector)));

    const scale = this.options.logitScale;
    let max = -Infinity;
    for (const s of scores) if (s > max) max = s;
    let sum = 0;
    for (const s of scores) sum += Math.exp(scale * (s - max));

    const fromBankAndLabels = topIndices(scores, 0, n + labels.length, k);
    const fromQueries = topIndices(scores, n + labels.length, scores.length, Math.min(k, MAX_QUERY_CAPTIONS));
    const chosen = [...fromBankAndLabels, ...fromQueries]
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, k);
    return chosen.map((i) => {
      const entry: { text: string; source: Caption['source'] } =
        i < n ? { text: this.bank.concepts[i]!, source: 'bank' } : i < n + labels.length ? labels[i - n]! : queries[i - n - labels.length]!;
      return { caption: entry.text, probability: Math.exp(scale * (scores[i]! - max)) / sum, source: entry.source };
    });
  }

  /** describe() for a library photo, by its stored vector from this model. */
  async describePhoto(photoId: number, k = 10): Promise<Caption[]> {
    const vector = this.repositories.embeddings.get(this.options.modelId, photoId);
    if (!vector) throw new Error(`photo ${photoId} has no vector from model ${this.options.modelId} yet`);
    return this.describe(vector, k);
  }

  /**
   * The bank's vectors (unit rows, copied into a matrix for fast dot products on first use), once ready: a
   * population of caption vectors, e.g. for the search service to standardise text-to-text scores. Undefined until
   * ready() has finished.
   */
  textPopulation(): RowMatrix | undefined {
    if (!this.matrix) return undefined;
    this.population ??= RowMatrix.from(this.matrix, this.bank.concepts.length, this.dim);
    return this.population;
  }

  /** The user's labels, alphabetically (ignoring case). */
  labels(): string[] {
    return this.repositories.labels.list();
  }

  /** Adds a label (ignored if it is already there in any case); returns the labels. */
  addLabel(text: string): string[] {
    const label = cleanText(text);
    if (!label) throw new Error('a label cannot be empty');
    if (label.length > MAX_LABEL_LENGTH) throw new Error(`a label can be at most ${MAX_LABEL_LENGTH} characters long`);
    this.repositories.labels.add(label, this.now());
    return this.labels();
  }

  /** Removes a label (matched ignoring case); returns the labels. */
  removeLabel(text: string): string[] {
    this.repositories.labels.remove(cleanText(text));
    return this.labels();
  }

  /**
   * Remembers a text query the user ran (the search service calls this for each one). Keeps the newest
   * QUERY_HISTORY_SIZE; the vectors of queries that fall out are deleted with them.
   */
  recordQuery(text: string): void {
    const query = cleanText(text);
    if (!query || query.length > MAX_QUERY_LENGTH) return;
    this.repositories.queryHistory.record(query, this.now(), QUERY_HISTORY_SIZE, QUERY_METHOD);
  }

  // ---- the bank --------------------------------------------------------------------------------------------

  private async buildBank(): Promise<void> {
    const { modelId, onProgress } = this.options;
    const concepts = this.bank.concepts;
    const total = concepts.length;
    const rows = this.repositories.textVectors.all(modelId, this.method);
    // Only the concept's own spelling counts: a label 'Dog' shares this method but is not the concept 'dog'.
    const cached = rows.flatMap((row) => {
      const i = this.bankIndex.get(row.text.toLowerCase());
      return i !== undefined && concepts[i] === row.text ? [{ i, blob: row.vector }] : [];
    });
    let dim = commonFloatCount(cached.map((c) => c.blob.byteLength));
    let matrix: Float32Array | null = dim > 0 ? new Float32Array(total * dim) : null;
    const have = new Uint8Array(total);
    for (const { i, blob } of cached) {
      // A blob of another size is damaged: computed again below.
      if (blob.byteLength !== dim * 4) continue;
      // SQLite's blob need not be 4-byte aligned, so copy bytes rather than view them as floats.
      new Uint8Array(matrix!.buffer, i * dim * 4, dim * 4).set(blob);
      have[i] = 1;
    }

    const missing: number[] = [];
    for (let i = 0; i < total; i++) if (!have[i]) missing.push(i);
    // The text tower runs each batch padded to its longest prompt: batching similar lengths wastes less.
    missing.sort((a, b) => concepts[a]!.length - concepts[b]!.length || a - b);
    let done = total - missing.length;
    onProgress?.(done, total);
    for (let start = 0; start < missing.length; start += this.batchSize) {
      if (start > 0) await yieldToEventLoop();
      const batch = missing.slice(start, start + this.batchSize);
      const vectors = await this.ensemble(batch.map((i) => concepts[i]!));
      if (!matrix) {
        dim = vectors[0]!.length;
        matrix = new Float32Array(total * dim);
      }
      checkDims(vectors, dim);
      this.repositories.textVectors.putMany(
        modelId,
        this.method,
        batch.map((i, j) => ({ text: concepts[i]!, vector: vectors[j]! })),
      );
      batch.forEach((i, j) => matrix!.set(vectors[j]!, i * dim));
      done += batch.length;
      onProgress?.(done, total);
    }
    this.dim = dim;
    this.matrix = matrix;
    this.population = null;
  }

  /** Prompt ensembling (see BANK_TEMPLATES): one unit vector per text. */
  private async ensemble(texts: readonly string[]): Promise<Float32Array[]> {
    const perText = this.templates.length;
    const prompts = texts.flatMap((text) => this.templates.map((template) => template.replaceAll('{}', text)));
    const vectors = await this.options.encoder.embedTexts(prompts);
    if (vectors.length !== prompts.length) throw new Error(`the text tower returned ${vectors.length} vectors for ${prompts.length} prompts`);
    return texts.map((_, t) => {
      const sum = new Float32Array(vectors[t * perText]!.length);
      for (let p = t * perText; p < (t + 1) * perText; p++) {
        const unit = unitOrZero(vectors[p]!);
        for (let d = 0; d < sum.length; d++) sum[d]! += unit[d]!;
      }
      // Prompts that cancel out leave a zero vector: like unitOrZero, it scores 0 rather than failing.
      return hasDirection(sum) ? normalizeInPlace(sum) : sum;
    });
  }

  // ---- labels and past queries -----------------------------------------------------------------------------

  /** Labels and the query pool with their vectors, computing those not cached yet. */
  private async extras(): Promise<{ labels: Entry[]; queries: Entry[] }> {
    const labels = this.labels();
    const taken = new Set(labels.map((l) => l.toLowerCase()));
    const queries = this.repositories.queryHistory
      .recent(QUERY_POOL)
      .filter((q) => !taken.has(q.toLowerCase()) && !this.bankIndex.has(q.toLowerCase()));
    const known = new Map<string, Float32Array>();
    const labelVectors = await this.vectorsFor('label', labels, known);
    const queryVectors = await this.vectorsFor('query', queries, known);
    // Keep only what is in use, so removed labels and forgotten queries do not pile up in memory.
    this.extraVectors = known;
    return {
      labels: labels.map((text, i) => ({ text, source: 'label', vector: labelVectors[i]! })),
      queries: queries.map((text, i) => ({ text, source: 'query', vector: queryVectors[i]! })),
    };
  }

  private async vectorsFor(kind: ExtraKind, texts: readonly string[], known: Map<string, Float32Array>): Promise<Float32Array[]> {
    const method = kind === 'label' ? this.method : QUERY_METHOD;
    const vectors: Array<Float32Array | undefined> = texts.map((text) => {
      const key = `${kind}\u0000${text}`;
      let vector = this.extraVectors.get(key);
      if (!vector) {
        const blob = this.repositories.textVectors.get(this.options.modelId, method, text);
        if (blob && blob.byteLength === this.dim * 4) vector = fromBlob(blob);
      }
      if (vector) known.set(key, vector);
      return vector;
    });
    const missing = texts.flatMap((text, i) => (vectors[i] ? [] : [i]));
    for (let start = 0; start < missing.length; start += this.batchSize) {
      const batch = missing.slice(start, start + this.batchSize);
      const batchTexts = batch.map((i) => texts[i]!);
      const computed =
        kind === 'label' ? await this.ensemble(batchTexts) : (await this.options.encoder.embedTexts(batchTexts)).map(unitOrZero);
      if (computed.length !== batch.length) throw new Error(`the text tower returned ${computed.length} vectors for ${batch.length} texts`);
      checkDims(computed, this.dim);
      this.repositories.textVectors.putMany(
        this.options.modelId,
        method,
        batch.map((i, j) => ({ text: texts[i]!, vector: computed[j]! })),
      );
      batch.forEach((i, j) => {
        vectors[i] = computed[j]!;
        known.set(`${kind}\u0000${texts[i]!}`, computed[j]!);
      });
    }
    return vectors as Float32Array[];
  }
}

/** The method name of an ensemble recipe: changing the templates changes it, so every vector is computed again. */
export function ensembleMethod(templates: readonly string[]): string {
  return `ensemble-v1:${createHash('sha256').update(JSON.stringify(templates)).digest('hex').slice(0, 16)}`;
}

/** Trimmed, single-spaced; '' when nothing is left. */
function cleanText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The vector width most of the blobs have (0 for none). */
function commonFloatCount(byteLengths: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const n of byteLengths) if (n > 0 && n % 4 === 0) counts.set(n, (counts.get(n) ?? 0) + 1);
  let best = 0;
  let bestCount = 0;
  for (const [n, count] of counts) if (count > bestCount) [best, bestCount] = [n, count];
  return best / 4;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function checkDims(vectors: readonly Float32Array[], dim: number): void {
  for (const v of vectors) {
    if (v.length !== dim) throw new Error(`the text tower returned a ${v.length}-dimensional vector; expected ${dim}`);
  }
}

/**
 * A unit-length copy, or an unchanged copy of a vector with no direction: such a text or image scores 0 against
 * every caption (or NaN, if it is not finite) instead of failing the whole description.
 */
function unitOrZero(vector: Float32Array): Float32Array {
  return hasDirection(vector) ? normalize(vector) : Float32Array.from(vector);
}

/** A Buffer from SQLite need not be 4-byte aligned, so copy rather than view. */
function fromBlob(blob: Buffer): Float32Array {
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

/** Indices of the `count` highest scores in [from, to), highest first; ties keep index order. */
function topIndices(scores: Float64Array, from: number, to: number, count: number): number[] {
  const top: number[] = [];
  for (let i = from; i < to; i++) {
    const s = scores[i]!;
    if (s === -Infinity) continue;
    if (top.length === count && s <= scores[top[top.length - 1]!]!) continue;
    let at = top.length;
    while (at > 0 && scores[top[at - 1]!]! < s) at--;
    top.splice(at, 0, i);
    if (top.length > count) top.pop();
  }
  return top;
}
