// `npm run bench -- web [--quick]`: web mode (`shoebox serve`, engine in this process) with a 100k-photo library in
// Debian's headless Chromium: first results on screen after page load, and frame times while scrolling the virtualised
// grid (a steady wheel gesture, and a top-to-bottom sweep through all 100k results), from a Chromium performance trace
// (CDP Tracing) with in-page requestAnimationFrame deltas as a cross-check. Every photo has a real WebP thumbnail, so
// the figures include fetching and decoding them. Target (issue): first results <= 1 s, no frame over 50 ms.
// Baselines in the same run: first results for a 1k-photo library (what the library's size costs), and the same
// scrolls over a minimal plain-JavaScript virtualised grid of the same geometry (what any virtualised grid costs in
// this browser on this machine; on a busy 2-core machine it drops frames too).
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, CDPSession, Page, Request } from 'playwright-core';
import sharp from 'sharp';
import { Catalog, CATALOG_FILE_NAME } from '../electron/engine/catalog/catalog';
import { ClipModel } from '../electron/engine/clip/clip-model';
import { catalogModelId, startEngine, type RunningEngine } from '../electron/engine/start-engine';
import { startWebServer, type WebServer } from '../electron/engine/web/server';
import { CHROMIUM_PATH, launchChromium } from '../test/support/browser';
import type { BenchOptions } from './clip';
import { BenchReport, cacheDir, median, percentile, repoRoot, sharedRoot } from './lib';
import { benchCatalog } from './query';

const TOY_MODEL = path.join(sharedRoot, 'models', 'toy-color-clip');
const FLICKR = path.join(sharedRoot, 'data', 'flickr8k-test1k', 'images');
const RENDERER = path.join(repoRoot, 'out', 'renderer');
/** Distinct thumbnail files; every photo shows one of them (by a hash of its id), so every tile loads a real WebP. */
const POOL = 1000;
const VIEWPORT = { width: 1280, height: 820 };
const FRAME_BUDGET_MS = 50;
const FIRST_RESULTS_TARGET_MS = 1000;
/** The wheel gesture's speed (px/s): a fast, steady flick through the grid. */
const WHEEL_SPEED = 5000;

// ---- data: the query bench's catalog, re-labelled for the toy model, with real thumbnails -------------------------

/** The catalog id the engine gives the toy model's vectors (name + weights fingerprint). */
async function toyModelId(): Promise<string> {
  const model = await ClipModel.open(TOY_MODEL, { provider: 'cpu' });
  try {
    return catalogModelId(TOY_MODEL, true, model);
  } finally {
    await model.dispose();
  }
}

interface Thumbnail {
  key: string;
  data: Buffer;
}

/**
 * POOL real thumbnails as the ThumbnailStore writes them (WebP q80 effort 2, 256 px long side), from the Flickr8k
 * test photos; cached under .cache/bench-web/thumbs. Keyed by the SHA-256 of the source file.
 */
