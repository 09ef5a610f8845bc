import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestChannels, type ShoeboxApi } from '../../shared/contract';
import type { AppStatus, SearchHit, SearchQuery, SearchResult } from '../../shared/types';
import { EngineEvents } from '../../electron/engine/events';
import { startWebServer, type WebServer } from '../../electron/engine/web/server';
import { hasChromium, launchChromium } from '../support/browser';
import { repoRoot } from '../support/shared-data';

/*
 * The renderer against 100 000 results. No engine can index that many photos inside a test, so the real web server
 * serves the built renderer with a synthetic API behind the same contract: what is measured here is the UI - how much
 * of the result list exists in the DOM, how many pages it asks for, the typing debounce and stale-answer handling.
 */

// Used inside page.evaluate() callbacks: the test project compiles without the DOM library.
declare function requestAnimationFrame(callback: (now: number) => void): number;

const rendererDir = path.join(repoRoot, 'out', 'renderer');
const shots = path.join(repoRoot, 'test-results', 'screenshots');
const TOTAL = 100_000;

const status: AppStatus = {
  app: { name: 'Shoebox', version: '0.0.0-test' },
  engine: { mode: 'web', state: 'ready', error: null },
  model: { id: 'synthetic', name: 'Synthetic', state: 'available', receivedBytes: null, totalBytes: null, reason: null },
  runtime: { provider: 'cpu', requestedProvider: 'auto', fallbackReason: null, intraOpThreads: 2 },
};

function hit(index: number, searching: boolean): SearchHit {
  const id = index + 1;
  return {
    photo: { id, folderId: 1, path: `/photos/photo-${id}.jpg`, name: `photo-${id}.jpg`, width: 640, height: 480, takenAt: null, format: 'jpeg', mtimeMs: 1_700_000_000_000 - id * 1000 },
    score: searching ? 0.5 - index / (4 * TOTAL) : null,
    relevance: searching ? 1 - index / TOTAL : null,
    duplicateIds: id % 97 === 0 ? [TOTAL + id] : [],
  };
}

