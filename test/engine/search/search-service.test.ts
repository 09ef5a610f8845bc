import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchQuery, SearchResult } from '@shared/types';
import { startEngine, type RunningEngine } from '../../../electron/engine/start-engine';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import { ClipModel } from '../../../electron/engine/clip/clip-model';
import { CUTOFF_Z, SearchService } from '../../../electron/engine/search/search-service';
import { TOY_MODEL_DIR, hasShared, sharedPath } from '../../support/shared-data';

/*
 * The search service end to end on a real engine: real photos in a real folder, indexed by the toy CLIP model
 * (it understands colour words only), vectors in a real SQLite catalog, queries through the contract's API table.
 */

const COLOURS: Record<string, [number, number, number]> = {
  red: [220, 20, 30],
  green: [30, 180, 40],
  blue: [25, 40, 210],
  yellow: [240, 220, 30],
  purple: [130, 30, 170],
};

async function solid(file: string, [r, g, b]: [number, number, number], options: { jitter?: number; description?: string } = {}): Promise<void> {
  const size = 96;
  const pixels = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    const j = options.jitter ? ((i * 7919) % 13) - 6 : 0;
    pixels[i * 3] = Math.max(0, Math.min(255, r + j));
    pixels[i * 3 + 1] = Math.max(0, Math.min(255, g + j));
    pixels[i * 3 + 2] = Math.max(0, Math.min(255, b + j));
  }
  let image = sharp(pixels, { raw: { width: size, height: size, channels: 3 } });
  if (options.description) image = image.withExif({ IFD0: { ImageDescription: options.description } });
  await image.jpeg({ quality: 92 }).toFile(file);
}

const FLICKR = 'data/flickr8k-test1k/images';

