import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Caption } from '@shared/types';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import { ClipModel } from '../../../electron/engine/clip/clip-model';
import { prepareImage } from '../../../electron/engine/clip/preprocess';
import { captionBankFrom, loadCaptionBank } from '../../../electron/engine/describe/caption-bank';
import {
  BANK_TEMPLATES,
  DescribeService,
  MAX_QUERY_CAPTIONS,
  QUERY_HISTORY_SIZE,
  QUERY_METHOD,
  ensembleMethod,
  type DescribeServiceOptions,
  type TextEmbedder,
} from '../../../electron/engine/describe/describe-service';
import { hasShared, TOY_MODEL_DIR } from '../../support/shared-data';

const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'black', 'white', 'gray'] as const;
type Colour = (typeof COLOURS)[number];

/** A small bank: the colours first, then things whose names carry no colour word (the toy model scores them alike). */
const SMALL_BANK = captionBankFrom({
  colours: [...COLOURS],
  things: ['cat', 'dog', 'receipt', 'beach', 'kitchen', 'birthday party'],
});

/** The real toy model behind a counter: how many text-tower calls and prompts a service made. */
class CountingEncoder implements TextEmbedder {
  calls = 0;
  texts: string[] = [];
  constructor(private readonly model: ClipModel) {}
  embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    this.texts.push(...texts);
    return this.model.embedTexts(texts);
  }
  reset(): void {
    this.calls = 0;
    this.texts = [];
  }
}

function checkDistribution(captions: readonly Caption[], k: number): void {
  expect(captions).toHaveLength(k);
  const total = captions.reduce((sum, c) => sum + c.probability, 0);
  expect(total).toBeLessThanOrEqual(1 + 1e-9);
  for (let i = 1; i < captions.length; i++) expect(captions[i]!.probability).toBeLessThanOrEqual(captions[i - 1]!.probability);
  for (const c of captions) expect(c.probability).toBeGreaterThanOrEqual(0);
}