async function thumbnailPool(): Promise<Thumbnail[]> {
  const dir = path.join(cacheDir, 'bench-web', 'thumbs');
  if (existsSync(path.join(dir, 'complete'))) {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.webp'))
      .sort()
      .map((name) => ({ key: name.slice(0, -'.webp'.length), data: readFileSync(path.join(dir, name)) }));
  }
  if (!existsSync(FLICKR)) throw new Error(`web bench: ${FLICKR} is missing (the thumbnails are made from it)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`making ${POOL} thumbnails from ${FLICKR} into ${dir} ...`);
  const names = readdirSync(FLICKR).filter((name) => name.endsWith('.jpg')).sort().slice(0, POOL);
  const pool: Thumbnail[] = [];
  for (const name of names) {
    const source = readFileSync(path.join(FLICKR, name));
    const key = createHash('sha256').update(source).digest('hex');
    const data = await sharp(source).rotate().resize(256, 256, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80, effort: 2 }).toBuffer();
    writeFileSync(path.join(dir, `${key}.webp`), data);
    pool.push({ key, data });
  }
  writeFileSync(path.join(dir, 'complete'), '');
  return pool.sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * A data folder for `shoebox serve` holding benchCatalog(n) (cached under .cache/bench-web/<n>): its vectors are
 * re-labelled with the toy model's catalog id, because the engine re-queues every photo embedded with another model
 * (and browsing lists indexed photos only, so the grid would be empty while the files, which do not exist, fail).
 * Every photo gets a real thumbnail from the pool. The index cache and caption bank the engine builds on the first
 * start stay in the folder too.
 */
async function webDataDir(n: number, modelId: string, pool: Thumbnail[]): Promise<string> {
  const dir = path.join(cacheDir, 'bench-web', `${n}`);
  const marker = path.join(dir, 'complete');
  const stamp = `v2 ${modelId} ${pool.length}`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === stamp) return dir;
  const source = benchCatalog(n);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`preparing the web bench's ${n}-photo data folder in ${dir} ...`);
  copyFileSync(path.join(source, 'catalog.sqlite'), path.join(dir, CATALOG_FILE_NAME));
  const catalog = Catalog.openInDataDir(dir);
  try {
    const active = catalog.embeddings.activeModel();
    if (!active) throw new Error(`web bench: ${source} has no active model`);
    const keys = pool.map((t) => t.key);
    // Scattered by a hash of the id: photos next to each other in the grid (same day, ids 5000 apart) differ.
    catalog.db.function('bench_thumbnail', (id: number | bigint) => keys[(Math.imul(Number(id), 0x9e3779b1) >>> 0) % keys.length]!);
    // photos.embedded_model references models.id without ON UPDATE CASCADE: rename both with the check off.
    catalog.db.pragma('foreign_keys = OFF');
    catalog.transaction(() => {
      catalog.db.prepare('UPDATE models SET id = ? WHERE id = ?').run(modelId, active.id);
      catalog.db.prepare('UPDATE photos SET embedded_model = ?, thumbnail = bench_thumbnail(id)').run(modelId);
    });
    catalog.db.pragma('foreign_keys = ON');
    const problems = catalog.db.pragma('foreign_key_check') as unknown[];
    if (problems.length > 0) throw new Error(`web bench: foreign key check failed after the rename (${problems.length} rows)`);
  } finally {
    catalog.close();
  }
  for (const { key, data } of pool) {
    const shard = path.join(dir, 'thumbnails', key.slice(0, 2));
    mkdirSync(shard, { recursive: true });
    writeFileSync(path.join(shard, `${key}.webp`), data);
  }
  writeFileSync(marker, stamp);
  return dir;
}

// ---- the app: engine + web server as `shoebox serve` runs them --------------------------------------------------

interface WebApp {
  engine: RunningEngine;
  server: WebServer;
  close(): Promise<void>;
}

async function serve(dataDir: string, expectedPhotos: number): Promise<WebApp> {
  const engine = await startEngine({ mode: 'web', dataDir, model: TOY_MODEL, provider: 'cpu', watch: false });
  const server = await startWebServer({ api: engine.api, events: engine.events, media: engine.media, rendererDir: RENDERER });
  const app = {
    engine,
    server,
    async close() {
      await server.close();
      await engine.close();
    },
  };
  try {
    // Background work the engine does on its first start with a library (vector index, caption bank) is done before
    // anything is measured; later runs load both from the data folder.
    await engine.modelReady;
    await engine.search()?.warmUp();
    await engine.describe()?.ready();
    const browse = await engine.api['search.query']({ limit: 1 });
    const progress = await engine.api['indexing.status'](undefined);
    if (browse.total !== expectedPhotos || progress.pending !== 0) {
      throw new Error(`web bench: the engine browses ${browse.total} photos with ${progress.pending} pending; expected ${expectedPhotos} indexed`);
    }
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

// ---- first results --------------------------------------------------------------------------------------------

interface FirstResults {
  /** Navigation start to the first frame with a result tile (its <img>) in the grid. */
  tile: number;
  /** Navigation start to the first frame whose first tile's thumbnail is loaded. */
  image: number;
}

/** Records the first-results marks in the page (a string, not a function: see firstResults). */
const FIRST_RESULTS_PROBE = `(() => {
  const marks = { tile: null, image: null };
  window.__benchFirst = marks;
  const check = (now) => {
    const img = document.querySelector('[role="grid"] [role="gridcell"] img');
    if (img && marks.tile === null) marks.tile = now;
    if (img && marks.image === null && img.complete && img.naturalWidth > 0) marks.image = now;
    if (marks.image === null) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`;

/**
 * Loads the app in a fresh browser context (empty HTTP cache, new session token storage; the engine stays warm) and
 * times, from navigation start (performance.timeOrigin), the first animation frame in which the grid's first cell
 * holds a result <img>, and the first in which that image has loaded. Polling in requestAnimationFrame: a frame's
 * timestamp is its start, so the figure is when the frame that paints it begins.
 */
async function firstResults(browser: Browser, url: string): Promise<FirstResults> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // A string, not a function: tsx's keepNames would wrap inner functions in a __name helper the page lacks.
    await page.addInitScript(FIRST_RESULTS_PROBE);
    await page.goto(url);
    const handle = await page
      // A function: a string predicate is evaluated with eval(), which the page's CSP refuses. No named helpers inside
      // (see FIRST_RESULTS_PROBE).
      .waitForFunction(() => {
        const marks = (globalThis as unknown as { __benchFirst?: FirstResults }).__benchFirst;
        return marks && marks.image !== null ? marks : null;
      }, undefined, { timeout: 30_000 })
      .catch(async (error: unknown) => {
        throw new Error(`web bench: no result image in the grid within 30 s (${await describePage(page)}; page errors: ${errors.join('; ') || 'none'}): ${(error as Error).message}`);
      });
    const marks = (await handle.jsonValue()) as FirstResults;
    if (errors.length > 0) throw new Error(`web bench: page errors: ${errors.join('; ')}`);
    return marks;
  } finally {
    await context.close();
  }
}

/** What the page shows, for an error message when the grid never appears. */
async function describePage(page: Page): Promise<string> {
  try {
    return String(
      await page.evaluate(`(() => {
        const grid = document.querySelector('[role="grid"]');
        const cells = grid ? grid.querySelectorAll('[role="gridcell"]').length + ' cells, ' + grid.querySelectorAll('img').length + ' images' : 'none';
        return 'grid: ' + cells + '; text: ' + document.body.innerText.replace(/\\s+/g, ' ').slice(0, 200);
      })()`),
    );
  } catch (error) {
    return `unreadable: ${(error as Error).message}`;
  }
}

// ---- scrolling --------------------------------------------------------------------------------------------------

/**
 * Trace categories: DrawFrame (a frame the compositor drew) is in disabled-by-default-devtools.timeline.frame, RunTask
 * (main-thread tasks) in disabled-by-default-devtools.timeline, TimeStamp (console.timeStamp) in devtools.timeline.
 */
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame'];

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { data?: { message?: string } };
}