describe.skipIf(!hasShared('models/toy-color-clip', FLICKR))('SearchService (toy model, real photos)', () => {
  let root: string;
  let library: string;
  let engine: RunningEngine;
  const ids = new Map<string, number>();

  async function query(q: SearchQuery): Promise<SearchResult> {
    return engine.api['search.query'](q);
  }
  const names = (result: SearchResult): string[] => result.hits.map((h) => h.photo.name);

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'shoebox-search-'));
    library = path.join(root, 'Pictures');
    mkdirSync(library);
    for (const [name, rgb] of Object.entries(COLOURS)) await solid(path.join(library, `${name}.jpg`), rgb);
    // A near-duplicate of red.jpg (same scene, a touch of noise) for grouping.
    await solid(path.join(library, 'red-burst.jpg'), [222, 22, 28], { jitter: 1 });
    // A grey photo that says, in its own caption, what it is about.
    await solid(path.join(library, 'captioned-grey.jpg'), [128, 128, 128], { description: 'red' });
    // 40 real photos; dated one day apart through their file times (they carry no EXIF dates).
    const flickr = readdirSync(sharedPath(FLICKR)).sort().slice(0, 40);
    flickr.forEach((name, i) => {
      const to = path.join(library, name);
      copyFileSync(sharedPath(FLICKR, name), to);
      const when = new Date(Date.UTC(2020, 0, 1 + i, 12));
      utimesSync(to, when, when);
    });
    const when = new Date(Date.UTC(2023, 5, 15, 12));
    for (const name of [...Object.keys(COLOURS), 'red-burst', 'captioned-grey']) utimesSync(path.join(library, `${name}.jpg`), when, when);

    engine = await startEngine({ mode: 'cli', dataDir: path.join(root, 'data'), model: TOY_MODEL_DIR, watch: false, batchSize: 8 });
    await engine.api['library.addFolder']({ path: library });
    await engine.modelReady;
    for (let i = 0; i < 600; i++) {
      const status = await engine.api['indexing.status'](undefined);
      if (status.pending === 0 && status.indexed > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const photo of (await query({ limit: 1000 })).hits) ids.set(photo.photo.name, photo.photo.id);
    expect(ids.size).toBe(47);
    await engine.search()!.warmUp();
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('text query: the photo of that colour comes first, with exact cosine scores, best first', async () => {
    for (const colour of Object.keys(COLOURS)) {
      const result = await query({ text: colour, groupDuplicates: false, useText: false });
      expect(result.hits[0]!.photo.name, colour).toMatch(new RegExp(`^${colour}`));
      const scores = result.hits.map((h) => h.score!);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(result.hits[0]!.relevance).toBe(1);
    }
  });

  it('the relevance cut-off keeps unrelated photos out, relative to the score distribution', async () => {
    const result = await query({ text: 'blue', groupDuplicates: false, useText: false });
    expect(result.cutoff?.reason).toBe('distribution');
    expect(result.total).toBeLessThan(47);
    expect(result.hits.every((h) => h.score! >= result.cutoff!.score)).toBe(true);
    expect(names(result)).not.toContain('yellow.jpg');
    // The cut is mean + CUTOFF_Z std of the query's scores over the library.
    const all = await query({ text: 'blue', groupDuplicates: false, useText: false, relevantOnly: false });
    expect(all.total).toBe(47);
    expect(all.cutoff).toBeNull();
    expect(CUTOFF_Z).toBeGreaterThan(1);
  });

  it('text the model cannot read picks nothing out: no results rather than a random one', async () => {
    const result = await query({ text: 'xyzzy' });
    expect(result.hits).toEqual([]);
    expect(result.cutoff?.reason).toBe('distribution');
  });

  it('a user threshold above the distribution cut wins, and says so', async () => {
    const loose = await query({ text: 'green', groupDuplicates: false, useText: false });
    const top = loose.hits[0]!.score!;
    const strict = await query({ text: 'green', groupDuplicates: false, useText: false, threshold: top - 1e-4 });
    expect(strict.cutoff).toEqual({ score: top - 1e-4, reason: 'threshold' });
    expect(names(strict)).toEqual(['green.jpg']);
    const none = await query({ text: 'green', threshold: 0.9999 });
    expect(none.hits).toEqual([]);
    expect(none.total).toBe(0);
  });

  it('near-duplicates show once, with the hidden ids', async () => {
    const grouped = await query({ text: 'red', useText: false });
    const first = grouped.hits[0]!;
    expect(['red.jpg', 'red-burst.jpg']).toContain(first.photo.name);
    const other = first.photo.name === 'red.jpg' ? 'red-burst.jpg' : 'red.jpg';
    expect(first.duplicateIds).toEqual([ids.get(other)]);
    expect(names(grouped)).not.toContain(other);
    const flat = await query({ text: 'red', useText: false, groupDuplicates: false });
    expect(names(flat).slice(0, 2).sort()).toEqual(['red-burst.jpg', 'red.jpg']);
    expect(flat.total).toBe(grouped.total + 1);
  });

  it('a first page is full and stable however many photos grouping folds (it searches deeper when needed)', async () => {
    // Growing pages first: each either searches deeper or reuses the list a smaller one left (no cache yet).
    const q = { text: 'green', useText: false, relevantOnly: false } as const;
    const pages: SearchResult[] = [];
    for (const limit of [1, 5, 20, 30, 32]) pages.push(await query({ ...q, limit }));
    const all = await query({ ...q, limit: 47, sort: 'relevance' });
    const folded = all.hits.reduce((n, h) => n + h.duplicateIds.length, 0);
    // The toy model sees only colour: many of the real photos are near-duplicates to it.
    expect(folded).toBeGreaterThan(10);
    expect(all.total).toBe(47 - folded);
    expect(all.complete).toBe(true);
    [1, 5, 20, 30, 32].forEach((limit, i) => {
      const page = pages[i]!;
      expect(page.hits.map((h) => h.photo.id)).toEqual(all.hits.slice(0, limit).map((h) => h.photo.id));
      // A shallower list may not have met every member of a group yet; those it has are the group's.
      page.hits.forEach((h, j) => expect(all.hits[j]!.duplicateIds).toEqual(expect.arrayContaining(h.duplicateIds)));
    });
    // Until the list reaches past the last photo it says there may be more.
    expect(pages[0]!.complete).toBe(false);
  });

  it('warms the text tower up front only when asked (the app does; a one-shot CLI command does not)', async () => {
    const model = await ClipModel.open(TOY_MODEL_DIR, { provider: 'cpu' });
    const settings = await engine.api['settings.get'](undefined);
    // A catalog of its own: photos' texts would load the text tower anyway, to embed them.
    const catalog = Catalog.open(path.join(root, 'warm-up.sqlite'));
    const service = new SearchService({ catalog, model, modelId: 'warm-up-test', dim: await model.dim(), settings: () => settings });
    try {
      await service.warmUp();
      expect(model.status().text.loaded).toBe(false);
      await service.warmUp({ text: true });
      expect(model.status().text).toMatchObject({ loaded: true, provider: 'cpu' });
    } finally {
      service.close();
      await model.dispose();
      catalog.close();
    }
  });

  it('diversify (MMR) separates near-duplicates among comparably relevant photos', async () => {
    const q = { text: 'red +yellow', useText: false, groupDuplicates: false, relevantOnly: false, limit: 10 } as const;
    const flat = await query(q);
    const varied = await query({ ...q, diversify: true });
    const gap = (r: SearchResult): number => Math.abs(names(r).indexOf('red.jpg') - names(r).indexOf('red-burst.jpg'));
    expect(gap(flat)).toBe(1);
    expect(gap(varied)).toBeGreaterThan(1);
    expect(names(varied).slice(0, 3)).toContain('yellow.jpg');
  });

  it('query arithmetic: subtracting a colour pushes its photos down; adding one pulls them up', async () => {
    const plain = await query({ text: 'purple', relevantOnly: false, groupDuplicates: false, useText: false, limit: 47 });
    const minus = await query({ text: 'purple -red', relevantOnly: false, groupDuplicates: false, useText: false, limit: 47 });
    expect(minus.terms).toEqual([
      { text: 'purple', weight: 1 },
      { text: 'red', weight: -0.5 },
    ]);
    const rank = (r: SearchResult, name: string): number => names(r).indexOf(name);
    expect(rank(minus, 'red.jpg')).toBeGreaterThan(rank(plain, 'red.jpg'));
    const plus = await query({ text: 'purple +yellow', relevantOnly: false, groupDuplicates: false, useText: false, limit: 47 });
    expect(rank(plus, 'yellow.jpg')).toBeLessThan(rank(plain, 'yellow.jpg'));
    await expect(query({ text: '-red' })).rejects.toThrow(/only subtracts/);
  });

  it('find similar: from a library photo, excluding itself', async () => {
    const result = await query({ photoIds: [ids.get('red.jpg')!], groupDuplicates: false });
    expect(names(result)).not.toContain('red.jpg');
    expect(result.hits[0]!.photo.name).toBe('red-burst.jpg');
  });

  it('several example photos at once: the mix of both comes before either alone', async () => {
    const result = await query({ photoIds: [ids.get('red.jpg')!, ids.get('yellow.jpg')!], groupDuplicates: false, relevantOnly: false, limit: 47 });
    expect(names(result)).not.toContain('red.jpg');
    expect(names(result)).not.toContain('yellow.jpg');
    expect(names(result)[0]).toBe('red-burst.jpg');
  });

  it('external image: embedded on the fly, searchable, not added to the library', async () => {
    const file = path.join(root, 'outside-green.jpg');
    await solid(file, COLOURS.green!);
    const before = (await engine.api['indexing.status'](undefined)).indexed;
    const uploaded = await engine.api['search.uploadImage']({ data: (await readFile(file)).toString('base64') });
    expect(uploaded).toMatchObject({ width: 96, height: 96 });
    const result = await query({ imageIds: [uploaded.imageId] });
    expect(result.hits[0]!.photo.name).toBe('green.jpg');
    expect((await engine.api['indexing.status'](undefined)).indexed).toBe(before);
    expect(engine.catalog.photos.getByPath(file)).toBeUndefined();
    await expect(engine.api['search.uploadImage']({ data: Buffer.from('not an image').toString('base64') })).rejects.toThrow();
    await expect(query({ imageIds: ['unknown'] })).rejects.toThrow(/no longer available/);
  });

  it('composed query: a photo plus a text modifier, the weight moving between the two', async () => {
    const red = ids.get('red.jpg')!;
    const imageHeavy = await query({ photoIds: [red], text: 'blue', textWeight: 0.1, groupDuplicates: false, relevantOnly: false });
    const textHeavy = await query({ photoIds: [red], text: 'blue', textWeight: 0.9, groupDuplicates: false, relevantOnly: false });
    expect(imageHeavy.hits[0]!.photo.name).toBe('red-burst.jpg');
    expect(textHeavy.hits[0]!.photo.name).toBe('blue.jpg');
  });

  it('filters: folder, date range, format, camera', async () => {
    const folderId = (await engine.api['library.folders'](undefined))[0]!.id;
    expect((await query({ text: 'red', filters: { folderIds: [folderId] } })).total).toBeGreaterThan(0);
    expect((await query({ text: 'red', filters: { folderIds: [folderId + 1000] } })).hits).toEqual([]);
    // Only the Flickr photos are dated January 2020 (file times).
    const january = await query({ text: 'red', relevantOnly: false, filters: { takenFrom: '2020-01', takenTo: '2020-01' }, limit: 100 });
    expect(january.hits.length).toBeGreaterThan(0);
    expect(january.hits.every((h) => !Object.keys(COLOURS).some((c) => h.photo.name.startsWith(c)))).toBe(true);
    expect(january.total).toBeLessThanOrEqual(31);
    const browsedJanuary = await query({ filters: { takenFrom: '2020-01-01', takenTo: '2020-01-31' }, limit: 100 });
    expect(browsedJanuary.total).toBe(31);
    expect((await query({ text: 'red', filters: { formats: ['png'] } })).hits).toEqual([]);
    expect((await query({ text: 'red', filters: { formats: ['jpeg'] } })).hits.length).toBeGreaterThan(0);
    expect((await query({ text: 'red', filters: { camera: 'Hasselblad' } })).hits).toEqual([]);
  });

  it('sort by date within the relevant set, and paging', async () => {
    const byRelevance = await query({ text: 'red', relevantOnly: false, groupDuplicates: false, useText: false, limit: 47 });
    const byDate = await query({ text: 'red', relevantOnly: false, groupDuplicates: false, useText: false, sort: 'date-asc', limit: 47 });
    expect(byDate.total).toBe(byRelevance.total);
    expect(new Set(names(byDate))).toEqual(new Set(names(byRelevance)));
    const dates = byDate.hits.map((h) => h.photo.takenAt ?? new Date(h.photo.mtimeMs).toISOString());
    expect(dates).toEqual([...dates].sort());
    const page1 = await query({ text: 'red', relevantOnly: false, groupDuplicates: false, useText: false, limit: 10 });
    const page2 = await query({ text: 'red', relevantOnly: false, groupDuplicates: false, useText: false, limit: 10, offset: 10 });
    expect(page2.offset).toBe(10);
    expect([...names(page1), ...names(page2)]).toEqual(names(byRelevance).slice(0, 20));
  });

  it('browsing (no query): every indexed photo, newest first, with paging', async () => {
    const first = await query({ limit: 10 });
    expect(first.total).toBe(47);
    expect(first.cutoff).toBeNull();
    const dates = first.hits.map((h) => h.photo.takenAt ?? new Date(h.photo.mtimeMs).toISOString().slice(0, 19));
    expect(dates).toEqual([...dates].sort().reverse());
    const rest = await query({ offset: 10, limit: 100 });
    expect(rest.hits.length).toBe(37);
    // A photo queued again (a model switch re-embeds everything) keeps showing while it waits.
    engine.catalog.photos.requeue([ids.get('yellow.jpg')!]);
    try {
      expect((await query({ limit: 100 })).total).toBe(47);
    } finally {
      engine.catalog.db.prepare(`UPDATE photos SET state = 'indexed' WHERE id = ?`).run(ids.get('yellow.jpg')!);
    }
  });

  it("photos' own text is fused into text search, switchable", async () => {
    const grey = ids.get('captioned-grey.jpg')!;
    expect(engine.catalog.photos.get(grey)?.description).toBe('red');
    await engine.search()!.textChanged();
    const rank = (r: SearchResult): number => names(r).indexOf('captioned-grey.jpg');
    const without = await query({ text: 'red', useText: false, groupDuplicates: false, relevantOnly: false, limit: 47 });
    const fused = await query({ text: 'red', useText: true, groupDuplicates: false, relevantOnly: false, limit: 47 });
    expect(rank(fused)).toBeLessThan(rank(without));
    expect(rank(fused)).toBeLessThan(5);
    // A note works the same way, and changing it is picked up.
    const green = ids.get('green.jpg')!;
    await engine.api['photos.setNote']({ id: green, note: 'yellow' });
    await engine.search()!.textChanged();
    const yellowQuery = await query({ text: 'yellow', useText: true, groupDuplicates: false, relevantOnly: false, limit: 47 });
    const yellowPlain = await query({ text: 'yellow', useText: false, groupDuplicates: false, relevantOnly: false, limit: 47 });
    expect(names(yellowQuery).indexOf('green.jpg')).toBeLessThan(names(yellowPlain).indexOf('green.jpg'));
    expect((await engine.api['photos.get']({ id: green })).note).toBe('yellow');
  });

  it('keeps up with the library: a new photo is found, a deleted one leaves', async () => {
    const file = path.join(library, 'late-orange.jpg');
    await solid(file, [250, 130, 20]);
    await engine.library.rescan((await engine.api['library.folders'](undefined))[0]!.id);
    for (let i = 0; i < 100 && engine.catalog.photos.getByPath(file)?.state !== 'indexed'; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await query({ text: 'orange' })).hits[0]!.photo.name).toBe('late-orange.jpg');
    rmSync(file);
    await engine.library.rescan((await engine.api['library.folders'](undefined))[0]!.id);
    expect(names(await query({ text: 'orange', relevantOnly: false, limit: 100 }))).not.toContain('late-orange.jpg');
  });

  it('describe: ranked captions for a library photo and for an uploaded image; labels and past queries join', async () => {
    const captions = await engine.api['photos.describe']({ id: ids.get('blue.jpg')!, k: 5 });
    expect(captions).toHaveLength(5);
    expect(captions[0]!.caption).toMatch(/blue/i);
    expect(captions[0]!.source).toBe('bank');
    const probabilities = captions.map((c) => c.probability);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);
    const file = path.join(root, 'outside-yellow.jpg');
    await solid(file, COLOURS.yellow!);
    const { imageId } = await engine.api['search.uploadImage']({ data: (await readFile(file)).toString('base64') });
    expect((await engine.api['photos.describe']({ imageId, k: 3 }))[0]!.caption).toMatch(/yellow/i);
    await expect(engine.api['photos.describe']({ k: 3 })).rejects.toThrow(/either/);

    expect(await engine.api['labels.add']({ text: 'Grandpa purple sweater' })).toContain('Grandpa purple sweater');
    const labelled = await engine.api['photos.describe']({ id: ids.get('purple.jpg')!, k: 40 });
    expect(labelled.find((c) => c.caption === 'Grandpa purple sweater')?.source).toBe('label');
    expect(await engine.api['labels.remove']({ text: 'grandpa purple sweater' })).not.toContain('Grandpa purple sweater');
    expect(await engine.api['labels.list'](undefined)).toEqual([]);
  });

  it('settings: stored in the catalog and applied to queries', async () => {
    const updated = await engine.api['settings.update']({ threshold: 0.99, groupDuplicates: false });
    expect(updated).toMatchObject({ threshold: 0.99, groupDuplicates: false });
    expect((await query({ text: 'red' })).cutoff?.reason).toBe('threshold');
    await engine.api['settings.update']({ threshold: -1, groupDuplicates: true });
    expect((await engine.api['settings.get'](undefined)).threshold).toBe(-1);
  });

  it('invalid payloads never reach the service', async () => {
    const { validateRequest } = await import('@shared/contract');
    expect(() => validateRequest('search.query', { text: 5 })).toThrow(/must be a string/);
    expect(() => validateRequest('search.query', { limit: 100_000 })).toThrow(/between/);
    expect(() => validateRequest('search.query', { sort: 'random' })).toThrow(/one of/);
    expect(() => validateRequest('search.query', { filters: { takenFrom: 'yesterday' } })).toThrow(/date/);
    expect(() => validateRequest('search.query', { photoIds: [1.5] })).toThrow(/integer/);
    expect(() => validateRequest('search.query', { extra: true })).toThrow(/unexpected field/);
  });
});
