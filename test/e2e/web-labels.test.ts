import { mkdir, mkdtemp, rm, utimes } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../electron/engine/start-engine';
import { startWebServer, type WebServer } from '../../electron/engine/web/server';
import { hasChromium, launchChromium } from '../support/browser';
import { hasShared, repoRoot, TOY_MODEL_DIR } from '../support/shared-data';

/*
 * The user's labels and near-duplicate groups, in a real Chromium against a real engine in web mode with the toy
 * colour model (its text tower counts colour words, so a label with 'purple' in it fits a purple photo). Two photos
 * of the same orange, one with a little noise, are near-identical (cosine >= 0.95): the engine shows them once.
 */

// Browser globals used inside page.evaluate() callbacks: the test project compiles without the DOM library.
declare const document: { activeElement: { id: string; textContent: string | null } | null };

const rendererDir = path.join(repoRoot, 'out', 'renderer');
const shots = path.join(repoRoot, 'test-results', 'screenshots');
const LABEL = 'Grandpa purple sweater';

const COLOURS: Record<string, [number, number, number]> = {
  red: [220, 20, 30],
  green: [30, 170, 40],
  blue: [25, 60, 220],
  purple: [130, 30, 170],
  yellow: [245, 220, 20],
};
const ORANGE: [number, number, number] = [240, 140, 25];

async function solidJpeg(file: string, rgb: [number, number, number], mtimeMs: number, noise = 0): Promise<void> {
  const width = 320;
  const height = 240;
  const pixels = Buffer.alloc(width * height * 3);
  // A fixed pseudo-random sequence: the same photo every run.
  let seed = 12345;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) pixels[i * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c]! + noise * random())));
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(file);
  const at = new Date(mtimeMs);
  await utimes(file, at, at);
}

/** The file names of the result tiles on screen, in grid order. */
async function gridNames(page: Page): Promise<string[]> {
  return page
    .getByRole('grid', { name: 'Photos' })
    .getByRole('gridcell')
    .evaluateAll((cells) => cells.map((cell) => cell.querySelector('img')?.getAttribute('alt') ?? ''));
}

/** Types a query and waits until the results on screen are that query's. */
async function searchFor(page: Page, text: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search photos' }).fill(text);
  const summary = page.getByTestId('result-summary');
  if (text.trim()) await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toMatch(new RegExp(`photos? for '${text}'`));
  else await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toMatch(/photos?, newest first/);
}

/** expect.poll for hooks (it only runs inside tests). */
async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function closeDialogs(page: Page): Promise<void> {
  for (let i = 0; i < 4 && (await page.getByRole('dialog').count()) > 0; i++) await page.keyboard.press('Escape');
  await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
}

/** Opens a photo's viewer through the context menu's Describe and returns its caption texts once they are in. */
async function describePhoto(page: Page, name: string): Promise<string[]> {
  await page.getByRole('grid', { name: 'Photos' }).getByRole('img', { name, exact: true }).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Describe' }).click();
  const viewer = page.getByRole('dialog', { name, exact: true });
  await viewer.waitFor();
  const captions = viewer.getByRole('list', { name: 'Captions, most likely first' });
  // The first Describe embeds the caption bank (once per model).
  await captions.waitFor({ timeout: 60_000 });
  return captions.getByRole('listitem').allTextContents();
}

