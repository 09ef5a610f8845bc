import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseManifest } from '../../electron/engine/models/manifest';
import type { ModelManifest } from '../../electron/engine/models/manifest';
import { TOY_MODEL_DIR } from './shared-data';

/** The toy model's files in a flat layout; the Hugging Face layout has only the two towers, under onnx/. */
export const TOY_FILES = ['vision_model.onnx', 'text_model.onnx', 'preprocessor_config.json'] as const;
export type ToyFile = (typeof TOY_FILES)[number];
const HF_FILES: readonly ToyFile[] = ['vision_model.onnx', 'text_model.onnx'];

/** CLIP's normalisation (what the toy model was trained with). */
const CLIP_NORMALISATION = { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] };

export interface ToyManifestOptions {
  /** Where each file is downloaded from (a model file server, or an address nothing answers). */
  url: (file: ToyFile) => string;
  /** Each file's bytes, for its size and SHA-256 (default: the file in ../shared/models/toy-color-clip). */
  body?: (file: ToyFile) => Buffer;
  /** Sizes and SHA-256s in the manifest (default true); without them a download is trusted on first use. */
  pinned?: boolean;
  layout?: 'flat' | 'hf';
  /** The preprocessing's mean and std (default CLIP's). */
  normalisation?: { mean: number[]; std: number[] };
}

/** The files a manifest of this layout lists. */
export function toyFiles(layout: 'flat' | 'hf' = 'flat'): readonly ToyFile[] {
  return layout === 'hf' ? HF_FILES : TOY_FILES;
}

/** The bytes of one of the toy model's files. */
export function toyFileBody(file: ToyFile): Buffer {
  return readFileSync(path.join(TOY_MODEL_DIR, file));
}

/** A parsed one-model manifest (id 'toy', the default) for the toy colour CLIP, downloadable from `url`. */
export function toyManifest(options: ToyManifestOptions): ModelManifest {
  const pinned = options.pinned ?? true;
  const layout = options.layout ?? 'flat';
  const body = options.body ?? toyFileBody;
  const files = toyFiles(layout).map((name) => {
    const bytes = body(name);
    return {
      path: layout === 'hf' ? `onnx/${name}` : name,
      role: name.startsWith('vision') ? 'vision' : name.startsWith('text') ? 'text' : 'preprocess',
      url: options.url(name),
      size: pinned ? bytes.length : null,
      sha256: pinned ? createHash('sha256').update(bytes).digest('hex') : null,
    };
  });
  const { mean, std } = options.normalisation ?? CLIP_NORMALISATION;
  return parseManifest({
    schemaVersion: 1,
    default: 'toy',
    models: [
      {
        id: 'toy',
        name: 'Toy colour CLIP',
        layout,
        embeddingDim: 512,
        contextLength: 77,
        tokenizer: 'clip-bpe',
        padTokenId: 0,
        licence: 'CC0',
        preprocess: { size: 224, resizeMode: 'crop', interpolation: 'bicubic', mean, std },
        files,
      },
    ],
  });
}