async function startTrace(client: CDPSession): Promise<void> {
  await client.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { recordMode: 'recordContinuously', includedCategories: TRACE_CATEGORIES },
  });
}

let traceCount = 0;

async function stopTrace(client: CDPSession): Promise<TraceEvent[]> {
  const complete = new Promise<string>((resolve) => client.once('Tracing.tracingComplete', (event) => resolve(event.stream!)));
  await client.send('Tracing.end');
  const stream = await complete;
  const chunks: string[] = [];
  for (;;) {
    const piece = await client.send('IO.read', { handle: stream, size: 1 << 20 });
    chunks.push(piece.base64Encoded ? Buffer.from(piece.data, 'base64').toString('utf8') : piece.data);
    if (piece.eof) break;
  }
  await client.send('IO.close', { handle: stream });
  const text = chunks.join('');
  // SHOEBOX_BENCH_WEB_TRACES=<folder> keeps every trace (open them in DevTools' Performance panel or ui.perfetto.dev).
  const keep = process.env.SHOEBOX_BENCH_WEB_TRACES;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    writeFileSync(path.join(keep, `trace-${++traceCount}.json`), text);
  }
  const parsed = JSON.parse(text) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
}

interface TraceFrames {
  /** Frame times (ms): the intervals between the frames the page's compositor drew, from scroll start to end. */
  frames: number[];
  /** The longest task on the renderer's main thread in that window (ms). */
  longestTask: number;
}

