import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CLIP_DEFAULT_PREPROCESS, type PreprocessConfig } from './preprocess-config';

/**
 * Where a CLIP export keeps its two towers and its preprocessing. Three layouts are understood:
 * - `hf`: Hugging Face / transformers.js (`onnx/vision_model*.onnx`, `onnx/text_model*.onnx`, `preprocessor_config.json`)
 * - `openclip`: OpenCLIP as exported by Immich (`visual/model.onnx`, `textual/model.onnx`, `config.json`,
 *   `visual/preprocess_cfg.json`)
 * - `flat`: both towers side by side (`vision_model.onnx`, `text_model.onnx`, `preprocessor_config.json`)
 */
export type ModelLayoutKind = 'hf' | 'openclip' | 'flat';

export interface ModelLayout {
  dir: string;
  kind: ModelLayoutKind;
  visionPath: string;
  textPath: string;
  preprocess: PreprocessConfig;
  /** Tokens per text row the text tower expects (77 for CLIP). */
  contextLength: number;
  /** Id used to pad text rows. CLIP's causal text tower ignores what follows the end token, so 0 is safe. */
  padTokenId: number;
  /** CLIP's learned temperature: softmax(logitScale * cosine) gives caption probabilities. */
  logitScale: number;
  /** Stable identity of the weights (size and sampled bytes of both towers), so vectors are never mixed across models. */
  fingerprint: string;
}

export class ModelLayoutError extends Error {
  override readonly name = 'ModelLayoutError';
}

/** CLIP ViT-B/32's trained logit scale, exp(4.6052); exports rarely carry it. */
const DEFAULT_LOGIT_SCALE = 100;

/**
 * Variant preference for HF folders that hold several precisions of a tower. Full precision first: quantised
 * vision towers are reported to lose accuracy and even to give batch-dependent outputs.
 */
const HF_VARIANT_ORDER = ['', '_fp16', '_quantized', '_int8', '_uint8', '_q4', '_q4f16', '_bnb4'];

export interface ResolveLayoutOptions {
  /** HF variant suffix to pick, e.g. `quantized` or `fp16`; by default the most precise one present. */
  variant?: string;
}

export async function resolveModelLayout(dir: string, options: ResolveLayoutOptions = {}): Promise<ModelLayout> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new ModelLayoutError(`model folder not found: ${root}`);

  let partial: Omit<ModelLayout, 'fingerprint'>;
  if (existsSync(path.join(root, 'visual', 'model.onnx')) && existsSync(path.join(root, 'textual', 'model.onnx'))) {
    partial = await openClipLayout(root);
  } else if (existsSync(path.join(root, 'onnx'))) {
    partial = await hfLayout(root, options.variant);
  } else if (existsSync(path.join(root, 'vision_model.onnx')) && existsSync(path.join(root, 'text_model.onnx'))) {
    partial = {
      dir: root,
      kind: 'flat',
      visionPath: path.join(root, 'vision_model.onnx'),
      textPath: path.join(root, 'text_model.onnx'),
      ...(await hfPreprocessorConfig(root)),
    };
  } else {
    throw new ModelLayoutError(
      `${root} is not a CLIP model folder: expected onnx/vision_model*.onnx + onnx/text_model*.onnx (Hugging Face), ` +
        'visual/model.onnx + textual/model.onnx (OpenCLIP/Immich), or vision_model.onnx + text_model.onnx',
    );
  }
  const fingerprint = await fingerprintFiles([partial.visionPath, partial.textPath]);
  return { ...partial, fingerprint };
}

async function hfLayout(root: string, variant: string | undefined): Promise<Omit<ModelLayout, 'fingerprint'>> {
  const files = new Set(await readdir(path.join(root, 'onnx')));
  const suffixes = variant !== undefined ? [variant === 'fp32' || variant === '' ? '' : `_${variant}`] : HF_VARIANT_ORDER;
  for (const suffix of suffixes) {
    const vision = `vision_model${suffix}.onnx`;
    const text = `text_model${suffix}.onnx`;
    if (files.has(vision) && files.has(text)) {
      return {
        dir: root,
        kind: 'hf',
        visionPath: path.join(root, 'onnx', vision),
        textPath: path.join(root, 'onnx', text),
        ...(await hfPreprocessorConfig(root)),
      };
    }
  }
  if (files.has('model.onnx') && !files.has('vision_model.onnx')) {
    throw new ModelLayoutError(
      `${root}/onnx holds a combined model.onnx; Shoebox needs the separate vision_model and text_model exports`,
    );
  }
  const wanted = variant !== undefined ? ` for variant '${variant}'` : '';
  throw new ModelLayoutError(`${root}/onnx has no matching vision_model/text_model pair${wanted}`);
}

