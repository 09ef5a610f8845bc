import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipModel } from '../../../electron/engine/clip/clip-model';
import { ModelLayoutError, resolveModelLayout } from '../../../electron/engine/clip/model-layout';
import { ModelLoadError } from '../../../electron/engine/clip/onnx-session';
import { prepareImage, type PreparedImage } from '../../../electron/engine/clip/preprocess';
import { hasShared, sharedPath, TOY_MODEL_DIR } from '../../support/shared-data';
import { dot, norm } from '../../support/math';

const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'black', 'white', 'gray'] as const;
type Colour = (typeof COLOURS)[number];



/** An image filled with one colour, or split between two (top `share` of the rows in the first). */
async function colourImage(
  rgb: readonly number[],
  other: readonly number[] = rgb,
  share = 1,
  width = 320,
  height = 240,
): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  const split = Math.round(height * share);
  for (let y = 0; y < height; y++) {
    const [r, g, b] = y < split ? rgb : other;
    for (let x = 0; x < width; x++) pixels.set([r!, g!, b!], (y * width + x) * 3);
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe.skipIf(!hasShared('models/toy-color-clip'))('ClipModel on the toy colour model', () => {
  let model: ClipModel;
  let prototypes: Record<Colour, number[]>;

  beforeAll(async () => {
    model = await ClipModel.open(TOY_MODEL_DIR, { provider: 'cpu', intraOpThreads: 1 });
    const params = JSON.parse(await readFile(path.join(TOY_MODEL_DIR, 'toy_params.json'), 'utf8')) as {
      colours: string[];
      prototypes_rgb: number[][];
    };
    prototypes = Object.fromEntries(
      params.colours.map((c, i) => [c, params.prototypes_rgb[i]!.map((v) => Math.round(v * 255))]),
    ) as Record<Colour, number[]>;
  });

  afterAll(async () => {
    await model?.dispose();
  });

  async function prepare(buffer: Buffer): Promise<PreparedImage> {
    return prepareImage(buffer, model.preprocess);
  }

  it('reads the flat layout and its preprocessing config', () => {
    expect(model.layout.kind).toBe('flat');
    expect(model.preprocess).toMatchObject({ size: 224, resizeMode: 'crop', interpolation: 'bicubic' });
    expect(model.layout.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('creates sessions lazily and reports the provider in use', async () => {
    const fresh = await ClipModel.open(TOY_MODEL_DIR, { provider: 'cpu', intraOpThreads: 1 });
    expect(fresh.status().vision).toEqual({ loaded: false });
    await fresh.warmUp();
    expect(fresh.status().vision).toMatchObject({ loaded: true, provider: 'cpu', intraOpThreads: 1 });
    expect(fresh.status().text).toEqual({ loaded: false });
    // The width comes from the image tower: indexing never pays for loading the text tower.
    expect(await fresh.dim()).toBe(512);
    expect(fresh.status().text).toEqual({ loaded: false });
    await fresh.dispose();
  });

  it('ranks each colour photo first for its own colour word', async () => {
    const images = await Promise.all(COLOURS.map(async (c) => prepare(await colourImage(prototypes[c]))));
    const imageVectors = await model.embedImages(images);
    const textVectors = await model.embedTexts(COLOURS.map((c) => `a ${c} photo`));
    COLOURS.forEach((colour, t) => {
      const scores = imageVectors.map((v) => dot(textVectors[t]!, v));
      const best = scores.indexOf(Math.max(...scores));
      expect(COLOURS[best], `query 'a ${colour} photo'`).toBe(colour);
    });
  });

  it("ranks a mostly-red picture above a mostly-blue one for 'a red photo', and the reverse for blue", async () => {
    const mostlyRed = await prepare(await colourImage(prototypes.red, prototypes.blue, 0.8));
    const mostlyBlue = await prepare(await colourImage(prototypes.blue, prototypes.red, 0.8));
    const [red, blue] = await model.embedImages([mostlyRed, mostlyBlue]);
    const [redQuery, blueQuery] = await model.embedTexts(['a red photo', 'a photo that is blue']);
    expect(dot(redQuery!, red!)).toBeGreaterThan(dot(redQuery!, blue!));
    expect(dot(blueQuery!, blue!)).toBeGreaterThan(dot(blueQuery!, red!));
  });

  it('returns L2-normalised embeddings; text without colour words scores 0 against every image', async () => {
    const images = await Promise.all(['green', 'red', 'white'].map(async (c) => prepare(await colourImage(prototypes[c as Colour]))));
    const vectors = await model.embedImages(images);
    const [colour, cat] = await model.embedTexts(['green', 'a photo of a cat']);
    for (const vector of [...vectors, colour!, cat!]) expect(norm(vector)).toBeCloseTo(1, 5);
    for (const vector of vectors) expect(Math.abs(dot(cat!, vector))).toBeLessThan(1e-6);
    expect(dot(colour!, vectors[0]!)).toBeGreaterThan(0.5);
    expect(await model.dim()).toBe(512);
  });

  it('gives the same embeddings whatever the batch size', async () => {
    const images = await Promise.all(['red', 'blue', 'yellow'].map(async (c) => prepare(await colourImage(prototypes[c as Colour]))));
    const batched = await model.embedImages(images);
    for (let i = 0; i < images.length; i++) {
      const [single] = await model.embedImages([images[i]!]);
      expect(dot(single!, batched[i]!)).toBeCloseTo(1, 5);
    }
    const texts = ['red', 'a very very long caption that mentions the colour blue near its end', ''];
    const batchedTexts = await model.embedTexts(texts);
    for (let i = 0; i < texts.length; i++) {
      const [single] = await model.embedTexts([texts[i]!]);
      expect(Array.from(single!)).toEqual(Array.from(batchedTexts[i]!));
    }
  });

  it.skipIf(!hasShared('data/captioned-8/images'))('ranks real photos by their colours', async () => {
    const names = ['motorcycle_right.png', 'coffee.png', 'horse.png', 'page.png', 'camera.png', 'chelsea.png'];
    const images = await Promise.all(names.map((n) => prepareImage(sharedPath('data/captioned-8/images', n), model.preprocess)));
    const vectors = await model.embedImages(images);
    const [red, blackWhite] = await model.embedTexts(['a red motorcycle', 'a black and white photo']);
    const score = (query: Float32Array, name: string) => dot(query, vectors[names.indexOf(name)]!);
    // The red motorcycle and the coffee cup hold red; the grey-scale pictures hold none.
    for (const warm of ['motorcycle_right.png', 'coffee.png']) {
      for (const grey of ['horse.png', 'page.png', 'camera.png']) expect(score(red!, warm), `${warm} vs ${grey}`).toBeGreaterThan(score(red!, grey));
    }
    // The black-and-white silhouette of a horse is the best match for black and white.
    const bwScores = names.map((n) => score(blackWhite!, n));
    expect(names[bwScores.indexOf(Math.max(...bwScores))]).toBe('horse.png');
    expect(score(blackWhite!, 'horse.png')).toBeGreaterThan(score(blackWhite!, 'motorcycle_right.png'));
  });

  it('falls back to the CPU with a reason when CUDA is asked for but not installed', async () => {
    const cuda = await ClipModel.open(TOY_MODEL_DIR, { provider: 'cuda', intraOpThreads: 1 });
    await cuda.warmUp();
    const vision = cuda.status().vision;
    if (vision.loaded && vision.provider === 'cuda') {
      console.log('CUDA is installed here: the fallback path is not exercised');
    } else {
      expect(vision).toMatchObject({ loaded: true, provider: 'cpu' });
      expect(vision.loaded && vision.fallbackReason).toMatch(/CUDA/);
    }
    await cuda.dispose();
  });
});

describe.skipIf(!hasShared('models/toy-color-clip'))('model folder layouts', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'shoebox-layout-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function folder(name: string, files: Record<string, string>): Promise<string> {
    const dir = path.join(root, name);
    for (const [relative, source] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
      if (source.startsWith('{')) await writeFile(path.join(dir, relative), source);
      else await symlink(path.join(TOY_MODEL_DIR, source), path.join(dir, relative));
    }
    return dir;
  }

  it('loads the Hugging Face layout, preferring full precision over quantised variants', async () => {
    const dir = await folder('hf', {
      'onnx/vision_model.onnx': 'vision_model.onnx',
      'onnx/text_model.onnx': 'text_model.onnx',
      'onnx/vision_model_quantized.onnx': 'vision_model.onnx',
      'onnx/text_model_quantized.onnx': 'text_model.onnx',
      'preprocessor_config.json': 'preprocessor_config.json',
    });
    const layout = await resolveModelLayout(dir);
    expect(layout.kind).toBe('hf');
    expect(path.basename(layout.visionPath)).toBe('vision_model.onnx');
    const quantized = await resolveModelLayout(dir, { variant: 'quantized' });
    expect(path.basename(quantized.textPath)).toBe('text_model_quantized.onnx');
    const model = await ClipModel.open(dir, { provider: 'cpu', intraOpThreads: 1 });
    const [vector] = await model.embedTexts(['red']);
    expect(norm(vector!)).toBeCloseTo(1, 5);
    await model.dispose();
  });

  it('loads the OpenCLIP/Immich layout with its preprocess_cfg.json', async () => {
    const dir = await folder('openclip', {
      'visual/model.onnx': 'vision_model.onnx',
      'textual/model.onnx': 'text_model.onnx',
      'config.json': JSON.stringify({ embed_dim: 512, model_cfg: { embed_dim: 512, text_cfg: { context_length: 77 } } }),
      'visual/preprocess_cfg.json': JSON.stringify({
        size: [224, 224],
        mode: 'RGB',
        mean: [0.5, 0.5, 0.5],
        std: [0.5, 0.5, 0.5],
        interpolation: 'bilinear',
        resize_mode: 'squash',
      }),
    });
    const layout = await resolveModelLayout(dir);
    expect(layout).toMatchObject({
      kind: 'openclip',
      contextLength: 77,
      preprocess: { size: 224, resizeMode: 'squash', interpolation: 'bilinear', mean: [0.5, 0.5, 0.5] },
    });
  });

  it('says what it expected when a folder is not a model', async () => {
    const dir = await folder('empty', { 'notes.json': '{}' });
    await expect(resolveModelLayout(dir)).rejects.toThrow(ModelLayoutError);
    await expect(resolveModelLayout(dir)).rejects.toThrow(/vision_model\.onnx/);
    await expect(resolveModelLayout(path.join(root, 'missing'))).rejects.toThrow(/not found/);
  });

  it('rejects a graph that is not an image tower with a clear message', async () => {
    const dir = await folder('swapped', { 'vision_model.onnx': 'text_model.onnx', 'text_model.onnx': 'text_model.onnx' });
    const model = await ClipModel.open(dir, { provider: 'cpu', intraOpThreads: 1 });
    await expect(model.warmUp()).rejects.toThrow(ModelLoadError);
    await expect(model.warmUp()).rejects.toThrow(/not a supported CLIP image tower/);
  });

  it('rejects a file that is not ONNX at all', async () => {
    const dir = path.join(root, 'garbage');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'vision_model.onnx'), 'this is not a protobuf');
    await symlink(path.join(TOY_MODEL_DIR, 'text_model.onnx'), path.join(dir, 'text_model.onnx'));
    const model = await ClipModel.open(dir, { provider: 'cpu', intraOpThreads: 1 });
    await expect(model.warmUp()).rejects.toThrow(/cannot load vision_model\.onnx as an ONNX model/);
  });
});