const MARK_START = 'shoebox-bench-scroll-start';
const MARK_END = 'shoebox-bench-scroll-end';

/**
 * Frame times from a trace, as DevTools' frames track shows them: the page's renderer marks the scroll's start and
 * end (console.timeStamp), and every frame its compositor drew and submitted in between is a DrawFrame event. While
 * the page scrolls every vsync needs a new frame, so the intervals between draws are the frame times: 16.7 ms at
 * 60 Hz when nothing is missed. A
 * stretch with no frame at all (the compositor waiting for content it never gets in time) is one long frame.
 */
function traceFrames(events: TraceEvent[]): TraceFrames {
  const marks = events.filter((e) => e.name === 'TimeStamp');
  const start = marks.find((e) => e.args?.data?.message === MARK_START);
  const end = marks.find((e) => e.args?.data?.message === MARK_END);
  if (!start || !end) throw new Error('web bench: the trace lacks the scroll marks (console.timeStamp)');
  const pid = start.pid;
  const draws = events
    .filter((e) => e.name === 'DrawFrame' && e.pid === pid && e.ts > start.ts && e.ts < end.ts)
    .map((e) => e.ts)
    .sort((x, y) => x - y);
  // Intervals between drawn frames. The stretch from the start mark to the first draw is left out: the page is idle
  // until the synthesized gesture's first scroll event (50-65 ms later), and that wait is not a frame the user sees
  // (the baseline grid showed the same one). Likewise the idle tail after the gesture. With fewer than two draws
  // (the compositor drew nothing), the marks bound one long frame.
  const times = draws.length >= 2 ? draws : [start.ts, ...draws, end.ts];
  const frames = times.slice(1).map((t, i) => (t - times[i]!) / 1000);
  let longestTask = 0;
  for (const e of events) {
    if (e.ph === 'X' && e.name === 'RunTask' && e.pid === pid && e.tid === start.tid && e.ts + (e.dur ?? 0) > start.ts && e.ts < end.ts) {
      longestTask = Math.max(longestTask, (e.dur ?? 0) / 1000);
    }
  }
  return { frames, longestTask };
}

/**
 * In-page cross-check and tile accounting while a scroll is measured: requestAnimationFrame deltas (the main thread's
 * frame times), and for the grid, sampled every 4th frame, of the cells on screen, how many show no photo yet (a
 * skeleton: its page of results has not arrived) and how many have a photo whose thumbnail is not loaded yet.
 * Installed as a string (see FIRST_RESULTS_PROBE); stopped by FRAME_PROBE_STOP, which returns its counts.
 */
