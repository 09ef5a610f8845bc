import { ModelManager } from '../../models/model-manager';
import { CliError, commonOptions, writeJson, type CliCommand, type CliContext } from '../command';
import { dataDirArgument } from '../model-argument';

function manager(context: CliContext): ModelManager {
  return new ModelManager({ dataDir: dataDirArgument(context) });
}

function megabytes(bytes: number | null): string {
  return bytes === null ? '?' : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** `shoebox models`: list, download, import, verify and remove CLIP models in the data folder. */
export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'list the supported models, or download / import / verify / remove one',
  usage: 'shoebox models [list | download [id] | import <id> <folder> | verify <id> | remove <id>] [--data <dir>] [--json]',
  options: { ...commonOptions, data: { type: 'string' } },
  async run(context) {
    const [action = 'list', ...rest] = context.positionals;
    const models = manager(context);
    switch (action) {
      case 'list': {
        const rows = models.list().map(({ model, availability }) => ({
          id: model.id,
          name: model.name,
          default: model.id === models.defaultId,
          state: availability.state,
          approxDownloadMB: model.approxDownloadMB,
          ...(availability.state === 'available' ? { dir: availability.dir } : {}),
          ...(availability.state === 'failed' ? { reason: availability.reason } : {}),
        }));
        if (context.json) writeJson(context, rows);
        else {
          for (const row of rows) {
            const size = row.approxDownloadMB ? `~${row.approxDownloadMB} MB` : '';
            context.stdout.write(`${row.default ? '*' : ' '} ${row.id.padEnd(34)} ${row.state.padEnd(10)} ${size.padEnd(9)} ${row.name}\n`);
          }
        }
        return 0;
      }
      case 'download': {
        const id = rest[0] ?? models.defaultId;
        let lastPrinted = 0;
        const dir = await models.ensure(id, {
          onProgress: (progress) => {
            if (context.json || Date.now() - lastPrinted < 1000) return;
            lastPrinted = Date.now();
            context.stderr.write(
              `${progress.file}: ${megabytes(progress.receivedBytes)} / ${megabytes(progress.totalBytes)} (${megabytes(progress.bytesPerSecond)}/s)\n`,
            );
          },
        });
        if (context.json) writeJson(context, { id, dir });
        else context.stdout.write(`${id} is ready in ${dir}\n`);
        return 0;
      }
      case 'import': {
        const [id, folder] = rest;
        if (!id || !folder) throw new CliError('usage: shoebox models import <id> <folder>', 2);
        const dir = await models.importFolder(id, folder);
        if (context.json) writeJson(context, { id, dir });
        else context.stdout.write(`${id} imported into ${dir}\n`);
        return 0;
      }
      case 'verify': {
        const id = rest[0] ?? models.defaultId;
        const result = await models.verify(id);
        if (context.json) writeJson(context, { id, ...result });
        else context.stdout.write(result.ok ? `${id}: ok\n` : `${id}: ${result.problems.join('; ')}\n`);
        return result.ok ? 0 : 1;
      }
      case 'remove': {
        const id = rest[0];
        if (!id) throw new CliError('usage: shoebox models remove <id>', 2);
        await models.remove(id);
        if (context.json) writeJson(context, { id, removed: true });
        else context.stdout.write(`${id} removed\n`);
        return 0;
      }
      default:
        throw new CliError(`unknown action '${action}' (usage: ${this.usage})`, 2);
    }
  },
};
