// Child process for `npm run bench -- index`: indexes one folder with a fresh engine and prints one JSON line with
// its wall time and the process's peak resident memory (VmHWM), so memory is measured without the parent's heap.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../electron/engine/start-engine';

const [folder, model, batch, spin] = process.argv.slice(2);
if (!folder || !model) throw new Error('usage: index-child <folder> <model-dir> [batch]');

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-index-'));
try {
  const engine = await startEngine({ mode: 'cli', dataDir, model, provider: 'cpu', watch: false, batchSize: batch ? Number(batch) : undefined, runtime: spin === 'nospin' ? { spinWait: false } : {} });
  // Session creation (seconds for a 350 MB graph) happens once per app start, not per photo: keep it off the clock,
  // as the encoder-only figure it is compared with is measured warm too.
  const clip = await engine.modelReady;
  await clip.warmUp();
  const size = clip.preprocess.size;
  await clip.embedImages([{ pixels: new Uint8Array(size * size * 3), size, sourceWidth: size, sourceHeight: size, format: 'raw' }]);
  const started = performance.now();
  await engine.library.addFolder(folder);
  await engine.library.idle();
  for (;;) {
    const progress = engine.indexing.status();
    if (progress.state === 'idle' && progress.pending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  const counts = engine.catalog.photos.counts();
  await engine.close();
  const status = readFileSync('/proc/self/status', 'utf8');
  const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  console.log(JSON.stringify({ seconds, indexed: counts.indexed, failed: counts.failed, peakRssBytes: peakKiB * 1024 }));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