describe.skipIf(!hasChromium() || !hasShared('models/toy-color-clip'))('labels and near-duplicate groups in the browser (web mode)', () => {
  let data: string;
  let photos: string;
  let engine: RunningEngine;
  let server: WebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const total = Object.keys(COLOURS).length + 2;

  beforeAll(async () => {
    if (!existsSync(path.join(rendererDir, 'index.html'))) {
      throw new Error('the renderer is not built: run `npx electron-vite build` (npm test does it first)');
    }
    data = await mkdtemp(path.join(os.tmpdir(), 'shoebox-labels-data-'));
    photos = await mkdtemp(path.join(os.tmpdir(), 'shoebox-labels-photos-'));
    const now = Date.now();
    let i = 0;
    for (const [name, rgb] of Object.entries(COLOURS)) await solidJpeg(path.join(photos, `${name}.jpg`), rgb, now - 60_000 * ++i);
    await solidJpeg(path.join(photos, 'orange-1.jpg'), ORANGE, now - 60_000 * ++i);
    await solidJpeg(path.join(photos, 'orange-2.jpg'), ORANGE, now - 60_000 * (i + 1), 6);

    engine = await startEngine({ mode: 'web', dataDir: data, model: TOY_MODEL_DIR, provider: 'cpu' });
    server = await startWebServer({ api: engine.api, events: engine.events, rendererDir, media: engine.media });
    await engine.api['library.addFolder']({ path: photos });
    await waitUntil(async () => (await engine.api['indexing.status'](undefined)).indexed === total, 60_000, 'every photo indexed');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 820 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await mkdir(shots, { recursive: true });
    await page.goto(server.url);
    await waitUntil(async () => (await gridNames(page)).length === total, 15_000, 'the whole library in the grid');
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await engine?.close();
    if (data) await rm(data, { recursive: true, force: true });
    if (photos) await rm(photos, { recursive: true, force: true });
  });

  it('a label added in Settings shows among a purple photo’s captions, and removing it takes it away', async () => {
    expect(await describePhoto(page, 'purple.jpg')).not.toContainEqual(expect.stringContaining(LABEL));
    await closeDialogs(page);

    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    const section = dialog.getByRole('region', { name: 'Your labels' });
    await section.getByText('No labels yet.').waitFor({ timeout: 10_000 });
    const field = section.getByRole('textbox', { name: 'New label' });

    // Plain-language refusals, next to the field.
    await field.fill('   ');
    await field.press('Enter');
    await expect.poll(() => section.getByRole('alert').textContent()).toMatch(/^Type a few words first/);
    expect(await field.getAttribute('aria-invalid')).toBe('true');

    // Added from the keyboard: Enter in the field.
    await field.fill(LABEL);
    await field.press('Enter');
    const list = section.getByRole('list', { name: 'Your labels' });
    await expect.poll(() => list.getByRole('listitem').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining(LABEL)]);
    expect(await section.getByRole('alert').count()).toBe(0);
    expect(await section.getByRole('status').textContent()).toContain(`Added “${LABEL}”`);
    expect(await field.inputValue()).toBe('');
    expect(await engine.api['labels.list'](undefined)).toEqual([LABEL]);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'settings-labels.png') });

    // The same label again, in other case and spacing: said, not silently ignored.
    await field.fill('grandpa  PURPLE sweater');
    await field.press('Enter');
    await expect.poll(() => section.getByRole('alert').textContent()).toBe(`“${LABEL}” is already one of your labels.`);
    await field.fill('');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);

    // Describe ranks the label with the built-in bank: for a purple photo it is near the top, marked as the user's.
    const captions = await describePhoto(page, 'purple.jpg');
    const own = captions.find((text) => text.includes(LABEL));
    expect(own).toBeDefined();
    expect(own).toContain('your label');
    expect(captions.slice(0, 3)).toContainEqual(expect.stringContaining(LABEL));
    await closeDialogs(page);

    // Removed in Settings: the list says so, and Describe no longer offers it.
    await page.getByRole('button', { name: 'Settings' }).click();
    await section.getByRole('button', { name: `Remove label ${LABEL}` }).click();
    await section.getByText('No labels yet.').waitFor({ timeout: 10_000 });
    expect(await section.getByRole('status').textContent()).toContain(`Removed “${LABEL}”`);
    // Focus stays in the section (on the field, the list being empty).
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('new-label');
    expect(await engine.api['labels.list'](undefined)).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await describePhoto(page, 'purple.jpg')).not.toContainEqual(expect.stringContaining(LABEL));
    await closeDialogs(page);
  });

  it('“+ Add label” in the viewer adds a label and describes the photo again; its × removes it', async () => {
    await describePhoto(page, 'purple.jpg');
    const viewer = page.getByRole('dialog', { name: 'purple.jpg', exact: true });
    const captions = viewer.getByRole('list', { name: 'Captions, most likely first' });

    await viewer.getByRole('button', { name: '+ Add label' }).click();
    const field = viewer.getByRole('textbox', { name: 'New label' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('viewer-new-label');
    // Esc leaves the form, not the viewer.
    await page.keyboard.press('Escape');
    await expect.poll(() => field.count()).toBe(0);
    expect(await viewer.isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('+ Add label');

    await page.keyboard.press('Enter');
    await field.waitFor();
    await field.press('Enter');
    await expect.poll(() => viewer.getByRole('alert').textContent()).toMatch(/^Type a few words first/);
    await field.fill(LABEL);
    await field.press('Enter');
    await expect.poll(() => captions.getByRole('listitem').allTextContents(), { timeout: 30_000 }).toContainEqual(expect.stringContaining(LABEL));
    await viewer.getByText(`Added “${LABEL}”; it is among this photo’s captions now.`).waitFor({ timeout: 10_000 });
    expect(await engine.api['labels.list'](undefined)).toEqual([LABEL]);
    await page.screenshot({ path: path.join(shots, 'viewer-label.png') });

    await captions.getByRole('button', { name: `Remove label ${LABEL}` }).click();
    await expect.poll(() => captions.getByRole('listitem').allTextContents(), { timeout: 30_000 }).not.toContainEqual(expect.stringContaining(LABEL));
    expect(await engine.api['labels.list'](undefined)).toEqual([]);
    await closeDialogs(page);
  });

  it('a near-duplicate group opens from its “+1” badge and lists both file names; the viewer steps through it', async () => {
    await searchFor(page, 'orange');
    const names = await gridNames(page);
    // One of the two oranges leads; the other is hidden behind it.
    const leader = names[0]!;
    expect(['orange-1.jpg', 'orange-2.jpg']).toContain(leader);
    expect(names).toHaveLength(names.filter((n) => !n.startsWith('orange')).length + 1);
    const other = leader === 'orange-1.jpg' ? 'orange-2.jpg' : 'orange-1.jpg';

    const badge = page.getByRole('grid', { name: 'Photos' }).getByRole('button', { name: 'Show 1 similar shot' });
    await expect.poll(() => badge.count(), { timeout: 10_000 }).toBe(1);
    await badge.click();
    const group = page.getByRole('dialog', { name: `${leader} and 1 similar shot` });
    await group.waitFor();
    const members = group.getByRole('list', { name: 'Photos in this group' });
    await expect.poll(() => members.getByRole('img').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('alt'))), { timeout: 10_000 }).toEqual([leader, other]);
    // Thumbnails load through the media route; details come from photos.get.
    for (const name of [leader, other]) {
      await expect
        .poll(() => members.getByRole('img', { name, exact: true }).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 10_000 })
        .toBeGreaterThan(0);
    }
    await expect.poll(() => members.getByRole('listitem').nth(1).textContent(), { timeout: 10_000 }).toContain('320 × 240');
    await page.screenshot({ path: path.join(shots, 'duplicate-group.png') });

    // Open the hidden one: the viewer steps through the group, and closing it comes back to the group.
    await members.getByRole('button', { name: other }).click();
    const viewer = page.getByRole('dialog', { name: other, exact: true });
    await viewer.waitFor();
    expect(await viewer.getByText('2 of 2 in this group').count()).toBe(1);
    await page.keyboard.press('ArrowLeft');
    await page.getByRole('dialog', { name: leader, exact: true }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    expect(await group.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);

    // From the keyboard: the grid's context menu offers the same group.
    await page.getByRole('grid', { name: 'Photos' }).focus();
    const selected = () => page.locator('[role="gridcell"][aria-selected="true"]').getAttribute('data-index');
    await page.keyboard.press('Home');
    await expect.poll(selected).toBe('0');
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu');
    await menu.waitFor();
    expect((await menu.getByRole('menuitem').allTextContents()).map((s) => s.trim())).toContain('Show 1 similar shot');
    await menu.getByRole('menuitem', { name: 'Show 1 similar shot' }).press('Enter');
    await group.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    // A photo without near-duplicates behind it has no such item.
    await searchFor(page, '');
    await page.getByRole('grid', { name: 'Photos' }).getByRole('img', { name: 'red.jpg', exact: true }).click({ button: 'right' });
    await menu.waitFor();
    expect((await menu.getByRole('menuitem').allTextContents()).map((s) => s.trim())).toEqual(['Find similar', 'Describe', 'Search with this photo + text', 'Copy path']);
    await page.keyboard.press('Escape');
    expect(pageErrors).toEqual([]);
  });
});
