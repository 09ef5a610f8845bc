import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_PHOTO_EXTENSIONS } from '../library/file-types';
import { CLIP_PROMPT_TEMPLATES } from './prompt-templates';

/*
 * Loaders for the two evaluation layouts.
 *
 * Flickr8k (the layout of ../shared/data/flickr8k-test1k):
 *   test_captions.jsonl   one line per image: {"image": "images/X.jpg", "caption_ids": ["X.jpg#0", ...], "captions": [...]}
 *   expert_judgements.tsv optional; header image, caption_id, caption_source_image, is_own_caption, expert1..3, ...
 *   crowdflower_judgements.tsv optional; header image, caption_id, caption_source_image, is_own_caption, fraction_yes, n_yes, n_no
 * The raw files of the original release (annotations/ExpertAnnotations.txt and CrowdFlowerAnnotations.txt: no header,
 * `image  caption_id  e1 e2 e3` and `image  caption_id  fraction  yes  no`) are read when the .tsv files are absent.
 * Images are named by file name in every file ("images/X.jpg" or "X.jpg"); captions by "<image file>#<0-4>".
 *
 * Labelled folders: root/<class name>/<image files>, one folder per class (ImageNet-style `val/` folders, say).
 */

/** The dataset folder is missing, empty, or in neither layout; the message is the one-line reason. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

export type DatasetLayout = 'flickr8k' | 'labelled-folders';

/** One judged image-caption pair, as indices into the dataset's images and captions. */
export interface JudgedPair {
  image: number;
  caption: number;
  /** Graded relevance, 0 = not relevant; see Judgements.scale. */
  relevance: number;
}

export interface Judgements {
  source: 'expert' | 'crowdflower';
  file: string;
  /** How the relevance was derived from the file. */
  scale: string;
  pairs: JudgedPair[];
  /** Pairs in the file whose image or caption is not in this dataset (e.g. cut off by a limit). */
  unmatched: number;
}

export interface Flickr8kDataset {
  kind: 'flickr8k';
  dir: string;
  images: string[];
  /** Each image's file name, the id the judgement files use. */
  imageIds: string[];
  captions: string[];
  /** "<image file>#<n>", as in Flickr8k.token.txt and the judgement files. */
  captionIds: string[];
  /** For each caption, the index of the image it was written for. */
  captionImage: Int32Array;
  /** For each image, the indices of its captions. */
  imageCaptions: number[][];
  judgements: Judgements[];
}

export interface DatasetClass {
  folder: string;
  /** The name the prompts use. */
  name: string;
}

export interface LabelledFolderDataset {
  kind: 'labelled-folders';
  dir: string;
  classes: DatasetClass[];
  images: string[];
  /** For each image, the index of its class. */
  labels: Int32Array;
  /** Prompt templates, each with one `{}` for the class name. */
  templates: readonly string[];
}

export type EvalDataset = Flickr8kDataset | LabelledFolderDataset;

export interface LoadOptions {
  /** Keep only the first n images (Flickr8k: in file order; labelled folders: taken from the classes in turn). */
  limit?: number;
  /** JSON file with an array of prompt templates (labelled folders); CLIP's 80 by default. */
  templatesFile?: string;
  /** TSV of `<folder or class index>\t<class name>` (labelled folders); folder names by default. */
  classNamesFile?: string;
}

const CAPTIONS_FILE = 'test_captions.jsonl';

function isImageFile(name: string): boolean {
  return !name.startsWith('.') && DEFAULT_PHOTO_EXTENSIONS.has(path.extname(name).slice(1).toLowerCase());
}

async function listClassFolders(dir: string): Promise<{ folder: string; files: string[] }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  // Code-point order, not locale order, so class indices are the same on every machine (ImageNet's wnids sort this way).
  folders.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(
    folders.map(async (folder) => {
      const files = (await readdir(path.join(dir, folder), { withFileTypes: true }))
        .filter((e) => (e.isFile() || e.isSymbolicLink()) && isImageFile(e.name))
        .map((e) => e.name)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return { folder, files };
    }),
  );
}

/** Which layout `dir` is in; throws DatasetError with the reason when it is in neither. */
export async function detectLayout(dir: string): Promise<DatasetLayout> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new DatasetError(`${dir}: no such folder`);
  }
  if (!info.isDirectory()) throw new DatasetError(`${dir}: not a folder`);
  if (existsSync(path.join(dir, CAPTIONS_FILE))) return 'flickr8k';
  const classes = (await listClassFolders(dir)).filter((c) => c.files.length > 0);
  if (classes.length >= 2) return 'labelled-folders';
  throw new DatasetError(
    `${dir} is not an evaluation dataset: expected ${CAPTIONS_FILE} (Flickr8k layout) or at least two class folders of ` +
      `images (labelled-folder layout)${classes.length === 1 ? `; found only one class folder with images ('${classes[0]!.folder}')` : ''}`,
  );
}

