import { existsSync } from 'node:fs';
import path from 'node:path';
import { Catalog } from '../../catalog/catalog';
import { commonOptions, CliError, numberOption, writeJson, type CliCommand } from '../command';
import { dataDirArgument } from '../model-argument';

/** `shoebox status`: what the library holds — counts by state, folders, and every failure with its reason. */
export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'print the library counts (photos, indexed, failed, queued), its folders and failures with reasons',
  usage: 'shoebox status [--data <dir>] [--limit n] [--json]',
  options: { ...commonOptions, data: { type: 'string' }, limit: { type: 'string' } },
  async run(context) {
    const dataDir = dataDirArgument(context);
    if (!existsSync(path.join(dataDir, 'catalog.sqlite'))) {
      throw new CliError(`no Shoebox library in ${dataDir} (add a folder with 'shoebox index <folder> --data ${dataDir}')`);
    }
    const catalog = Catalog.openInDataDir(dataDir);
    try {
      const counts = catalog.photos.counts();
      const byFolder = new Map(catalog.photos.countsByFolder().map((c) => [c.folderId, c]));
      const folders = catalog.folders.list().map((f) => {
        const c = byFolder.get(f.id);
        return { id: f.id, path: f.path, photos: c?.total ?? 0, indexed: c?.indexed ?? 0, failed: c?.failed ?? 0, queued: c?.pending ?? 0 };
      });
      const failures = catalog.photos.failures({ limit: numberOption(context, 'limit') ?? 10_000 });
      const active = catalog.embeddings.activeModel();
      if (context.json) {
        writeJson(context, {
          dataDir,
          model: active ? { id: active.id, status: active.status } : null,
          photos: counts.total,
          indexed: counts.indexed,
          failed: counts.failed,
          queued: counts.pending,
          folders,
          failures: failures.map((f) => ({ path: f.path, reason: f.reason })),
        });
      } else {
        context.stdout.write(`${dataDir}\n${counts.total} photos: ${counts.indexed} indexed, ${counts.failed} failed, ${counts.pending} queued\n`);
        if (active) context.stdout.write(`model: ${active.id} (${active.status})\n`);
        for (const f of folders) context.stdout.write(`  ${f.path}: ${f.photos} photos, ${f.indexed} indexed, ${f.failed} failed, ${f.queued} queued\n`);
        for (const f of failures) context.stdout.write(`  failed: ${f.path}: ${f.reason}\n`);
      }
      return 0;
    } finally {
      catalog.close();
    }
  },
};