describe.skipIf(!hasChromium())('the results grid with 100 000 results', () => {
  const queries: SearchQuery[] = [];
  let server: WebServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(path.join(rendererDir, 'index.html'))) {
      throw new Error('the renderer is not built: run `npx electron-vite build` (npm test does it first)');
    }
    const notHere = async (): Promise<never> => {
      throw new Error('not part of this test');
    };
    const api = Object.fromEntries(requestChannels.map((channel) => [channel, notHere])) as unknown as ShoeboxApi;
    api['app.status'] = async () => status;
    api['library.folders'] = async () => [
      { id: 1, path: '/photos', mode: 'watching', reason: null, scanning: false, photos: TOTAL, indexed: TOTAL, pending: 0, failed: 0 },
    ];
    api['indexing.status'] = async () => ({ state: 'idle', pending: 0, indexed: TOTAL, failed: 0, processedThisRun: 0, ratePerSecond: 0, etaSeconds: null });
    api['search.query'] = async (query): Promise<SearchResult> => {
      queries.push(query);
      // A slow answer to test that a stale reply never replaces a newer one.
      if (query.text === 'slow') await new Promise((resolve) => setTimeout(resolve, 1500));
      const offset = query.offset ?? 0;
      const limit = query.limit ?? 100;
      const searching = query.text !== undefined;
      const total = query.text === 'slow' ? 7 : TOTAL;
      const hits: SearchHit[] = [];
      for (let i = offset; i < Math.min(total, offset + limit); i++) hits.push(hit(i, searching));
      return {
        hits,
        total,
        complete: true,
        offset,
        cutoff: searching ? { score: 0.25, reason: 'distribution' } : null,
        terms: searching ? [{ text: query.text!, weight: 1 }] : [],
        tookMs: 2,
      };
    };
    server = await startWebServer({ api, events: new EngineEvents(), rendererDir });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 820 } })).newPage();
    await mkdir(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const cellsInDom = (): Promise<number> => page.locator('[role="gridcell"]').count();

  it('keeps only the rows on screen in the DOM and fetches pages of 200 as it scrolls', async () => {
    await page.goto(server.url);
    const summary = page.getByTestId('result-summary');
    await expect.poll(() => summary.textContent(), { timeout: 15_000 }).toMatch(/^100,000 photos, newest first/);
    const grid = page.getByRole('grid', { name: 'Photos' });
    expect(await grid.getAttribute('aria-rowcount')).toBe(String(Math.ceil(TOTAL / Number(await grid.getAttribute('aria-colcount')))));
    // A thumbnail that cannot be loaded becomes a neutral placeholder that keeps the file name.
    await page.getByRole('img', { name: 'photo-1.jpg', exact: true }).waitFor();
    const columns = Number(await grid.getAttribute('aria-colcount'));
    expect(await cellsInDom()).toBeLessThanOrEqual(columns * 12);
    expect(queries.every((q) => q.limit === 200)).toBe(true);
    expect(queries.length).toBeLessThanOrEqual(3);

    // Jump to the middle: the rows there render with their own photos once their page arrives.
    await grid.evaluate((el) => {
      const viewport = el as unknown as { scrollTop: number; scrollHeight: number };
      viewport.scrollTop = viewport.scrollHeight / 2;
    });
    const firstCell = async (): Promise<{ index: number; name: string | null }> => {
      const first = page.locator('[role="gridcell"]').first();
      const index = Number(await first.getAttribute('data-index'));
      const image = first.getByRole('img');
      const name = (await image.count()) ? ((await image.getAttribute('alt')) ?? (await image.getAttribute('aria-label'))) : null;
      return { index, name };
    };
    await expect.poll(async () => {
      const { index, name } = await firstCell();
      return name === `photo-${index + 1}.jpg`;
    }, { timeout: 10_000 }).toBe(true);
    const middle = Number(await page.locator('[role="gridcell"]').first().getAttribute('data-index'));
    expect(middle).toBeGreaterThan(TOTAL / 2 - 200);
    expect(await cellsInDom()).toBeLessThanOrEqual(columns * 12);
    // Only the pages near what was shown were asked for, never the 500 pages in between.
    expect(queries.length).toBeLessThanOrEqual(8);
    await page.screenshot({ path: path.join(shots, 'scale-100k.png') });
  });

  it('stays smooth while scrolling fast through the list', async () => {
    const grid = page.getByRole('grid', { name: 'Photos' });
    const frames = await grid.evaluate(
      (node) =>
        new Promise<number[]>((resolve) => {
          const el = node as unknown as { scrollTop: number };
          const gaps: number[] = [];
          let last = performance.now();
          let n = 0;
          const step = (now: number): void => {
            gaps.push(now - last);
            last = now;
            el.scrollTop += 700;
            if (++n < 90) requestAnimationFrame(step);
            else resolve(gaps.slice(1));
          };
          requestAnimationFrame(step);
        }),
    );
    const sorted = [...frames].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(`scrolling 100k results: median frame ${median.toFixed(1)} ms, p95 ${sorted[Math.floor(sorted.length * 0.95)]!.toFixed(1)} ms`);
    // Headless Chromium without a GPU on a shared machine: generous bound, but a DOM of 100k tiles would blow it.
    expect(median).toBeLessThan(100);
    expect(await page.locator('[role="gridcell"]').count()).toBeLessThan(200);
  });

  it('End goes to the very last result', async () => {
    const grid = page.getByRole('grid', { name: 'Photos' });
    await grid.focus();
    await page.keyboard.press('End');
    await expect.poll(() => page.locator('[role="gridcell"][aria-selected="true"]').getAttribute('data-index'), { timeout: 10_000 }).toBe(String(TOTAL - 1));
    await page.getByRole('img', { name: `photo-${TOTAL}.jpg`, exact: true }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Home');
    await page.getByRole('img', { name: 'photo-1.jpg', exact: true }).waitFor({ timeout: 10_000 });
  });

  it('asks once per pause in typing, and ignores a slow answer to an older query', async () => {
    const before = queries.length;
    await page.getByRole('searchbox').click();
    await page.keyboard.type('red', { delay: 40 });
    await expect.poll(() => page.getByTestId('result-summary').textContent(), { timeout: 10_000 }).toMatch(/^100,000 photos for 'red'/);
    const typed = queries.slice(before).map((q) => q.text);
    expect(typed.filter((t) => t !== 'red')).toEqual([]);

    // 'slow' answers after 1.5 s; 'blue' is typed meanwhile and answers at once. The late reply must not win.
    await page.getByRole('searchbox').fill('slow');
    await expect.poll(() => queries.some((q) => q.text === 'slow'), { timeout: 5000 }).toBe(true);
    await page.getByRole('searchbox').fill('blue');
    await expect.poll(() => page.getByTestId('result-summary').textContent(), { timeout: 10_000 }).toMatch(/^100,000 photos for 'blue'/);
    await page.waitForTimeout(2000);
    expect(await page.getByTestId('result-summary').textContent()).toMatch(/^100,000 photos for 'blue'/);
  });

  it('fits a narrow window without sideways scrolling', async () => {
    await page.setViewportSize({ width: 700, height: 700 });
    await page.getByRole('searchbox').fill('');
    await expect.poll(() => page.getByTestId('result-summary').textContent(), { timeout: 10_000 }).toMatch(/newest first/);
    const grid = page.getByRole('grid', { name: 'Photos' });
    await expect.poll(() => grid.getAttribute('aria-colcount')).toBe('3');
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(shots, 'narrow.png') });
  });
});