export async function loadDataset(dir: string, options: LoadOptions = {}): Promise<EvalDataset> {
  const root = path.resolve(dir);
  const layout = await detectLayout(root);
  return layout === 'flickr8k' ? loadFlickr8k(root, options) : loadLabelledFolders(root, options);
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return Infinity;
  if (!Number.isInteger(limit) || limit < 1) throw new DatasetError(`the image limit must be a positive whole number, got ${limit}`);
  return limit;
}

interface CaptionLine {
  image: string;
  captions: string[];
  captionIds: string[];
}

function parseCaptionLine(line: string, lineNumber: number, file: string): CaptionLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new DatasetError(`${file} line ${lineNumber}: not valid JSON`);
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { image, captions, caption_ids: ids } = record;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (typeof image !== 'string' || !strings(captions) || captions.length === 0) {
    throw new DatasetError(`${file} line ${lineNumber}: expected {"image": "...", "captions": ["...", ...]}`);
  }
  const base = path.basename(image);
  if (ids !== undefined && (!strings(ids) || ids.length !== captions.length)) {
    throw new DatasetError(`${file} line ${lineNumber}: caption_ids must list one id per caption`);
  }
  return { image, captions, captionIds: ids ?? captions.map((_, n) => `${base}#${n}`) };
}

