import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  detectLayout,
  loadDataset,
  loadFlickr8k,
  loadLabelledFolders,
  type Flickr8kDataset,
} from '../../../electron/engine/eval/datasets';
import { CLIP_PROMPT_TEMPLATES } from '../../../electron/engine/eval/prompt-templates';
import { hasShared, sharedPath } from '../../support/shared-data';

const FLICKR = 'data/flickr8k-test1k';

describe.skipIf(!hasShared('reference/clip-prompt-templates.json'))('CLIP prompt templates', () => {
  it('are the 80 templates of the reference list, in order', async () => {
    const reference = JSON.parse(await readFile(sharedPath('reference/clip-prompt-templates.json'), 'utf8')) as string[];
    expect(CLIP_PROMPT_TEMPLATES).toHaveLength(80);
    expect([...CLIP_PROMPT_TEMPLATES]).toEqual(reference);
  });
});

describe.skipIf(!hasShared(FLICKR))('Flickr8k loader', () => {
  let dataset: Flickr8kDataset;

  beforeAll(async () => {
    dataset = await loadFlickr8k(sharedPath(FLICKR));
  });

  it('reads 1000 images and their 5000 captions', () => {
    expect(dataset.kind).toBe('flickr8k');
    expect(dataset.images).toHaveLength(1000);
    expect(new Set(dataset.imageIds).size).toBe(1000);
    expect(dataset.captions).toHaveLength(5000);
    expect(dataset.captionIds).toHaveLength(5000);
    expect(dataset.captionImage).toHaveLength(5000);
    expect(dataset.imageCaptions.every((c) => c.length === 5)).toBe(true);
    // Each caption belongs to the image whose file name starts its id.
    dataset.captionIds.forEach((id, c) => expect(id.split('#')[0]).toBe(dataset.imageIds[dataset.captionImage[c]!]));
    expect(dataset.images[0]).toBe(path.join(sharedPath(FLICKR), 'images', dataset.imageIds[0]!));
  });

  it('maps every expert judgement onto our images and captions', async () => {
    const expert = dataset.judgements.find((j) => j.source === 'expert')!;
    expect(expert.file).toBe(sharedPath(FLICKR, 'expert_judgements.tsv'));
    expect(expert.pairs).toHaveLength(5822);
    expect(expert.unmatched).toBe(0);
    // The first row: image 1056338697_4f7d7ce270.jpg, caption 2549968784_39bfbe44f9.jpg#2, experts 1 1 1 -> grade 0.
    const first = expert.pairs[0]!;
    expect(dataset.imageIds[first.image]).toBe('1056338697_4f7d7ce270.jpg');
    expect(dataset.captionIds[first.caption]).toBe('2549968784_39bfbe44f9.jpg#2');
    expect(first.relevance).toBe(0);
    // Grades are (e1 + e2 + e3) / 3 - 1, in 0..3; cross-check every pair against the file's own columns.
    const rows = (await readFile(expert.file, 'utf8')).trim().split('\n').slice(1).map((l) => l.split('\t'));
    rows.forEach((row, n) => {
      const pair = expert.pairs[n]!;
      expect(dataset.imageIds[pair.image]).toBe(path.basename(row[0]!));
      expect(dataset.captionIds[pair.caption]).toBe(row[1]);
      expect(dataset.captions[pair.caption]).toBe(row[8]);
      // The caption's own image is the file's caption_source_image; is_own_caption says whether it is the judged one.
      expect(dataset.imageIds[dataset.captionImage[pair.caption]!]).toBe(row[2]);
      expect(pair.image === dataset.captionImage[pair.caption]).toBe(row[3] === '1');
      expect(pair.relevance + 1).toBeCloseTo(Number(row[7]), 3);
    });
    expect(Math.min(...expert.pairs.map((p) => p.relevance))).toBe(0);
    expect(Math.max(...expert.pairs.map((p) => p.relevance))).toBe(3);
    // Mostly captions of other images; every image is judged against 2 to 10 captions.
    expect(expert.pairs.filter((p) => p.image === dataset.captionImage[p.caption]).length).toBe(158);
    const perImage = new Map<number, number>();
    for (const p of expert.pairs) perImage.set(p.image, (perImage.get(p.image) ?? 0) + 1);
    expect(perImage.size).toBe(1000);
    expect(Math.min(...perImage.values())).toBe(2);
    expect(Math.max(...perImage.values())).toBe(10);
  });

  it('maps the CrowdFlower judgements as the share of yes votes', () => {
    const crowd = dataset.judgements.find((j) => j.source === 'crowdflower')!;
    expect(crowd.pairs).toHaveLength(47830);
    expect(crowd.unmatched).toBe(0);
    // First row: 1056338697_4f7d7ce270.jpg with its own caption #2, 3 yes 0 no -> 1.
    expect(dataset.imageIds[crowd.pairs[0]!.image]).toBe('1056338697_4f7d7ce270.jpg');
    expect(dataset.captionIds[crowd.pairs[0]!.caption]).toBe('1056338697_4f7d7ce270.jpg#2');
    expect(crowd.pairs[0]!.relevance).toBe(1);
    expect(crowd.pairs.every((p) => p.relevance >= 0 && p.relevance <= 1)).toBe(true);
  });

  it('keeps the first n images with --limit, and only the judgements inside them', async () => {
    const small = await loadFlickr8k(sharedPath(FLICKR), { limit: 50 });
    expect(small.images).toEqual(dataset.images.slice(0, 50));
    expect(small.captions).toEqual(dataset.captions.slice(0, 250));
    const expert = small.judgements.find((j) => j.source === 'expert')!;
    expect(expert.pairs.length + expert.unmatched).toBe(5822);
    expect(expert.pairs.every((p) => p.image < 50 && p.caption < 250)).toBe(true);
    expect(expert.pairs.length).toBeGreaterThan(0);
  });

  it('is detected as the Flickr8k layout', async () => {
    expect(await detectLayout(sharedPath(FLICKR))).toBe('flickr8k');
  });
});