function framePageProbe(selector: string): string {
  return `(() => {
  const state = { deltas: [], cells: 0, skeletons: 0, loading: 0, last: null, running: true, frame: 0 };
  window.__benchFrames = state;
  const scroller = document.querySelector(${JSON.stringify(selector)});
  const tick = (now) => {
    if (!state.running) return;
    if (state.last !== null) state.deltas.push(now - state.last);
    state.last = now;
    const rowCount = Number(scroller.getAttribute('aria-rowcount') || 0);
    // Tiles are counted every 4th frame only, to keep the probe's own cost on the main thread small.
    if (rowCount > 0 && state.frame++ % 4 === 0) {
      const rowHeight = scroller.scrollHeight / rowCount;
      const top = scroller.scrollTop;
      const bottom = top + scroller.clientHeight;
      for (const row of scroller.querySelectorAll('[role="row"]')) {
        const index = Number(row.getAttribute('aria-rowindex')) - 1;
        if ((index + 1) * rowHeight <= top || index * rowHeight >= bottom) continue;
        for (const cell of row.querySelectorAll('[role="gridcell"]')) {
          state.cells++;
          const img = cell.querySelector('img');
          if (!img && !cell.querySelector('[role="img"]')) state.skeletons++;
          else if (img && !(img.complete && img.naturalWidth > 0)) state.loading++;
        }
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;
}

const FRAME_PROBE_STOP = `(() => {
  const state = window.__benchFrames;
  state.running = false;
  return { deltas: state.deltas, cells: state.cells, skeletons: state.skeletons, loading: state.loading };
})()`;

/** Scrolls `selector` from its top to its bottom, linearly over `ms`, one step per animation frame (a scrollbar drag). */
function sweepScript(selector: string, ms: number): string {
  return `new Promise((resolve) => {
  const scroller = document.querySelector(${JSON.stringify(selector)});
  const max = scroller.scrollHeight - scroller.clientHeight;
  let start = null;
  const step = (now) => {
    if (start === null) start = now;
    const done = Math.min(1, (now - start) / ${ms});
    scroller.scrollTop = done * max;
    if (done < 1) requestAnimationFrame(step);
    else resolve(scroller.scrollTop);
  };
  requestAnimationFrame(step);
})`;
}

type ScrollKind = 'wheel' | 'sweep';

interface ScrollResult {
  trace: TraceFrames;
  raf: number[];
  /** Pixels scrolled and the seconds it took. */
  distance: number;
  seconds: number;
  cells: number;
  skeletons: number;
  loading: number;
  /** Thumbnails asked for during the scroll: request to last byte (ms) of those that arrived, and how many failed. */
  thumbnails: number[];
  thumbnailsFailed: number;
}

/** How long to wait after a scroll for the thumbnails it asked for (so slow ones are counted, not dropped). */
const THUMBNAIL_DRAIN_MS = 20_000;

/**
 * One measured scroll of the element `selector` on `page`, traced: 'wheel' is a synthetic mouse-wheel gesture
 * (Input.synthesizeScrollGesture: wheel events every frame, as a trackpad or a fast wheel sends them) at
 * WHEEL_SPEED px/s for `seconds`; 'sweep' moves scrollTop from the top to the bottom in `seconds` (dragging the
 * scrollbar through all the results).
 */
async function measureScroll(page: Page, client: CDPSession, selector: string, kind: ScrollKind, seconds: number): Promise<ScrollResult> {
  await page.evaluate(`document.querySelector(${JSON.stringify(selector)}).scrollTop = 0`);
  await page.waitForTimeout(500);
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`web bench: ${selector} is not on screen`);
  // Thumbnail requests made while scrolling, timed by the browser (request start to response end).
  const asked = new Set<Request>();
  const thumbnails: number[] = [];
  let thumbnailsFailed = 0;
  let settled = 0;
  let measuring = false;
  const onRequest = (request: Request) => {
    if (measuring && request.url().includes('/media/thumb/')) asked.add(request);
  };
  const onFinished = (request: Request) => {
    if (!asked.has(request)) return;
    settled++;
    const end = request.timing().responseEnd;
    if (end >= 0) thumbnails.push(end);
  };
  const onFailed = (request: Request) => {
    if (!asked.has(request)) return;
    settled++;
    thumbnailsFailed++;
  };
  page.on('request', onRequest);
  page.on('requestfinished', onFinished);
  page.on('requestfailed', onFailed);
  await startTrace(client);
  await page.evaluate(framePageProbe(selector));
  await page.evaluate(`console.timeStamp(${JSON.stringify(MARK_START)})`);
  measuring = true;
  const started = performance.now();
  if (kind === 'wheel') {
    await client.send('Input.synthesizeScrollGesture', {
      x: Math.round(box.x + box.width / 2),
      y: Math.round(box.y + box.height / 2),
      yDistance: -Math.round(WHEEL_SPEED * seconds),
      speed: WHEEL_SPEED,
      gestureSourceType: 'mouse',
      preventFling: true,
    });
  } else {
    await page.evaluate(sweepScript(selector, seconds * 1000));
  }
  const elapsed = (performance.now() - started) / 1000;
  measuring = false;
  await page.evaluate(`console.timeStamp(${JSON.stringify(MARK_END)})`);
  const probe = (await page.evaluate(FRAME_PROBE_STOP)) as { deltas: number[]; cells: number; skeletons: number; loading: number };
  const distance = (await page.evaluate(`document.querySelector(${JSON.stringify(selector)}).scrollTop`)) as number;
  const trace = traceFrames(await stopTrace(client));
  const deadline = performance.now() + THUMBNAIL_DRAIN_MS;
  while (settled < asked.size && performance.now() < deadline) await page.waitForTimeout(100);
  thumbnailsFailed += asked.size - settled;
  page.off('request', onRequest);
  page.off('requestfinished', onFinished);
  page.off('requestfailed', onFailed);
  return { trace, raf: probe.deltas, distance, seconds: elapsed, cells: probe.cells, skeletons: probe.skeletons, loading: probe.loading, thumbnails, thumbnailsFailed };
}

interface GridGeometry {
  box: { x: number; y: number; width: number; height: number };
  scrollHeight: number;
  columns: number;
  rowHeight: number;
  gap: number;
}

/** The app's grid as laid out on `page`: where it is, its scroll height, columns and row pitch. */
async function gridGeometry(page: Page): Promise<GridGeometry> {
  const box = await page.locator('[role="grid"]').boundingBox();
  if (!box) throw new Error('web bench: the grid is not on screen');
  const shape = (await page.evaluate(`(() => {
    const grid = document.querySelector('[role="grid"]');
    const row = grid.querySelector('[role="row"]');
    const rows = Number(grid.getAttribute('aria-rowcount'));
    return { scrollHeight: grid.scrollHeight, columns: Number(grid.getAttribute('aria-colcount')), rowHeight: grid.scrollHeight / rows, gap: parseFloat(getComputedStyle(row).columnGap) || 0 };
  })()`)) as Omit<GridGeometry, 'box'>;
  return { box, ...shape };
}

/**
 * The baseline page: the least a virtualised grid of the same geometry can do, in 20 lines of plain JavaScript. On
 * every scroll event it rebuilds the rows on screen (plus 3 each side, as the app does) as absolutely positioned rows
 * of grey numbered tiles; no framework, no data to fetch, no images. What it costs is what this browser on this
 * machine costs for any virtualised grid; the app's figures over it are the app's own.
 */
function baselinePage(g: GridGeometry): string {
  const tile = Math.max(1, Math.round(g.rowHeight - g.gap));
  return `<!doctype html><html><head><style>
  html, body { margin: 0; height: 100%; overflow: hidden; font: 14px sans-serif; }
  #scroller { position: absolute; left: ${g.box.x}px; top: ${g.box.y}px; width: ${g.box.width}px; height: ${g.box.height}px; overflow-y: auto; contain: strict; }
  #spacer { position: relative; height: ${g.scrollHeight}px; }
  .row { position: absolute; top: 0; left: 0; display: grid; grid-template-columns: repeat(${g.columns}, ${tile}px); gap: ${g.gap}px; }
  .tile { height: ${tile}px; border-radius: 6px; background: #d8d4cc; color: #5a554d; display: grid; place-items: center; }
</style></head><body><div id="scroller"><div id="spacer"></div></div><script>
  const scroller = document.getElementById('scroller');
  const spacer = document.getElementById('spacer');
  const rowHeight = ${g.rowHeight};
  const rows = Math.ceil(${g.scrollHeight} / rowHeight);
  function render() {
    const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - 3);
    const last = Math.min(rows - 1, Math.floor((scroller.scrollTop + scroller.clientHeight) / rowHeight) + 3);
    const fragment = document.createDocumentFragment();
    for (let r = first; r <= last; r++) {
      const row = document.createElement('div');
      row.className = 'row';
      row.style.transform = 'translateY(' + r * rowHeight + 'px)';
      for (let c = 0; c < ${g.columns}; c++) {
        const cell = document.createElement('div');
        cell.className = 'tile';
        cell.textContent = String(r * ${g.columns} + c + 1);
        row.appendChild(cell);
      }
      fragment.appendChild(row);
    }
    spacer.replaceChildren(fragment);
  }
  scroller.addEventListener('scroll', render, { passive: true });
  render();
</script></body></html>`;
}

interface Samples {
  frames: number[];
  raf: number[];
  longestTask: number;
  cells: number;
  skeletons: number;
  loading: number;
  pixelsPerSecond: number[];
  thumbnails: number[];
  thumbnailsFailed: number;
}

function emptySamples(): Samples {
  return { frames: [], raf: [], longestTask: 0, cells: 0, skeletons: 0, loading: 0, pixelsPerSecond: [], thumbnails: [], thumbnailsFailed: 0 };
}

function addSamples(into: Samples, result: ScrollResult): void {
  into.frames.push(...result.trace.frames);
  into.raf.push(...result.raf);
  into.longestTask = Math.max(into.longestTask, result.trace.longestTask);
  into.cells += result.cells;
  into.skeletons += result.skeletons;
  into.loading += result.loading;
  into.pixelsPerSecond.push(result.distance / result.seconds);
  into.thumbnails.push(...result.thumbnails);
  into.thumbnailsFailed += result.thumbnailsFailed;
}

function thumbnailDetail(samples: Samples): string {
  const asked = samples.thumbnails.length + samples.thumbnailsFailed;
  if (samples.thumbnails.length === 0) return `${asked} thumbnails asked for, none arrived`;
  return (
    `${asked} thumbnails asked for, request to last byte p50 ${ms(median(samples.thumbnails))}, p95 ${ms(percentile(samples.thumbnails, 95))}` +
    (samples.thumbnailsFailed > 0 ? `, ${samples.thumbnailsFailed} cancelled or unfinished` : '')
  );
}

/** Frames longer than the budget. 3 vsyncs at 60 Hz are 50.0 ms: 1 ms of slack for timestamp jitter. */
function overBudget(frames: readonly number[]): number {
  return frames.filter((f) => f > FRAME_BUDGET_MS + 1).length;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(1)} ms`;
}

