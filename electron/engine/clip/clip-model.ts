import * as ort from 'onnxruntime-node';
import { resolveModelLayout, type ModelLayout, type ResolveLayoutOptions } from './model-layout';
import { ModelLoadError, openSession, type LoadedSession, type RuntimeOptions, type SessionInfo } from './onnx-session';
import { toModelInput, type PreparedImage } from './preprocess';
import { ClipTokenizer, EOT_TOKEN } from './tokenizer';

/** How the image tower wants its pixels, read from the graph. */
interface ImageIo {
  input: string;
  /** `nchw-float`: normalised float32 [B,3,S,S] (most exports); `nhwc-uint8`: raw RGB [B,S,S,3], normalised in-graph. */
  format: 'nchw-float' | 'nhwc-uint8';
  /** Some exports (Immich's legacy ones) fix the batch at 1. */
  fixedBatch: number | null;
  output: string;
  /** Embedding width when the graph declares it. */
  outputDim: number | null;
}

interface TextIo {
  ids: string;
  idsType: 'int64' | 'int32';
  mask: string | null;
  fixedBatch: number | null;
  /** Sequence length fixed by the graph, or null when any length up to the context length is accepted. */
  fixedLength: number | null;
  output: string;
}

export interface TowerStatus extends SessionInfo {
  loaded: true;
}

export interface ClipModelStatus {
  dir: string;
  layout: ModelLayout['kind'];
  fingerprint: string;
  vision: TowerStatus | { loaded: false };
  text: TowerStatus | { loaded: false };
}

export interface ClipModelOptions extends RuntimeOptions, ResolveLayoutOptions {
  /** Vocabulary file for the CLIP tokenizer; the bundled one by default. */
  bpePath?: string;
}

const IMAGE_OUTPUT_NAMES = ['image_embeds', 'image_features', 'embeddings', 'embedding', 'output'];
const TEXT_OUTPUT_NAMES = ['text_embeds', 'text_features', 'embeddings', 'embedding', 'output'];

/**
 * A CLIP model: an image tower and a text tower that map into one embedding space. Each tower's ONNX session is
 * created on first use and cached (the text tower is often never needed while indexing). Every embedding returned
 * is L2-normalised, so a dot product is a cosine similarity.
 */
export class ClipModel {
  private visionSession: Promise<{ loaded: LoadedSession; io: ImageIo }> | null = null;
  private textSession: Promise<{ loaded: LoadedSession; io: TextIo }> | null = null;
  private tokenizer: ClipTokenizer | null = null;
  private visionInfo: SessionInfo | null = null;
  private textInfo: SessionInfo | null = null;
  private embeddingDim: number | null = null;

  private constructor(
    readonly layout: ModelLayout,
    private readonly options: ClipModelOptions,
  ) {}

  /** Reads the folder's layout and preprocessing; no ONNX session is created yet. */
  static async open(dir: string, options: ClipModelOptions = {}): Promise<ClipModel> {
    return new ClipModel(await resolveModelLayout(dir, options), options);
  }

  get preprocess(): ModelLayout['preprocess'] {
    return this.layout.preprocess;
  }

  get logitScale(): number {
    return this.layout.logitScale;
  }

  /**
   * Embedding width. Read from the image tower (the one indexing loads anyway): its declared output shape, or one
   * embedding of a blank image when the width is dynamic. The text tower stays unloaded.
   */
  async dim(): Promise<number> {
    if (this.embeddingDim !== null) return this.embeddingDim;
    const { io } = await this.vision();
    if (io.outputDim !== null) return (this.embeddingDim = io.outputDim);
    const size = this.layout.preprocess.size;
    const blank = { pixels: new Uint8Array(size * size * 3), size, sourceWidth: size, sourceHeight: size, format: 'raw' };
    const [vector] = await this.embedImages([blank]);
    return vector!.length;
  }