describe('labelled-folder loader and layout detection', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'shoebox-eval-data-'));
    const classes = { golden_retriever: 3, tabby: 1, zebra: 2 };
    for (const [name, count] of Object.entries(classes)) {
      await mkdir(path.join(root, 'animals', name), { recursive: true });
      for (let i = 0; i < count; i++) await writeFile(path.join(root, 'animals', name, `${i}.jpg`), 'not decoded by the loader');
      await writeFile(path.join(root, 'animals', name, 'notes.txt'), 'not an image');
    }
    await mkdir(path.join(root, 'animals', '.hidden'));
    await writeFile(path.join(root, 'animals', '.hidden', 'x.jpg'), '');
    await mkdir(path.join(root, 'one-class', 'cats'), { recursive: true });
    await writeFile(path.join(root, 'one-class', 'cats', 'a.png'), '');
    await mkdir(path.join(root, 'empty'));
    await writeFile(path.join(root, 'file.txt'), 'a file, not a folder');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists classes in sorted order, names from folder names, images per class', async () => {
    const dataset = await loadLabelledFolders(path.join(root, 'animals'));
    expect(dataset.classes).toEqual([
      { folder: 'golden_retriever', name: 'golden retriever' },
      { folder: 'tabby', name: 'tabby' },
      { folder: 'zebra', name: 'zebra' },
    ]);
    expect(dataset.images.map((p) => path.relative(dataset.dir, p))).toEqual([
      'golden_retriever/0.jpg', 'golden_retriever/1.jpg', 'golden_retriever/2.jpg', 'tabby/0.jpg', 'zebra/0.jpg', 'zebra/1.jpg',
    ].map((p) => p.split('/').join(path.sep)));
    expect(Array.from(dataset.labels)).toEqual([0, 0, 0, 1, 2, 2]);
    expect(dataset.templates).toBe(CLIP_PROMPT_TEMPLATES);
  });

  it('takes a limited run from every class in turn', async () => {
    const dataset = await loadLabelledFolders(path.join(root, 'animals'), { limit: 4 });
    // Round 1: golden_retriever/0, tabby/0, zebra/0; round 2: golden_retriever/1.
    expect(Array.from(dataset.labels)).toEqual([0, 0, 1, 2]);
    expect(dataset.classes).toHaveLength(3);
  });

  it('reads class names by folder or by index, and templates from a file', async () => {
    const names = path.join(root, 'names.tsv');
    await writeFile(names, 'class_index\tclip_classname\n0\tgolden retriever dog\nzebra\tzebra crossing animal\n');
    const templates = path.join(root, 'templates.json');
    await writeFile(templates, JSON.stringify(['a photo of a {}.', 'itap of a {}.']));
    const dataset = await loadLabelledFolders(path.join(root, 'animals'), { classNamesFile: names, templatesFile: templates });
    expect(dataset.classes.map((c) => c.name)).toEqual(['golden retriever dog', 'tabby', 'zebra crossing animal']);
    expect(dataset.templates).toEqual(['a photo of a {}.', 'itap of a {}.']);

    await writeFile(templates, JSON.stringify(['no placeholder']));
    await expect(loadLabelledFolders(path.join(root, 'animals'), { templatesFile: templates })).rejects.toThrow(/'\{\}'/);
    await writeFile(names, '0\tfine\nwolf\tnot a folder\n');
    await expect(loadLabelledFolders(path.join(root, 'animals'), { classNamesFile: names })).rejects.toThrow(/line 2/);
  });

  it('detects the layout, and gives a one-line reason for a folder in neither', async () => {
    expect(await detectLayout(path.join(root, 'animals'))).toBe('labelled-folders');
    for (const [folder, reason] of [
      ['empty', /not an evaluation dataset/],
      ['one-class', /only one class folder with images \('cats'\)/],
      ['missing', /no such folder/],
      ['file.txt', /not a folder/],
    ] as const) {
      const error = await loadDataset(path.join(root, folder)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as Error).message).toMatch(reason);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('rejects a bad captions file and a bad limit', async () => {
    const bad = path.join(root, 'bad-flickr');
    await mkdir(bad);
    await writeFile(path.join(bad, 'test_captions.jsonl'), '{"image": "images/a.jpg", "captions": ["a dog"]}\n');
    await expect(loadDataset(bad)).rejects.toThrow(/missing, first .*a\.jpg/);
    await writeFile(path.join(bad, 'test_captions.jsonl'), '{"image": 3}\n');
    await expect(loadDataset(bad)).rejects.toThrow(/line 1: expected/);
    await expect(loadDataset(path.join(root, 'animals'), { limit: 0 })).rejects.toThrow(/positive whole number/);
  });
});