export async function loadFlickr8k(dir: string, options: LoadOptions = {}): Promise<Flickr8kDataset> {
  const root = path.resolve(dir);
  const limit = checkLimit(options.limit);
  const file = path.join(root, CAPTIONS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DatasetError(`${file}: cannot be read`);
  }
  const lines: CaptionLine[] = [];
  const rows = text.split(/\r?\n/);
  for (let n = 0; n < rows.length && lines.length < limit; n++) {
    if (rows[n]!.trim() === '') continue;
    lines.push(parseCaptionLine(rows[n]!, n + 1, CAPTIONS_FILE));
  }
  if (lines.length === 0) throw new DatasetError(`${file}: no images listed`);

  const dataset: Flickr8kDataset = {
    kind: 'flickr8k',
    dir: root,
    images: [],
    imageIds: [],
    captions: [],
    captionIds: [],
    captionImage: new Int32Array(0),
    imageCaptions: [],
    judgements: [],
  };
  const imageIndex = new Map<string, number>();
  const captionIndex = new Map<string, number>();
  const owners: number[] = [];
  for (const line of lines) {
    const id = path.basename(line.image);
    if (imageIndex.has(id)) throw new DatasetError(`${CAPTIONS_FILE}: image ${id} is listed twice`);
    const i = dataset.images.length;
    imageIndex.set(id, i);
    dataset.images.push(path.resolve(root, line.image));
    dataset.imageIds.push(id);
    const mine: number[] = [];
    line.captions.forEach((caption, n) => {
      const captionId = line.captionIds[n]!;
      if (captionIndex.has(captionId)) throw new DatasetError(`${CAPTIONS_FILE}: caption ${captionId} is listed twice`);
      captionIndex.set(captionId, dataset.captions.length);
      mine.push(dataset.captions.length);
      owners.push(i);
      dataset.captions.push(caption);
      dataset.captionIds.push(captionId);
    });
    dataset.imageCaptions.push(mine);
  }
  dataset.captionImage = Int32Array.from(owners);

  const missing = (await Promise.all(dataset.images.map(async (p) => ((await isFile(p)) ? null : p)))).filter((p) => p !== null);
  if (missing.length > 0) {
    throw new DatasetError(`${missing.length} image${missing.length === 1 ? '' : 's'} listed in ${CAPTIONS_FILE} missing, first ${missing[0]}`);
  }

  for (const source of ['expert', 'crowdflower'] as const) {
    const judgements = await loadJudgements(root, source, imageIndex, captionIndex);
    if (judgements) dataset.judgements.push(judgements);
  }
  return dataset;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

const JUDGEMENT_FILES = {
  expert: { tsv: 'expert_judgements.tsv', raw: 'annotations/ExpertAnnotations.txt', scale: 'grade = mean of the 3 expert scores (1-4) - 1, so 0-3' },
  crowdflower: { tsv: 'crowdflower_judgements.tsv', raw: 'annotations/CrowdFlowerAnnotations.txt', scale: 'grade = share of yes votes, 0-1' },
} as const;

/**
 * Reads one judgement file and maps its ids onto the dataset. Expert grades: the mean of the three 1-4 scores minus 1,
 * so "does not describe the image at all" (1) is no gain and "describes the image" (4) is 3. CrowdFlower: the share of
 * workers who said the caption describes the image.
 */
async function loadJudgements(
  root: string,
  source: 'expert' | 'crowdflower',
  imageIndex: ReadonlyMap<string, number>,
  captionIndex: ReadonlyMap<string, number>,
): Promise<Judgements | null> {
  const names = JUDGEMENT_FILES[source];
  const tsv = path.join(root, names.tsv);
  const raw = path.join(root, names.raw);
  const file = existsSync(tsv) ? tsv : existsSync(raw) ? raw : null;
  if (!file) return null;
  const rows = (await readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => l.split('\t'));
  // The .tsv files name their columns; the raw files are positional.
  const header = file === tsv ? rows.shift() ?? [] : null;
  const column = (name: string, rawPosition: number): number => {
    if (!header) return rawPosition;
    const at = header.indexOf(name);
    if (at < 0) throw new DatasetError(`${file}: no '${name}' column`);
    return at;
  };
  const imageCol = column('image', 0);
  const captionCol = column('caption_id', 1);
  const valueCols =
    source === 'expert'
      ? [column('expert1', 2), column('expert2', 3), column('expert3', 4)]
      : [column('n_yes', 3), column('n_no', 4)];

  const pairs: JudgedPair[] = [];
  let unmatched = 0;
  rows.forEach((fields, n) => {
    const values = valueCols.map((c) => Number(fields[c]));
    if (values.some((v) => !Number.isFinite(v))) throw new DatasetError(`${file} line ${n + (header ? 2 : 1)}: expected numbers`);
    const image = imageIndex.get(path.basename(fields[imageCol] ?? ''));
    const caption = captionIndex.get(fields[captionCol] ?? '');
    if (image === undefined || caption === undefined) {
      unmatched++;
      return;
    }
    let relevance: number;
    if (source === 'expert') {
      relevance = (values[0]! + values[1]! + values[2]!) / 3 - 1;
    } else {
      const votes = values[0]! + values[1]!;
      if (votes === 0) return;
      relevance = values[0]! / votes;
    }
    pairs.push({ image, caption, relevance });
  });
  return { source, file, scale: names.scale, pairs, unmatched };
}

export async function loadLabelledFolders(dir: string, options: LoadOptions = {}): Promise<LabelledFolderDataset> {
  const root = path.resolve(dir);
  const limit = checkLimit(options.limit);
  const folders = await listClassFolders(root);
  if (folders.filter((f) => f.files.length > 0).length < 2) {
    throw new DatasetError(`${root}: a labelled-folder dataset needs at least two class folders with images`);
  }
  const names = options.classNamesFile ? await readClassNames(options.classNamesFile, folders.map((f) => f.folder)) : new Map<string, string>();
  const classes = folders.map(({ folder }) => ({ folder, name: names.get(folder) ?? folder.replace(/_/g, ' ').trim() }));
  const templates = options.templatesFile ? await readTemplates(options.templatesFile) : CLIP_PROMPT_TEMPLATES;

  // Taking the n-th image of every class before any (n+1)-th keeps a limited run balanced across classes.
  const images: string[] = [];
  const labels: number[] = [];
  const longest = Math.max(...folders.map((f) => f.files.length));
  for (let n = 0; n < longest && images.length < limit; n++) {
    for (let c = 0; c < folders.length && images.length < limit; c++) {
      const name = folders[c]!.files[n];
      if (name === undefined) continue;
      images.push(path.join(root, folders[c]!.folder, name));
      labels.push(c);
    }
  }
  // Back in folder order, so results do not depend on the limit's interleaving.
  const order = images.map((_, i) => i).sort((a, b) => labels[a]! - labels[b]! || (images[a]! < images[b]! ? -1 : 1));
  return {
    kind: 'labelled-folders',
    dir: root,
    classes,
    images: order.map((i) => images[i]!),
    labels: Int32Array.from(order, (i) => labels[i]!),
    templates,
  };
}

async function readTemplates(file: string): Promise<string[]> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new DatasetError(`${file}: cannot read the prompt templates (${(error as Error).message.split('\n')[0]})`);
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((t) => typeof t === 'string' && t.includes('{}'))) {
    throw new DatasetError(`${file}: expected a JSON array of prompt templates, each with '{}' where the class name goes`);
  }
  return value as string[];
}

/**
 * `<key>\t<class name>` per line, the key a folder name or a 0-based index into the folders in sorted order (so
 * CLIP's ImageNet class-name list fits a val/ folder of wnid folders). A first line that matches neither is a header.
 */
async function readClassNames(file: string, folders: readonly string[]): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DatasetError(`${file}: cannot read the class names`);
  }
  const known = new Set(folders);
  const names = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    if (lines[n]!.trim() === '') continue;
    const [key = '', name = ''] = lines[n]!.split('\t').map((s) => s.trim());
    let folder: string | undefined;
    if (known.has(key)) folder = key;
    else if (/^\d+$/.test(key) && Number(key) < folders.length) folder = folders[Number(key)];
    if (folder === undefined || name === '') {
      if (n === 0) continue;
      throw new DatasetError(`${file} line ${n + 1}: expected '<class folder or index>\\t<class name>'`);
    }
    names.set(folder, name);
  }
  return names;
}