  status(): ClipModelStatus {
    return {
      dir: this.layout.dir,
      layout: this.layout.kind,
      fingerprint: this.layout.fingerprint,
      vision: this.visionInfo ? { loaded: true, ...this.visionInfo } : { loaded: false },
      text: this.textInfo ? { loaded: true, ...this.textInfo } : { loaded: false },
    };
  }

  /** Loads the image tower now rather than on the first photo (e.g. so the status can show the provider). */
  async warmUp(): Promise<void> {
    await this.vision();
  }

  async embedImages(images: readonly PreparedImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const { loaded, io } = await this.vision();
    const size = this.layout.preprocess.size;
    for (const image of images) {
      if (image.size !== size) throw new Error(`image prepared at ${image.size}px, model wants ${size}px`);
    }
    const results: Float32Array[] = [];
    const step = io.fixedBatch ?? images.length;
    for (let start = 0; start < images.length; start += step) {
      const chunk = images.slice(start, start + step);
      const tensor =
        io.format === 'nchw-float'
          ? new ort.Tensor('float32', toModelInput(chunk, this.layout.preprocess), [chunk.length, 3, size, size])
          : new ort.Tensor('uint8', concatPixels(chunk), [chunk.length, size, size, 3]);
      const output = await runSingle(loaded.session, { [io.input]: tensor }, io.output);
      results.push(...this.splitRows(output, chunk.length));
    }
    return results;
  }

  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const { loaded, io } = await this.text();
    const tokenizer = this.tokenizer!;
    const context = io.fixedLength ?? this.layout.contextLength;
    const results: Float32Array[] = [];
    const step = io.fixedBatch ?? texts.length;
    for (let start = 0; start < texts.length; start += step) {
      const chunk = texts.slice(start, start + step);
      const ids = tokenizer.encodeBatch(chunk, context);
      // CLIP's text tower is causal and pools at the end token, so padding after the longest row changes nothing:
      // trimming it (when the graph allows any length) cuts a short query's cost several times over.
      const length = io.fixedLength ?? longestRow(ids, chunk.length, context);
      const feeds: Record<string, ort.Tensor> = {};
      const trimmed = trimRows(ids, chunk.length, context, length, this.layout.padTokenId);
      feeds[io.ids] =
        io.idsType === 'int64'
          ? new ort.Tensor('int64', trimmed, [chunk.length, length])
          : new ort.Tensor('int32', Int32Array.from(trimmed, Number), [chunk.length, length]);
      if (io.mask) {
        const mask = maskFor(ids, chunk.length, context, length);
        feeds[io.mask] =
          io.idsType === 'int64'
            ? new ort.Tensor('int64', mask, [chunk.length, length])
            : new ort.Tensor('int32', Int32Array.from(mask, Number), [chunk.length, length]);
      }
      const output = await runSingle(loaded.session, feeds, io.output);
      results.push(...this.splitRows(output, chunk.length));
    }
    return results;
  }

  /** Releases both sessions; the next call creates them again. */
  async dispose(): Promise<void> {
    const sessions = await Promise.allSettled([this.visionSession, this.textSession]);
    this.visionSession = null;
    this.textSession = null;
    for (const result of sessions) {
      if (result.status === 'fulfilled' && result.value) await result.value.loaded.session.release();
    }
  }

  private vision(): Promise<{ loaded: LoadedSession; io: ImageIo }> {
    this.visionSession ??= openSession(this.layout.visionPath, this.options).then((loaded) => {
      const io = describeImageTower(loaded.session, this.layout.preprocess.size, this.layout.visionPath);
      this.visionInfo = sessionInfo(loaded);
      return { loaded, io };
    });
    this.visionSession.catch(() => (this.visionSession = null));
    return this.visionSession;
  }

  private text(): Promise<{ loaded: LoadedSession; io: TextIo }> {
    this.textSession ??= Promise.all([
      // Pre-packed weights: a query is one short row block, so re-packing every weight on each run would cost a
      // large share of it, for a few tens of MB (see `npm run bench -- query`).
      openSession(this.layout.textPath, { ...this.options, prepackWeights: this.options.prepackWeights ?? true }),
      this.tokenizer ? Promise.resolve(this.tokenizer) : ClipTokenizer.load(this.options.bpePath),
    ]).then(([loaded, tokenizer]) => {
      this.tokenizer = tokenizer;
      const io = describeTextTower(loaded.session, this.layout.textPath);
      this.textInfo = sessionInfo(loaded);
      return { loaded, io };
    });
    this.textSession.catch(() => (this.textSession = null));
    return this.textSession;
  }

  private splitRows(output: ort.Tensor, rows: number): Float32Array[] {
    if (output.type !== 'float32' || output.dims.length !== 2 || output.dims[0] !== rows) {
      throw new ModelLoadError(`unexpected embedding output ${output.type}[${output.dims.join(',')}] for ${rows} inputs`);
    }
    const dim = output.dims[1]!;
    if (this.embeddingDim !== null && this.embeddingDim !== dim) {
      throw new ModelLoadError(`image and text towers disagree on the embedding size (${this.embeddingDim} vs ${dim})`);
    }
    this.embeddingDim = dim;
    const data = output.data as Float32Array;
    const vectors: Float32Array[] = [];
    for (let row = 0; row < rows; row++) vectors.push(l2Normalize(data.slice(row * dim, (row + 1) * dim)));
    return vectors;
  }
}

