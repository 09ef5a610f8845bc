import path from 'node:path';
import type { IndexingProgress } from '@shared/types';
import { startEngine, type RunningEngine } from '../../start-engine';
import { CliError, numberOption, stringOption, type CliContext } from '../command';
import { dataDirArgument } from '../model-argument';

/** Opens the engine for `index` and `watch`, adds the folders given, and fails early when no model is usable. */
export async function openEngineWithFolders(context: CliContext, watch: boolean): Promise<RunningEngine> {
  const folders = context.positionals.map((folder) => path.resolve(folder));
  const provider = stringOption(context, 'provider');
  if (provider !== undefined && provider !== 'auto' && provider !== 'cpu' && provider !== 'cuda') {
    throw new CliError(`--provider must be auto, cpu or cuda, got '${provider}'`, 2);
  }
  const engine = await startEngine({
    mode: 'cli',
    dataDir: dataDirArgument(context),
    model: stringOption(context, 'model'),
    provider: provider ?? 'auto',
    threads: numberOption(context, 'threads'),
    batchSize: numberOption(context, 'batch'),
    watch,
  });
  try {
    const status = engine.app.status();
    if (status.engine.state === 'error') throw new CliError(status.engine.error ?? 'the engine failed to start');
    if (status.model.state !== 'available') {
      throw new CliError(
        `model '${status.model.id}' is not available (${status.model.reason ?? status.model.state}): ` +
          `run 'shoebox models download ${status.model.id}' or pass --model <folder>`,
      );
    }
    const known = new Set(engine.library.folders().map((folder) => folder.path));
    for (const folder of folders) {
      if (!known.has(folder)) await engine.library.addFolder(folder);
    }
    // Scans run in the background; the pending queue is only complete once they are done.
    await engine.library.idle();
    return engine;
  } catch (error) {
    await engine.close();
    throw error;
  }
}

export function progressLine(p: IndexingProgress): string {
  const eta = p.etaSeconds === null ? '' : `, about ${formatDuration(p.etaSeconds)} left`;
  return `${p.state}: ${p.indexed} indexed, ${p.failed} failed, ${p.pending} to go (${p.ratePerSecond.toFixed(1)} photos/s${eta})`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Resolves when nothing is pending and the indexer is idle, or on SIGINT/SIGTERM (returns false then). */
export function waitUntilIndexed(engine: RunningEngine, onTick: (p: IndexingProgress) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (done: boolean) => {
      clearInterval(timer);
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      resolve(done);
    };
    const interrupted = () => finish(false);
    const timer = setInterval(() => {
      const progress = engine.indexing.status();
      onTick(progress);
      if (progress.state === 'idle' && progress.pending === 0) finish(true);
    }, 200);
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
  });
}