function frameDetail(samples: Samples): string {
  return `${overBudget(samples.frames)} of ${samples.frames.length} frames over ${FRAME_BUDGET_MS} ms, p50 ${ms(median(samples.frames))}, max ${ms(Math.max(...samples.frames))}`;
}

function rafDetail(samples: Samples): string {
  return `main thread (rAF): p95 ${ms(percentile(samples.raf, 95))}, max ${ms(Math.max(...samples.raf))}, ${overBudget(samples.raf)} of ${samples.raf.length} over ${FRAME_BUDGET_MS} ms; longest task ${ms(samples.longestTask)}`;
}

export async function benchWeb(options: BenchOptions): Promise<BenchReport> {
  const report = new BenchReport('web');
  const loadRuns = options.quick ? 3 : 7;
  const scrollRuns = options.quick ? 1 : 3;
  const wheelSeconds = options.quick ? 5 : 15;
  const sweepSeconds = options.quick ? 10 : 30;
  console.log(
    `\n== web: \`shoebox serve\` with 100k photos in Debian's Chromium (headless, software compositing), ` +
      `${VIEWPORT.width}x${VIEWPORT.height}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.availableParallelism()} cores ==`,
  );
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`web bench: Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`);
  if (!existsSync(path.join(RENDERER, 'index.html'))) throw new Error('web bench: the renderer is not built: run `npx electron-vite build`');
  if (!existsSync(TOY_MODEL)) throw new Error(`web bench: the toy model is missing (${TOY_MODEL})`);
  const modelId = await toyModelId();
  const pool = await thumbnailPool();
  const sizes = { small: 1000, large: 100_000 };
  const small = await serve(await webDataDir(sizes.small, modelId, pool), sizes.small);
  const large = await serve(await webDataDir(sizes.large, modelId, pool), sizes.large).catch(async (error: unknown) => {
    await small.close();
    throw error;
  });
  const browser = await launchChromium();
  try {
    // First results: fresh browser context per load, the two libraries alternating so both see the same machine.
    const loads = { small: [] as FirstResults[], large: [] as FirstResults[] };
    await firstResults(browser, small.server.url);
    await firstResults(browser, large.server.url);
    for (let i = 0; i < loadRuns; i++) {
      loads.small.push(await firstResults(browser, small.server.url));
      loads.large.push(await firstResults(browser, large.server.url));
    }
    const images = (list: FirstResults[]) => list.map((r) => r.image);
    const tiles = (list: FirstResults[]) => list.map((r) => r.tile);
    const base = report.add({
      name: 'first results on screen, 1k photos',
      median: median(images(loads.small)),
      unit: 'ms',
      detail: `max ${ms(Math.max(...images(loads.small)))}; first tile ${ms(median(tiles(loads.small)))}; ${loadRuns} loads`,
    });
    const worst = Math.max(...images(loads.large));
    report.compare(
      {
        name: 'first results on screen, 100k photos',
        median: median(images(loads.large)),
        unit: 'ms',
        detail:
          `max ${ms(worst)}; first tile ${ms(median(tiles(loads.large)))} (max ${ms(Math.max(...tiles(loads.large)))}); ` +
          `target <= ${FIRST_RESULTS_TARGET_MS} ms: ${worst <= FIRST_RESULTS_TARGET_MS ? 'met' : 'missed'}`,
      },
      base,
    );

    // Scrolling: a fresh page of the app per run, then the baseline grid of the same geometry, alternating.
    const grid = { wheel: emptySamples(), sweep: emptySamples() };
    const plain = { wheel: emptySamples(), sweep: emptySamples() };
    const seconds: Record<ScrollKind, number> = { wheel: wheelSeconds, sweep: sweepSeconds };
    for (let run = 0; run < scrollRuns; run++) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(large.server.url);
        await page.locator('[role="grid"] [role="gridcell"] img').first().waitFor({ timeout: 30_000 });
        await page.waitForTimeout(1000);
        const client = await context.newCDPSession(page);
        for (const kind of ['wheel', 'sweep'] as const) addSamples(grid[kind], await measureScroll(page, client, '[role="grid"]', kind, seconds[kind]));
        if (errors.length > 0) throw new Error(`web bench: page errors while scrolling: ${errors.join('; ')}`);
        const geometry = await gridGeometry(page);
        await page.close();
        const still = await context.newPage();
        await still.setContent(baselinePage(geometry));
        const stillClient = await context.newCDPSession(still);
        for (const kind of ['wheel', 'sweep'] as const) addSamples(plain[kind], await measureScroll(still, stillClient, '#scroller', kind, seconds[kind]));
      } finally {
        await context.close();
      }
    }
    for (const kind of ['wheel', 'sweep'] as const) {
      const what = kind === 'wheel' ? `wheel at ${WHEEL_SPEED} px/s for ${wheelSeconds} s` : `top to bottom in ${sweepSeconds} s`;
      const g = grid[kind];
      const p = plain[kind];
      const speed = `${Math.round(median(g.pixelsPerSecond))} px/s`;
      const p95 = report.add({ name: `baseline grid, ${what}: frame p95`, median: percentile(p.frames, 95), unit: 'ms', detail: frameDetail(p) });
      report.compare(
        { name: `100k grid, ${what}: frame p95`, median: percentile(g.frames, 95), unit: 'ms', detail: `${frameDetail(g)}; ${speed}; ${thumbnailDetail(g)}` },
        p95,
      );
      const longest = report.add({ name: `baseline grid, ${what}: longest frame`, median: Math.max(...p.frames), unit: 'ms', detail: rafDetail(p) });
      report.compare(
        {
          name: `100k grid, ${what}: longest frame`,
          median: Math.max(...g.frames),
          unit: 'ms',
          detail:
            `${rafDetail(g)}; tiles on screen: ${((100 * g.skeletons) / Math.max(1, g.cells)).toFixed(0)}% without their photo yet, ` +
            `${((100 * g.loading) / Math.max(1, g.cells)).toFixed(0)}% with the thumbnail still loading; target: no frame over ${FRAME_BUDGET_MS} ms: ` +
            `${overBudget(g.frames) === 0 ? 'met' : 'missed'}`,
        },
        longest,
      );
    }
    console.log(`  (${scrollRuns} run(s) of each scroll; every photo has a real thumbnail, ${pool.length} distinct WebPs; load average now ${os.loadavg()[0]!.toFixed(2)})`);
  } finally {
    await browser.close();
    await large.close();
    await small.close();
  }
  return report;
}