function sessionInfo(loaded: LoadedSession): SessionInfo {
  const { provider, intraOpThreads, interOpThreads, fallbackReason } = loaded;
  return fallbackReason ? { provider, intraOpThreads, interOpThreads, fallbackReason } : { provider, intraOpThreads, interOpThreads };
}

async function runSingle(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, output: string): Promise<ort.Tensor> {
  const results = await session.run(feeds, [output]);
  const tensor = results[output];
  if (!tensor) throw new ModelLoadError(`the model produced no '${output}' output`);
  return tensor;
}

type TensorMeta = { name: string; type: string; shape: ReadonlyArray<number | string> };

function tensorMetadata(list: readonly ort.InferenceSession.ValueMetadata[]): TensorMeta[] {
  return list.flatMap((meta) => (meta.isTensor ? [{ name: meta.name, type: meta.type, shape: meta.shape }] : []));
}

function fixed(dim: number | string | undefined): number | null {
  return typeof dim === 'number' && dim > 0 ? dim : null;
}

function pickOutput(outputs: TensorMeta[], preferred: string[], file: string): string {
  for (const name of preferred) if (outputs.some((o) => o.name === name)) return name;
  const matrix = outputs.filter((o) => o.shape.length === 2 && o.type === 'float32');
  if (matrix.length === 1) return matrix[0]!.name;
  throw new ModelLoadError(
    `${file}: cannot tell which output is the embedding (outputs: ${outputs.map(describe).join(', ')})`,
  );
}

function describe(meta: TensorMeta): string {
  return `${meta.name} ${meta.type}[${meta.shape.join(',')}]`;
}

