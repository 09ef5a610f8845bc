import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptionBankError, captionBankFrom, loadCaptionBank, parseCaptionBank } from '../../../electron/engine/describe/caption-bank';
import { hasShared, sharedPath } from '../../support/shared-data';

const REQUIRED_CATEGORIES = ['imagenet', 'coco', 'scenes', 'events', 'weather', 'time-of-day', 'rooms', 'food', 'pets', 'documents', 'colours'];

const COCO_NAMES = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

describe('the built-in caption bank (models/caption-bank.json)', () => {
  const bank = loadCaptionBank();
  const lower = new Set(bank.concepts.map((c) => c.toLowerCase()));

  it('is valid and holds at least 2,000 distinct concepts', () => {
    expect(bank.concepts.length).toBeGreaterThanOrEqual(2000);
    expect(lower.size).toBe(bank.concepts.length);
    expect(bank.concepts).toEqual(Object.values(bank.categories).flat());
  });

  it('covers the required categories', () => {
    for (const name of REQUIRED_CATEGORIES) expect(bank.categories[name]?.length ?? 0, name).toBeGreaterThanOrEqual(20);
    expect(bank.categories.imagenet!.length).toBeGreaterThan(950);
    expect(bank.categories.scenes!.length).toBeGreaterThan(300);
    for (const colour of ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'black', 'white', 'gray']) {
      expect(lower.has(colour), colour).toBe(true);
    }
    for (const concept of ['receipt', 'screenshot', 'sunset', 'birthday party', 'snowstorm', 'puppy', 'kitchen']) {
      expect(lower.has(concept), concept).toBe(true);
    }
  });

  it('holds all 80 COCO object names', () => {
    expect(COCO_NAMES).toHaveLength(80);
    for (const name of COCO_NAMES) expect(lower.has(name), name).toBe(true);
  });

  it('is loaded once and shared', () => {
    expect(loadCaptionBank()).toBe(bank);
  });

  it.skipIf(!hasShared('reference/imagenet-classnames.tsv'))("holds all 1,000 ImageNet class names of CLIP's notebook", () => {
    const names = readFileSync(sharedPath('reference', 'imagenet-classnames.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t')[1]!.trim());
    expect(names).toHaveLength(1000);
    for (const name of names) expect(lower.has(name.toLowerCase()), name).toBe(true);
  });
});

describe('parseCaptionBank', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shoebox-bank-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function issues(data: unknown): string[] {
    try {
      parseCaptionBank(data);
    } catch (error) {
      expect(error).toBeInstanceOf(CaptionBankError);
      return (error as CaptionBankError).issues;
    }
    throw new Error('expected the bank to be rejected');
  }

  it('accepts a small bank and keeps file order', () => {
    const bank = captionBankFrom({ colours: ['red', 'blue'], pets: ['dog'] });
    expect(bank.concepts).toEqual(['red', 'blue', 'dog']);
    expect(bank.categories).toEqual({ colours: ['red', 'blue'], pets: ['dog'] });
  });

  it('rejects duplicates ignoring case, also across categories', () => {
    expect(issues({ version: 1, categories: { a: ['Dog', 'cat'], b: ['dog'] } })).toEqual([
      'categories.b[0]: "dog" duplicates categories.a[0]',
    ]);
  });

  it('rejects empty, padded and non-string concepts, bad names and versions', () => {
    expect(issues({ version: 2, categories: { a: ['x'] } })).toEqual(['version: must be 1 (got 2)']);
    expect(issues({ version: 1, categories: {} })).toEqual(['categories: must be a non-empty object']);
    expect(issues({ version: 1, categories: { Bad_Name: ['x'], empty: [] } })).toEqual([
      'categories.Bad_Name: category names are lower-case words joined by hyphens',
      'categories.empty: must be a non-empty array of strings',
    ]);
    expect(issues({ version: 1, categories: { a: ['', ' padded', 'two  spaces', 7, 'x'.repeat(121)] } })).toEqual([
      'categories.a[0]: must be a non-empty string',
      'categories.a[1]: " padded" has stray whitespace',
      'categories.a[2]: "two  spaces" has stray whitespace',
      'categories.a[3]: must be a non-empty string',
      'categories.a[4]: longer than 120 characters',
    ]);
    expect(issues({ version: 1, sources: { a: 3 }, categories: { a: ['x'] } })).toEqual(['sources.a: must be a string']);
  });

  it('reads a file and says which file is wrong', () => {
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ version: 1, categories: { things: ['lamp'] } }));
    expect(loadCaptionBank(good).concepts).toEqual(['lamp']);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    expect(() => loadCaptionBank(broken)).toThrow(/broken\.json is not valid JSON/);
    expect(() => loadCaptionBank(path.join(dir, 'missing.json'))).toThrow(/cannot read the caption bank/);
  });
});
