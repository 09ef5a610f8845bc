import { Catalog } from '../../catalog/catalog';
import { commonOptions, CliError, writeJson, type CliCommand } from '../command';
import { modelOptions } from '../model-argument';
import { openEngineWithFolders, progressLine, waitUntilIndexed } from './index-folders';

/** `shoebox index`: adds folders to the library, indexes everything pending, and exits. */
export const indexCommand: CliCommand = {
  name: 'index',
  summary: 'add folders to the library and index every photo in it, then exit',
  usage: 'shoebox index <folder>... [--data <dir>] [--model <dir-or-id>] [--provider auto|cpu|cuda] [--threads n] [--batch n] [--json]',
  options: { ...commonOptions, ...modelOptions, batch: { type: 'string' } },
  async run(context) {
    if (context.positionals.length === 0) throw new CliError(`no folder given (usage: ${this.usage})`, 2);
    const started = performance.now();
    const engine = await openEngineWithFolders(context, false);
    let lastLine = 0;
    // Closing finishes and saves the batch in progress, also after an interruption.
    const finished = await waitUntilIndexed(engine, (progress) => {
      if (context.json || Date.now() - lastLine < 1000) return;
      lastLine = Date.now();
      context.stderr.write(`${progressLine(progress)}\n`);
    }).finally(() => engine.close().catch(() => undefined));
    // Counts are read after close, so they include the batch that an interruption let finish.
    
    const catalog = Catalog.openInDataDir(engine.dataDir);
    try {
      const counts = catalog.photos.counts();
      const failures = catalog.photos.failures({ limit: 1000 });
      const seconds = (performance.now() - started) / 1000;
      if (context.json) {
        writeJson(context, {
          complete: finished,
          photos: counts.total,
          indexed: counts.indexed,
          failed: counts.failed,
          queued: counts.pending,
          seconds: Math.round(seconds * 10) / 10,
          failures: failures.map((f) => ({ path: f.path, reason: f.reason })),
        });
      } else {
        context.stdout.write(
          `${finished ? 'Indexed' : 'Interrupted:'} ${counts.indexed} of ${counts.total} photos in ${seconds.toFixed(1)} s` +
            `${counts.failed ? `; ${counts.failed} could not be read` : ''}${counts.pending ? `; ${counts.pending} still queued` : ''}\n`,
        );
        for (const failure of failures.slice(0, 20)) context.stdout.write(`  failed: ${failure.path}: ${failure.reason}\n`);
        if (failures.length > 20) context.stdout.write(`  ... and ${failures.length - 20} more (shoebox status --json lists them all)\n`);
      }
    } finally {
      catalog.close();
    }
    return finished ? 0 : 130;
  },
};