function describeImageTower(session: ort.InferenceSession, size: number, file: string): ImageIo {
  const inputs = tensorMetadata(session.inputMetadata);
  const input = inputs.length === 1 ? inputs[0]! : inputs.find((i) => i.name === 'pixel_values' || i.name === 'image');
  if (!input || input.shape.length !== 4) {
    throw new ModelLoadError(
      `${file} is not a supported CLIP image tower: expected one image input [batch,3,${size},${size}], ` +
        `found ${inputs.map(describe).join(', ') || 'no tensor inputs'}`,
    );
  }
  let format: ImageIo['format'];
  if (input.type === 'float32' && (input.shape[1] === 3 || typeof input.shape[1] === 'string')) format = 'nchw-float';
  else if (input.type === 'uint8' && (input.shape[3] === 3 || typeof input.shape[3] === 'string')) format = 'nhwc-uint8';
  else throw new ModelLoadError(`${file}: unsupported image input ${describe(input)} (want float32 NCHW or uint8 NHWC)`);
  const spatial = format === 'nchw-float' ? input.shape[2] : input.shape[1];
  if (typeof spatial === 'number' && spatial !== size) {
    throw new ModelLoadError(`${file}: the graph wants ${spatial}px images but the preprocessing config says ${size}px`);
  }
  const outputs = tensorMetadata(session.outputMetadata);
  const output = pickOutput(outputs, IMAGE_OUTPUT_NAMES, file);
  const outputShape = outputs.find((o) => o.name === output)?.shape ?? [];
  return { input: input.name, format, fixedBatch: fixed(input.shape[0]), output, outputDim: fixed(outputShape[outputShape.length - 1]) };
}

function describeTextTower(session: ort.InferenceSession, file: string): TextIo {
  const inputs = tensorMetadata(session.inputMetadata);
  const ids = inputs.find((i) => i.name === 'input_ids' || i.name === 'text') ?? (inputs.length === 1 ? inputs[0] : undefined);
  if (!ids || ids.shape.length !== 2 || (ids.type !== 'int64' && ids.type !== 'int32')) {
    throw new ModelLoadError(
      `${file} is not a supported CLIP text tower: expected token ids int64/int32 [batch,length], ` +
        `found ${inputs.map(describe).join(', ') || 'no tensor inputs'}`,
    );
  }
  const mask = inputs.find((i) => i.name === 'attention_mask');
  const unknown = inputs.filter((i) => i !== ids && i !== mask);
  if (unknown.length > 0) throw new ModelLoadError(`${file}: unsupported text inputs ${unknown.map(describe).join(', ')}`);
  const output = pickOutput(tensorMetadata(session.outputMetadata), TEXT_OUTPUT_NAMES, file);
  return {
    ids: ids.name,
    idsType: ids.type,
    mask: mask?.name ?? null,
    fixedBatch: fixed(ids.shape[0]),
    fixedLength: fixed(ids.shape[1]),
    output,
  };
}

function concatPixels(images: readonly PreparedImage[]): Uint8Array {
  const stride = images[0]!.pixels.length;
  const out = new Uint8Array(stride * images.length);
  images.forEach((image, i) => out.set(image.pixels, i * stride));
  return out;
}

function longestRow(ids: BigInt64Array, rows: number, context: number): number {
  const eot = BigInt(EOT_TOKEN);
  let longest = 1;
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < context; col++) {
      if (ids[row * context + col] === eot) {
        longest = Math.max(longest, col + 1);
        break;
      }
    }
  }
  return longest;
}

function trimRows(ids: BigInt64Array, rows: number, context: number, length: number, padId: number): BigInt64Array {
  const out = new BigInt64Array(rows * length);
  const pad = BigInt(padId);
  const eot = BigInt(EOT_TOKEN);
  for (let row = 0; row < rows; row++) {
    let ended = false;
    for (let col = 0; col < length; col++) {
      const id = col < context ? ids[row * context + col]! : 0n;
      out[row * length + col] = ended ? pad : id;
      if (id === eot) ended = true;
    }
  }
  return out;
}

function maskFor(ids: BigInt64Array, rows: number, context: number, length: number): BigInt64Array {
  const out = new BigInt64Array(rows * length);
  const eot = BigInt(EOT_TOKEN);
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < length; col++) {
      out[row * length + col] = 1n;
      if (col < context && ids[row * context + col] === eot) break;
    }
  }
  return out;
}

/** In place; a zero vector (nothing recognised) stays zero rather than becoming NaN. */
export function l2Normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  if (sum > 0) {
    const scale = 1 / Math.sqrt(sum);
    for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  }
  return vector;
}
