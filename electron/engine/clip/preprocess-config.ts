import type { ResizeFilter } from '../media/image-decoder';

/**
 * How a CLIP model wants its pixels. Read from the model's own config (Hugging Face `preprocessor_config.json`,
 * OpenCLIP/Immich `config.json`), never hard-coded per model.
 */
export interface PreprocessConfig {
  /** Side of the square input, in pixels (224 for ViT-B/32). */
  size: number;
  /**
   * `crop`: resize the shortest side to `size`, then centre-crop (CLIP's reference).
   * `squash`: resize both sides to `size`, ignoring aspect ratio.
   */
  resizeMode: 'crop' | 'squash';
  interpolation: ResizeFilter;
  /** Per-channel RGB mean and std applied to [0,1] pixel values. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** openai/clip-vit-base-patch32 preprocessing: the reference every CLIP export starts from. */
export const CLIP_DEFAULT_PREPROCESS: PreprocessConfig = {
  size: 224,
  resizeMode: 'crop',
  interpolation: 'bicubic',
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
};