describe.skipIf(!hasShared('models/toy-color-clip'))('DescribeService on the toy colour model', () => {
  let model: ClipModel;
  let image: Record<Colour, Float32Array>;
  let dir: string;
  let catalog: Catalog;
  let encoder: CountingEncoder;

  beforeAll(async () => {
    model = await ClipModel.open(TOY_MODEL_DIR, { provider: 'cpu', intraOpThreads: 1 });
    const params = JSON.parse(readFileSync(path.join(TOY_MODEL_DIR, 'toy_params.json'), 'utf8')) as { prototypes_rgb: number[][] };
    // One photo-sized image per colour, filled with the toy model's prototype of that colour, embedded for real.
    const prepared = await Promise.all(
      COLOURS.map(async (_, i) => {
        const [r, g, b] = params.prototypes_rgb[i]!.map((v) => Math.round(v * 255));
        const png = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: r!, g: g!, b: b! } } }).png().toBuffer();
        return prepareImage(png, model.preprocess);
      }),
    );
    const vectors = await model.embedImages(prepared);
    image = Object.fromEntries(COLOURS.map((c, i) => [c, vectors[i]!])) as Record<Colour, Float32Array>;
  });

  afterAll(async () => {
    await model?.dispose();
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'shoebox-describe-'));
    catalog = Catalog.open(path.join(dir, 'catalog.sqlite'));
    encoder = new CountingEncoder(model);
  });

  afterEach(() => {
    catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function service(options: Partial<DescribeServiceOptions> = {}): DescribeService {
    return new DescribeService({ repositories: catalog, encoder, modelId: 'toy', logitScale: model.logitScale, bank: SMALL_BANK, ...options });
  }

  function storedRows(method: string, modelId = 'toy'): number {
    return catalog.db.prepare('SELECT count(*) FROM text_vectors WHERE model_id = ? AND method = ?').pluck().get(modelId, method) as number;
  }

  it('runs the whole built-in bank through the model once, then loads it from the cache', async () => {
    const bank = loadCaptionBank();
    const progress: Array<[number, number]> = [];
    const first = service({ bank, batchSize: 64, onProgress: (done, total) => progress.push([done, total]) });
    let started = performance.now();
    await first.ready();
    const embedMs = performance.now() - started;
    expect(encoder.texts).toHaveLength(bank.concepts.length * BANK_TEMPLATES.length);
    expect(encoder.calls).toBe(Math.ceil(bank.concepts.length / 64));
    expect(storedRows(first.method)).toBe(bank.concepts.length);
    expect(progress[0]).toEqual([0, bank.concepts.length]);
    expect(progress.at(-1)).toEqual([bank.concepts.length, bank.concepts.length]);
    expect(progress.every(([done], i) => i === 0 || done > progress[i - 1]![0])).toBe(true);

    for (const colour of ['red', 'green', 'blue'] as const) {
      const captions = await first.describe(image[colour], 10);
      checkDistribution(captions, 10);
      // The toy model scores every concept naming the colour alike ('red', 'red fox', 'red wine'...); ties keep
      // the bank's order, where the colours come first.
      expect(captions[0]).toMatchObject({ caption: colour, source: 'bank' });
      for (const c of captions.filter((c) => c.probability === captions[0]!.probability)) expect(c.caption).toMatch(new RegExp(`\\b${colour}\\b`, 'i'));
    }

    // A new service on the same catalog (the next start) computes nothing: it loads the bank from the cache. The load
    // times are printed, not asserted (`npm run bench` holds speed targets).
    encoder.reset();
    const loads: number[] = [];
    let second = first;
    for (let run = 0; run < 3; run++) {
      second = service({ bank });
      started = performance.now();
      await second.ready();
      loads.push(performance.now() - started);
    }
    expect(encoder.calls).toBe(0);
    expect(await second.describe(image.blue, 5)).toEqual(await first.describe(image.blue, 5));
    console.log(
      `caption bank: ${bank.concepts.length} concepts x ${BANK_TEMPLATES.length} templates embedded in ${embedMs.toFixed(0)} ms; ` +
        `loaded from the cache in ${loads.map((ms) => ms.toFixed(1)).join(', ')} ms`,
    );
  });

  it('ranks the colour of a red, a green and a blue photo first', async () => {
    const describer = service();
    for (const colour of ['red', 'green', 'blue'] as const) {
      const captions = await describer.describe(image[colour], 5);
      checkDistribution(captions, 5);
      expect(captions[0]).toMatchObject({ caption: colour, source: 'bank' });
      expect(captions[0]!.probability).toBeGreaterThan(0.9);
    }
  });

  it('normalises the image vector and checks its width', async () => {
    const describer = service();
    const scaled = image.green.map((v) => v * 7);
    const [fromScaled, fromUnit] = [await describer.describe(scaled, 3), await describer.describe(image.green, 3)];
    expect(fromScaled.map((c) => c.caption)).toEqual(fromUnit.map((c) => c.caption));
    fromScaled.forEach((c, i) => expect(c.probability).toBeCloseTo(fromUnit[i]!.probability, 6));
    await expect(describer.describe(new Float32Array(16), 3)).rejects.toThrow(/16 dimensions/);
    await expect(describer.describe(image.green, 0)).rejects.toThrow(/positive integer/);
    // k larger than the bank returns the whole bank, whose probabilities sum to 1.
    const all = await describer.describe(image.green, 1000);
    expect(all).toHaveLength(SMALL_BANK.concepts.length);
    expect(all.reduce((sum, c) => sum + c.probability, 0)).toBeCloseTo(1, 9);
  });

  it('describes a library photo by its stored vector', async () => {
    const folder = catalog.folders.add(path.join(dir, 'Pictures'));
    const [photo] = catalog.photos.upsertMany([{ folderId: folder.id, path: path.join(folder.path, 'a.png'), size: 1, mtimeMs: 1 }]);
    catalog.embeddings.ensureModel('toy', 512);
    catalog.embeddings.put('toy', photo!.id, image.purple);
    const describer = service();
    expect((await describer.describePhoto(photo!.id, 1))[0]!.caption).toBe('purple');
    const [other] = catalog.photos.upsertMany([{ folderId: folder.id, path: path.join(folder.path, 'b.png'), size: 1, mtimeMs: 1 }]);
    await expect(describer.describePhoto(other!.id)).rejects.toThrow(/has no vector/);
  });

  it('computes the bank in batches, yielding between them, and shares one run between callers', async () => {
    const progress: number[] = [];
    const describer = service({ batchSize: 4, onProgress: (done) => progress.push(done) });
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    await Promise.all([describer.ready(), describer.ready(), describer.describe(image.red)]);
    clearInterval(ticker);
    expect(encoder.calls).toBe(Math.ceil(SMALL_BANK.concepts.length / 4));
    expect(encoder.texts.slice(0, BANK_TEMPLATES.length)).toEqual(BANK_TEMPLATES.map((t) => t.replace('{}', 'red')));
    expect(progress).toEqual([0, 4, 8, 12, 16, 17]);
    expect(turns).toBeGreaterThan(0);
    expect(describer.textPopulation()).toMatchObject({ rows: SMALL_BANK.concepts.length });
  });

  it('stores unit vectors as float32 blobs, per model id and method', async () => {
    await service().ready();
    const rows = catalog.db.prepare('SELECT text, vector FROM text_vectors WHERE model_id = ?').all('toy') as Array<{ text: string; vector: Buffer }>;
    expect(rows).toHaveLength(SMALL_BANK.concepts.length);
    for (const row of rows) {
      expect(row.vector.byteLength).toBe(512 * 4);
      const v = new Float32Array(new Uint8Array(row.vector).buffer);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    expect(service().method).toBe(ensembleMethod(BANK_TEMPLATES));
    expect(service().method).toMatch(/^ensemble-v1:[0-9a-f]{16}$/);
  });

  it('computes again when the method changes, and keeps each method’s vectors', async () => {
    await service().ready();
    encoder.reset();
    const templates = ['a photo of a {}.', 'a close-up photo of a {}.'];
    const other = service({ templates });
    expect(other.method).not.toBe(service().method);
    await other.ready();
    expect(encoder.texts).toHaveLength(SMALL_BANK.concepts.length * 2);
    expect(encoder.texts).toContain('a close-up photo of a kitchen.');
    expect(storedRows(other.method)).toBe(SMALL_BANK.concepts.length);
    expect(storedRows(service().method)).toBe(SMALL_BANK.concepts.length);
    expect((await other.describe(image.yellow, 1))[0]!.caption).toBe('yellow');

    encoder.reset();
    await service().ready();
    await service({ templates }).ready();
    expect(encoder.calls).toBe(0);
  });

  it('computes again for another model id', async () => {
    await service().ready();
    encoder.reset();
    await service({ modelId: 'toy-2' }).ready();
    expect(encoder.texts).toHaveLength(SMALL_BANK.concepts.length * BANK_TEMPLATES.length);
    expect(storedRows(service().method, 'toy-2')).toBe(SMALL_BANK.concepts.length);
  });

  it('recomputes only the concepts it lacks (an interrupted run, a bank that grew)', async () => {
    await service({ bank: captionBankFrom({ colours: ['red', 'green'] }) }).ready();
    catalog.db.prepare("UPDATE text_vectors SET vector = x'00' WHERE text = 'green'").run();
    encoder.reset();
    await service().ready();
    expect(encoder.texts).toHaveLength((SMALL_BANK.concepts.length - 1) * BANK_TEMPLATES.length);
    expect(encoder.texts).toContain('itap of a green.');
    expect(encoder.texts).not.toContain('itap of a red.');
  });

  it('adds the user’s labels to the bank, ensembled like it, and removes them', async () => {
    const describer = service();
    await describer.ready();
    expect(describer.labels()).toEqual([]);
    expect(describer.addLabel('  my  red bicycle ')).toEqual(['my red bicycle']);
    expect(describer.addLabel('Grandma')).toEqual(['Grandma', 'my red bicycle']);
    expect(describer.addLabel('MY RED BICYCLE')).toEqual(['Grandma', 'my red bicycle']);
    expect(() => describer.addLabel('   ')).toThrow(/empty/);
    expect(() => describer.addLabel('x'.repeat(201))).toThrow(/200 characters/);

    encoder.reset();
    const captions = await describer.describe(image.red, 5);
    expect(encoder.texts).toEqual(
      [...BANK_TEMPLATES.map((t) => t.replace('{}', 'Grandma')), ...BANK_TEMPLATES.map((t) => t.replace('{}', 'my red bicycle'))],
    );
    const label = captions.find((c) => c.caption === 'my red bicycle');
    expect(label).toMatchObject({ source: 'label', probability: captions[0]!.probability });
    checkDistribution(captions, 5);

    // Cached: describing again encodes nothing, and neither does a new service on the same catalog.
    encoder.reset();
    await describer.describe(image.red, 5);
    await service().describe(image.red, 5);
    expect(encoder.calls).toBe(0);

    expect(describer.removeLabel('My Red Bicycle')).toEqual(['Grandma']);
    expect((await describer.describe(image.red, 5)).map((c) => c.caption)).not.toContain('my red bicycle');
  });

  it('lets a label stand for the bank concept of the same name', async () => {
    const describer = service();
    describer.addLabel('Blue');
    const captions = await describer.describe(image.blue, 3);
    expect(captions[0]).toMatchObject({ caption: 'Blue', source: 'label' });
    expect(captions.map((c) => c.caption.toLowerCase()).filter((c) => c === 'blue')).toHaveLength(1);
  });

  it('adds past queries, embedded as typed, with at most a few in one description', async () => {
    const describer = service();
    await describer.ready();
    encoder.reset();
    describer.recordQuery('  a  big pink balloon ');
    describer.recordQuery('kitchen'); // already in the bank: not added twice
    const captions = await describer.describe(image.pink, 5);
    expect(encoder.texts).toEqual(['a big pink balloon']);
    // Typed and ensembled embeddings of the same colour count agree to float rounding in the toy model.
    expect(captions.find((c) => c.caption === 'a big pink balloon')).toMatchObject({ source: 'query' });
    expect(captions.find((c) => c.caption === 'a big pink balloon')!.probability).toBeCloseTo(captions[0]!.probability, 6);
    expect(captions.filter((c) => c.caption === 'kitchen')).toEqual([]);

    for (let i = 0; i < 6; i++) describer.recordQuery(`pink thing number ${i}`);
    const crowded = await describer.describe(image.pink, 10);
    checkDistribution(crowded, 10);
    expect(crowded.filter((c) => c.source === 'query')).toHaveLength(MAX_QUERY_CAPTIONS);
    expect(crowded[0]).toMatchObject({ caption: 'pink', source: 'bank' });
  });

  it('keeps the newest 500 queries and forgets the vectors of the others', async () => {
    let clock = 1_000;
    const describer = service({ now: () => clock++ });
    describer.recordQuery('beach');
    describer.recordQuery('Beach');
    expect(catalog.db.prepare('SELECT text, uses FROM query_history').all()).toEqual([{ text: 'beach', uses: 2 }]);
    describer.recordQuery('first orange query');
    await describer.describe(image.orange);
    expect(storedRows(QUERY_METHOD)).toBe(1);

    for (let i = 0; i < QUERY_HISTORY_SIZE; i++) describer.recordQuery(`query ${i}`);
    const texts = catalog.db.prepare('SELECT text FROM query_history').pluck().all() as string[];
    expect(texts).toHaveLength(QUERY_HISTORY_SIZE);
    expect(texts).not.toContain('first orange query');
    expect(storedRows(QUERY_METHOD)).toBe(0);
    describer.recordQuery('   ');
    expect(catalog.db.prepare('SELECT count(*) FROM query_history').pluck().get()).toBe(QUERY_HISTORY_SIZE);
  });

  it('can be retried after the text tower fails', async () => {
    let fail = true;
    const flaky: TextEmbedder = {
      embedTexts: (texts) => (fail ? Promise.reject(new Error('tower down')) : model.embedTexts(texts)),
    };
    const describer = service({ encoder: flaky });
    await expect(describer.ready()).rejects.toThrow('tower down');
    expect(describer.isReady).toBe(false);
    fail = false;
    await describer.ready();
    expect(describer.isReady).toBe(true);
  });
});
