import { copyFile, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../electron/engine/start-engine';
import { startWebServer, type WebServer } from '../../electron/engine/web/server';
import { hasChromium, launchChromium } from '../support/browser';
import { hasShared, repoRoot, sharedPath, TOY_MODEL_DIR } from '../support/shared-data';
import { toyManifest } from '../support/toy-manifest';

/*
 * The whole app in a real Chromium against a real engine in web mode: the toy colour model, real photos (solid
 * colours made here, Flickr8k photos, a file that is not an image), real folder watching and indexing. The toy model
 * understands colour words only, so colour queries are how search is checked.
 */

// Browser globals used inside page.evaluate() callbacks: the test project compiles without the DOM library.
declare const document: {
  activeElement: { textContent: string | null; getAttribute(name: string): string | null } | null;
  documentElement: object;
};
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const window: { dispatchEvent(event: object): boolean };
declare function getComputedStyle(element: object): { backgroundColor: string };
declare class DataTransfer {
  readonly items: { add(file: File): void };
}
declare class DragEvent {
  constructor(type: string, init: { dataTransfer: DataTransfer; cancelable: boolean });
}

const rendererDir = path.join(repoRoot, 'out', 'renderer');
const shots = path.join(repoRoot, 'test-results', 'screenshots');
const FLICKR = sharedPath('data', 'flickr8k-test1k', 'images');
const FLICKR_COUNT = 36;

const COLOURS: Record<string, [number, number, number]> = {
  red: [220, 20, 30],
  green: [30, 170, 40],
  blue: [25, 60, 220],
  yellow: [245, 220, 20],
};

async function solidJpeg(file: string, rgb: [number, number, number], mtimeMs: number): Promise<void> {
  await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg({ quality: 90 })
    .toFile(file);
  const at = new Date(mtimeMs);
  await utimes(file, at, at);
}

async function solidPngBase64(rgb: [number, number, number]): Promise<string> {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
  return png.toString('base64');
}

/** The file names of the result tiles on screen, in grid order. */
async function gridNames(page: Page): Promise<string[]> {
  return page
    .getByRole('grid', { name: 'Photos' })
    .getByRole('gridcell')
    .evaluateAll((cells) =>
      cells.map((cell) => cell.querySelector('img')?.getAttribute('alt') ?? cell.querySelector('[role="img"]')?.getAttribute('aria-label') ?? ''),
    );
}

async function firstResult(page: Page): Promise<string | undefined> {
  return (await gridNames(page))[0];
}

/** Types a query and waits until the results on screen are that query's. */
async function searchFor(page: Page, text: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search photos' }).fill(text);
  const summary = page.getByTestId('result-summary');
  if (text.trim()) await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toMatch(new RegExp(`photos? for '${text}'`));
  else await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toMatch(/photos?, newest first/);
}

/** Clears passing messages (they would date the screenshots). */
async function dismissToasts(page: Page): Promise<void> {
  const buttons = page.getByRole('button', { name: 'Dismiss' });
  while ((await buttons.count()) > 0) await buttons.first().click();
}

/** Back to the plain grid: dialogs and menus closed, search box empty, no example chips. */
async function resetView(page: Page): Promise<void> {
  for (let i = 0; i < 3 && (await page.getByRole('dialog').count()) + (await page.getByRole('menu').count()) > 0; i++) {
    await page.keyboard.press('Escape');
  }
  const clear = page.getByRole('button', { name: 'Clear the search' });
  if (await clear.isVisible()) await clear.click();
  await expect.poll(() => page.getByTestId('result-summary').textContent(), { timeout: 10_000 }).toMatch(/newest first/);
}

describe.skipIf(!hasChromium() || !hasShared('models/toy-color-clip', 'data/flickr8k-test1k'))('the app in the browser (web mode)', () => {
  let data: string;
  let photos: string;
  let engine: RunningEngine;
  let server: WebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(rendererDir, 'index.html'))) {
      throw new Error('the renderer is not built: run `npx electron-vite build` (npm test does it first)');
    }
    data = await mkdtemp(path.join(os.tmpdir(), 'shoebox-app-data-'));
    photos = await mkdtemp(path.join(os.tmpdir(), 'shoebox-app-photos-'));
    // Solid colours are the newest files; the Flickr photos are older, one minute apart.
    const now = Date.now();
    let i = 0;
    for (const [name, rgb] of Object.entries(COLOURS)) await solidJpeg(path.join(photos, `${name}.jpg`), rgb, now - 60_000 * ++i);
    const flickr = (await readdir(FLICKR)).filter((n) => n.endsWith('.jpg')).sort().slice(0, FLICKR_COUNT);
    for (const [k, name] of flickr.entries()) {
      const file = path.join(photos, name);
      await copyFile(path.join(FLICKR, name), file);
      const at = new Date(now - 3_600_000 - k * 60_000);
      await utimes(file, at, at);
    }
    await writeFile(path.join(photos, 'broken.jpg'), 'this is a text file, not a photo\n'.repeat(20));

    engine = await startEngine({ mode: 'web', dataDir: data, model: TOY_MODEL_DIR, provider: 'cpu' });
    server = await startWebServer({ api: engine.api, events: engine.events, rendererDir, media: engine.media });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 820 }, colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await mkdir(shots, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await engine?.close();
    if (data) await rm(data, { recursive: true, force: true });
    if (photos) await rm(photos, { recursive: true, force: true });
  });

  it('first run: without a model, the download screen', async () => {
    // A second engine whose model is not downloaded yet (its files would come from a server that is never asked).
    const manifest = toyManifest({ url: (name) => `http://127.0.0.1:9/toy/${name}` });
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'shoebox-app-first-'));
    const bare = await startEngine({ mode: 'web', dataDir: fresh, manifest, provider: 'cpu' });
    const bareServer = await startWebServer({ api: bare.api, events: bare.events, rendererDir });
    const first = await context.newPage();
    try {
      await first.goto(bareServer.url);
      await first.getByRole('button', { name: 'Download Toy colour CLIP' }).waitFor({ timeout: 15_000 });
      expect(await first.getByRole('searchbox').count()).toBe(0);
      await first.screenshot({ path: path.join(shots, 'first-run.png') });
    } finally {
      await first.close();
      await bareServer.close();
      await bare.close();
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('an empty library invites to add a folder; a bad path is refused in plain words', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Add your photos' }).waitFor({ timeout: 15_000 });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Shoebox');
    await page.screenshot({ path: path.join(shots, 'empty-library.png') });

    await page.getByLabel('Folder path').fill(path.join(photos, 'no-such-folder'));
    await page.getByRole('button', { name: 'Add folder' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toBeTruthy();
    expect(await page.getByRole('heading', { name: 'Add your photos' }).isVisible()).toBe(true);
  });

  it('adds a folder and shows indexing progress until every photo is done', async () => {
    await page.getByLabel('Folder path').fill(photos);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await page.getByRole('searchbox', { name: 'Search photos' }).waitFor({ timeout: 15_000 });
    const total = Object.keys(COLOURS).length + FLICKR_COUNT;
    await expect
      .poll(() => page.getByTestId('indexing-status').textContent(), { timeout: 60_000, interval: 250 })
      .toBe(`${total} photos indexed`);
    // Browsing: the whole library, newest first (the solid colours were written last).
    await expect.poll(() => gridNames(page), { timeout: 15_000 }).toHaveLength(total);
    expect((await gridNames(page)).slice(0, 4)).toEqual(['red.jpg', 'green.jpg', 'blue.jpg', 'yellow.jpg']);
    // The file that is not a photo is a listed failure, not a crash.
    await page.getByRole('button', { name: '1 could not be read' }).waitFor({ timeout: 15_000 });
    // Thumbnails load through the media route.
    await expect
      .poll(() => page.getByRole('img', { name: 'red.jpg', exact: true }).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 10_000 })
      .toBeGreaterThan(0);
  });

  it('answers a colour query as you type: "red" puts the red photo first', async () => {
    await searchFor(page, 'red');
    expect(await firstResult(page)).toBe('red.jpg');
    // Past the engine's cut-off: the rest of the library, still ranked by redness.
    const narrow = (await gridNames(page)).length;
    await page.getByRole('button', { name: 'Show weaker matches too' }).click();
    await expect.poll(async () => (await gridNames(page)).length, { timeout: 10_000 }).toBeGreaterThan(narrow);
    expect(await firstResult(page)).toBe('red.jpg');
    await page.mouse.move(0, 0);
    await dismissToasts(page);
    await page.screenshot({ path: path.join(shots, 'results-grid.png') });

    await searchFor(page, 'blue');
    expect(await firstResult(page)).toBe('blue.jpg');
    await searchFor(page, '');
    expect(await firstResult(page)).toBe('red.jpg');
    await page.screenshot({ path: path.join(shots, 'browse.png') });
  });

  it('right-click -> Find similar searches by that photo', async () => {
    await resetView(page);
    await searchFor(page, 'blue');
    expect(await firstResult(page)).toBe('blue.jpg');
    await page.getByRole('img', { name: 'blue.jpg', exact: true }).click({ button: 'right' });
    const menu = page.getByRole('menu');
    await menu.waitFor();
    const items = await menu.getByRole('menuitem').allTextContents();
    // Open and Show in folder need the desktop app: not offered in a browser.
    expect(items.map((s) => s.trim())).toEqual(['Find similar', 'Describe', 'Search with this photo + text', 'Copy path']);
    await menu.getByRole('menuitem', { name: 'Find similar' }).click();
    await expect.poll(() => page.getByRole('searchbox').inputValue()).toBe('');
    const chip = page.getByRole('button', { name: 'Remove blue.jpg from the search' });
    await chip.waitFor();
    await expect.poll(() => page.getByTestId('result-summary').textContent(), { timeout: 10_000 }).toMatch(/like blue\.jpg/);
    // What the engine finds for this photo is what the grid shows; the example itself is left out.
    const blue = (await engine.api['search.query']({ text: 'blue', limit: 1 })).hits[0]!.photo;
    const similar = await engine.api['search.query']({ photoIds: [blue.id], limit: 50 });
    expect(similar.hits.length).toBeGreaterThan(0);
    await expect.poll(() => gridNames(page), { timeout: 10_000 }).toEqual(similar.hits.map((hit) => hit.photo.name));
    expect(await gridNames(page)).not.toContain('blue.jpg');
    await chip.click();
    await expect.poll(() => firstResult(page), { timeout: 10_000 }).toBe('red.jpg');
  });

  it('the context menu works from the keyboard; Copy path copies the path', async () => {
    await resetView(page);
    await page.getByRole('img', { name: 'green.jpg', exact: true }).click();
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu');
    await menu.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Find similar');
    await page.keyboard.press('End');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Copy path');
    await page.keyboard.press('Enter');
    await expect.poll(() => menu.count()).toBe(0);
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(path.join(photos, 'green.jpg'));
    // Esc closes the menu and gives focus back to the grid.
    await page.keyboard.press('Shift+F10');
    await menu.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => menu.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid');
  });

  it('Describe shows ranked captions with probabilities in the viewer', async () => {
    await resetView(page);
    await page.getByRole('img', { name: 'blue.jpg', exact: true }).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Describe' }).click();
    const viewer = page.getByRole('dialog', { name: 'blue.jpg' });
    await viewer.waitFor();
    await expect.poll(() => viewer.getByTestId('viewer-name').textContent(), { timeout: 10_000 }).toBe('blue.jpg');
    const captions = viewer.getByRole('list', { name: 'Captions, most likely first' });
    await captions.waitFor({ timeout: 30_000 });
    const texts = await captions.getByRole('listitem').allTextContents();
    expect(texts.length).toBeGreaterThan(1);
    const percents = texts.map((t) => Number(/([\d.]+)%/.exec(t)?.[1]));
    expect(percents.every((p) => Number.isFinite(p))).toBe(true);
    expect([...percents].sort((a, b) => b - a)).toEqual(percents);
    // The toy model knows colours: the best caption of a blue photo speaks of blue.
    expect(texts[0]!.toLowerCase()).toContain('blue');
    // The full image loads, and similar photos are offered.
    await expect
      .poll(() => viewer.getByRole('img', { name: 'blue.jpg', exact: true }).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 10_000 })
      .toBe(320);
    await expect.poll(() => viewer.getByRole('region', { name: 'Similar photos' }).getByRole('img').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(shots, 'viewer-describe.png') });
    // The same context menu inside the viewer; Esc closes the menu first, then the viewer.
    await viewer.getByRole('img', { name: 'blue.jpg', exact: true }).click({ button: 'right' });
    await viewer.getByRole('menu').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('menu').count()).toBe(0);
    expect(await viewer.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
  });

  it('Search with this photo + text composes a query, weighted by the slider', async () => {
    await resetView(page);
    await page.getByRole('img', { name: 'red.jpg', exact: true }).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Search with this photo + text' }).click();
    await page.getByRole('button', { name: 'Remove red.jpg from the search' }).waitFor();
    // The box keeps focus for the words to add.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search photos');
    await page.keyboard.type('blue');
    await expect.poll(() => page.getByTestId('result-summary').textContent(), { timeout: 10_000 }).toMatch(/for 'blue' like red\.jpg/);
    const slider = page.getByRole('slider', { name: 'Text' });
    expect(await slider.inputValue()).toBe('0.5');
    // All the weight on the text: the blue photo leads (the example photo itself is never a result).
    await slider.evaluate((el) => {
      const input = el as unknown as { value: string; dispatchEvent(event: Event): boolean };
      input.value = '1';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect.poll(() => firstResult(page), { timeout: 10_000 }).toBe('blue.jpg');
    expect(await gridNames(page)).not.toContain('red.jpg');
  });

  it('filters narrow the results, and an empty result says so in plain words', async () => {
    await resetView(page);
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByLabel('Format').selectOption('png');
    await expect.poll(() => page.getByRole('heading', { name: 'No photos match these filters.' }).count(), { timeout: 10_000 }).toBe(1);
    await page.getByLabel('Format').selectOption('jpeg');
    await expect.poll(() => page.getByTestId('result-summary').textContent(), { timeout: 10_000 }).toMatch(/photos matching the filters, newest first/);
    await page.getByLabel('Camera').fill('Hasselblad');
    await expect.poll(() => page.getByRole('heading', { name: 'No photos match these filters.' }).count(), { timeout: 10_000 }).toBe(1);
    // With words too, the message names them and says what to try.
    await page.getByRole('searchbox').fill('red');
    await page.getByRole('heading', { name: "No photos match 'red'." }).waitFor({ timeout: 10_000 });
    expect(await page.getByText('Try another word or clear the filters.').count()).toBe(1);
    await dismissToasts(page);
    await page.screenshot({ path: path.join(shots, 'filters-empty.png') });
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => firstResult(page), { timeout: 10_000 }).toBe('red.jpg');
    await page.getByRole('button', { name: 'Filters' }).click();
    expect(await page.getByLabel('Camera').count()).toBe(0);
  });

  it('Settings: device in use, what applies after a restart, and result options that apply at once', async () => {
    await resetView(page);
    await searchFor(page, 'red');
    await page.getByRole('button', { name: 'Show weaker matches too' }).click();
    const badges = page.getByRole('grid').getByText(/near-duplicate/);
    await expect.poll(() => badges.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByText('Model, device and threads apply after a restart.').waitFor({ timeout: 10_000 });
    expect(await dialog.textContent()).toContain('Asked for: cpu; in use: cpu');
    await page.screenshot({ path: path.join(shots, 'settings.png') });
    const group = dialog.getByRole('checkbox', { name: /Group duplicates/ });
    expect(await group.isChecked()).toBe(true);
    await group.uncheck();
    await expect.poll(async () => (await engine.api['settings.get'](undefined)).groupDuplicates).toBe(false);
    await page.keyboard.press('Escape');
    await expect.poll(() => badges.count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('button', { name: 'Settings' }).click();
    await dialog.getByRole('checkbox', { name: /Group duplicates/ }).check();
    await expect.poll(async () => (await engine.api['settings.get'](undefined)).groupDuplicates).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => badges.count(), { timeout: 10_000 }).toBeGreaterThan(0);
  });

  it('keyboard: / focuses search, arrows move, Enter opens the viewer, Esc closes it', async () => {
    await resetView(page);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search photos');
    await page.keyboard.type('blue');
    await expect.poll(() => page.getByTestId('result-summary').textContent(), { timeout: 10_000 }).toMatch(/for 'blue'/);
    expect(await firstResult(page)).toBe('blue.jpg');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid');
    const selected = () => page.locator('[role="gridcell"][aria-selected="true"]').getAttribute('data-index');
    await expect.poll(selected).toBe('0');
    await page.keyboard.press('ArrowRight');
    await expect.poll(selected).toBe('1');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(selected).toBe('0');
    await page.keyboard.press('Enter');
    const viewer = page.getByRole('dialog', { name: 'blue.jpg' });
    await viewer.waitFor();
    // Left/Right step through the results inside the viewer.
    const second = (await gridNames(page))[1]!;
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: second }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await viewer.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid');
    // Space: quick look, and Space again closes it.
    await page.keyboard.press(' ');
    await page.getByRole('dialog', { name: 'Quick look: blue.jpg' }).waitFor();
    await page.keyboard.press(' ');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
  });

  it('a dropped image searches by it and shows as a removable chip', async () => {
    await resetView(page);
    const green = await solidPngBase64(COLOURS.green!);
    await page.evaluate((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'swatch.png', { type: 'image/png' }));
      window.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, cancelable: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, cancelable: true }));
    }, green);
    const chip = page.getByTestId('image-chip');
    await chip.waitFor({ timeout: 15_000 });
    expect(await chip.textContent()).toContain('swatch.png');
    await expect.poll(() => firstResult(page), { timeout: 10_000 }).toBe('green.jpg');
    await page.getByRole('button', { name: 'Remove swatch.png from the search' }).click();
    await expect.poll(() => chip.count()).toBe(0);
    await expect.poll(() => firstResult(page), { timeout: 10_000 }).toBe('red.jpg');
  });

  it('a photo copied into the folder appears in the results without a reload', async () => {
    await resetView(page);
    await searchFor(page, 'purple');
    expect(await gridNames(page)).not.toContain('purple.jpg');
    await solidJpeg(path.join(photos, 'purple.jpg'), [130, 30, 170], Date.now());
    await expect.poll(() => firstResult(page), { timeout: 30_000, interval: 250 }).toBe('purple.jpg');
    // Browsing, newest first: the new photo leads.
    await searchFor(page, '');
    expect(await firstResult(page)).toBe('purple.jpg');
  });

  it('the folder manager lists the folder, its counts and the file that could not be read', async () => {
    await resetView(page);
    await page.getByRole('button', { name: 'Folders' }).click();
    const dialog = page.getByRole('dialog', { name: 'Folders' });
    await dialog.waitFor();
    const folder = dialog.getByRole('listitem', { name: photos });
    await expect.poll(() => folder.textContent(), { timeout: 10_000 }).toMatch(/Watching for changes|Checking for changes/);
    await expect.poll(() => folder.getByTestId('folder-counts').textContent(), { timeout: 20_000 }).toMatch(/1 could not be read/);
    const failures = dialog.getByRole('list', { name: 'Photos that could not be read' });
    await failures.waitFor({ timeout: 10_000 });
    const failure = await failures.getByRole('listitem').first().textContent();
    expect(failure).toContain('broken.jpg');
    expect(failure!.replace('broken.jpg', '').length).toBeGreaterThan(10);
    await page.screenshot({ path: path.join(shots, 'folder-manager.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
  });

  it('follows the dark theme of the OS', async () => {
    await resetView(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(background).toBe('rgb(18, 17, 16)');
    await searchFor(page, 'pink');
    await page.getByRole('button', { name: 'Show weaker matches too' }).click();
    await expect.poll(async () => (await gridNames(page)).length, { timeout: 10_000 }).toBeGreaterThan(10);
    await page.mouse.move(0, 0);
    await dismissToasts(page);
    await page.screenshot({ path: path.join(shots, 'dark-results.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('removing the folder takes its photos out of the results', async () => {
    await resetView(page);
    await page.getByRole('button', { name: 'Folders' }).click();
    const dialog = page.getByRole('dialog', { name: 'Folders' });
    await dialog.getByRole('button', { name: `Remove ${photos}` }).click();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect.poll(() => dialog.getByRole('listitem', { name: photos }).count(), { timeout: 10_000 }).toBe(0);
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'Add your photos' }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('grid').count()).toBe(0);
    const left = await engine.api['search.query']({});
    expect(left.total).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  // The README's screenshot is refreshed on request only, so test runs leave the committed file alone.
  it.runIf(process.env.UPDATE_DOCS_SCREENSHOT === '1')('refreshes docs/screenshot.png', async () => {
    const source = path.join(shots, 'results-grid.png');
    expect(existsSync(source)).toBe(true);
    await mkdir(path.join(repoRoot, 'docs'), { recursive: true });
    // A palette PNG: a fraction of the size, no visible difference at README scale.
    await sharp(source).png({ palette: true, quality: 90, compressionLevel: 9 }).toFile(path.join(repoRoot, 'docs', 'screenshot.png'));
  });
});