interface HfPreprocessorJson {
  crop_size?: number | { height?: number; width?: number };
  size?: number | { shortest_edge?: number; height?: number; width?: number };
  shortest_edge?: number;
  do_center_crop?: boolean;
  resample?: number;
  image_mean?: number[];
  image_std?: number[];
  do_normalize?: boolean;
  context_length?: number;
  pad_token_id?: number;
  logit_scale?: number;
}

/** PIL resample codes used by Hugging Face configs. */
const PIL_RESAMPLE: Record<number, PreprocessConfig['interpolation']> = {
  0: 'nearest',
  1: 'lanczos',
  2: 'bilinear',
  3: 'bicubic',
};

async function readJson<T>(file: string): Promise<T | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    throw new ModelLayoutError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

async function hfPreprocessorConfig(
  root: string,
): Promise<Pick<ModelLayout, 'preprocess' | 'contextLength' | 'padTokenId' | 'logitScale'>> {
  const json = await readJson<HfPreprocessorJson>(path.join(root, 'preprocessor_config.json'));
  if (!json) {
    return { preprocess: CLIP_DEFAULT_PREPROCESS, contextLength: 77, padTokenId: 0, logitScale: DEFAULT_LOGIT_SCALE };
  }
  const crop = typeof json.crop_size === 'number' ? json.crop_size : (json.crop_size?.height ?? undefined);
  const shortest =
    json.shortest_edge ?? (typeof json.size === 'number' ? json.size : (json.size?.shortest_edge ?? json.size?.height));
  const size = crop ?? shortest ?? CLIP_DEFAULT_PREPROCESS.size;
  const normalize = json.do_normalize !== false;
  return {
    preprocess: {
      size,
      resizeMode: json.do_center_crop === false ? 'squash' : 'crop',
      interpolation: PIL_RESAMPLE[json.resample ?? 3] ?? 'bicubic',
      mean: normalize ? triple(json.image_mean, CLIP_DEFAULT_PREPROCESS.mean) : [0, 0, 0],
      std: normalize ? triple(json.image_std, CLIP_DEFAULT_PREPROCESS.std) : [1, 1, 1],
    },
    contextLength: json.context_length ?? 77,
    padTokenId: json.pad_token_id ?? 0,
    logitScale: json.logit_scale ?? DEFAULT_LOGIT_SCALE,
  };
}

interface OpenClipConfigJson {
  embed_dim?: number;
  model_cfg?: { embed_dim?: number; text_cfg?: { context_length?: number } };
}

interface OpenClipPreprocessJson {
  size?: number | number[];
  mean?: number[];
  std?: number[];
  interpolation?: string;
  resize_mode?: string;
}

async function openClipLayout(root: string): Promise<Omit<ModelLayout, 'fingerprint'>> {
  const config = await readJson<OpenClipConfigJson>(path.join(root, 'config.json'));
  const pre = await readJson<OpenClipPreprocessJson>(path.join(root, 'visual', 'preprocess_cfg.json'));
  const size = Array.isArray(pre?.size) ? (pre.size[0] ?? 224) : (pre?.size ?? 224);
  const interpolation = pre?.interpolation;
  return {
    dir: root,
    kind: 'openclip',
    visionPath: path.join(root, 'visual', 'model.onnx'),
    textPath: path.join(root, 'textual', 'model.onnx'),
    preprocess: {
      size,
      // OpenCLIP's 'shortest' = resize + centre crop; 'squash' ignores the aspect ratio.
      resizeMode: pre?.resize_mode === 'squash' ? 'squash' : 'crop',
      interpolation:
        interpolation === 'bilinear' || interpolation === 'nearest' || interpolation === 'lanczos'
          ? interpolation
          : 'bicubic',
      mean: triple(pre?.mean, CLIP_DEFAULT_PREPROCESS.mean),
      std: triple(pre?.std, CLIP_DEFAULT_PREPROCESS.std),
    },
    contextLength: config?.model_cfg?.text_cfg?.context_length ?? 77,
    padTokenId: 0,
    logitScale: DEFAULT_LOGIT_SCALE,
  };
}

function triple(values: number[] | undefined, fallback: readonly [number, number, number]): [number, number, number] {
  if (!values || values.length !== 3 || values.some((v) => typeof v !== 'number')) return [...fallback];
  return [values[0]!, values[1]!, values[2]!];
}

/** Size plus the first and last MiB of each file: cheap on 350 MB towers, and any re-export changes it. */
async function fingerprintFiles(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  const sample = 1 << 20;
  for (const file of files) {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      hash.update(`${path.basename(file)}:${size}:`);
      const head = Buffer.alloc(Math.min(sample, size));
      await handle.read(head, 0, head.length, 0);
      hash.update(head);
      if (size > sample) {
        const tail = Buffer.alloc(Math.min(sample, size - sample));
        await handle.read(tail, 0, tail.length, size - tail.length);
        hash.update(tail);
      }
    } finally {
      await handle.close();
    }
  }
  return hash.digest('hex').slice(0, 16);
}
