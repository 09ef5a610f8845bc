import { commonOptions, type CliCommand } from '../command';
import { modelOptions } from '../model-argument';
import { openEngineWithFolders, progressLine } from './index-folders';

/** `shoebox watch`: keeps the library's folders indexed as files come and go, until interrupted. */
export const watchCommand: CliCommand = {
  name: 'watch',
  summary: "watch the library's folders (and any given) and keep them indexed until interrupted",
  usage: 'shoebox watch [<folder>...] [--data <dir>] [--model <dir-or-id>] [--json]',
  options: { ...commonOptions, ...modelOptions, batch: { type: 'string' } },
  async run(context) {
    const engine = await openEngineWithFolders(context, true);
    const print = (event: string, payload: unknown) =>
      context.stdout.write(context.json ? `${JSON.stringify({ event, payload })}\n` : `${String(payload)}\n`);
    let last = '';
    const unsubscribe = engine.events.onAny((channel, payload) => {
      if (channel === 'indexing.progress') {
        const line = progressLine(engine.indexing.status());
        if (line !== last) print(channel, context.json ? payload : line);
        last = line;
      } else if (channel === 'library.folders' && context.json) {
        print(channel, payload);
      }
    });
    if (!context.json) {
      for (const folder of engine.library.folders()) print('folder', `watching ${folder.path} (${folder.mode}${folder.reason ? `: ${folder.reason}` : ''})`);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    unsubscribe();
    await engine.close();
    return 0;
  },
};
