import path from 'node:path';
import { appRoot } from '../../resources';
import { startEngine } from '../../start-engine';
import { startWebServer } from '../../web/server';
import { commonOptions, numberOption, stringOption, writeJson, type CliCommand } from '../command';
import { dataDirArgument, modelOptions } from '../model-argument';

/** `shoebox serve`: the engine and the app's interface in a browser, on 127.0.0.1 with a random access token. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the app in web mode on 127.0.0.1 and print the address (with its access token) to open',
  usage: 'shoebox serve [--data <dir>] [--model <dir-or-id>] [--port <n>] [--json]',
  options: { ...commonOptions, ...modelOptions, port: { type: 'string' } },
  async run(context) {
    const provider = stringOption(context, 'provider');
    const engine = await startEngine({
      mode: 'web',
      dataDir: dataDirArgument(context),
      model: stringOption(context, 'model'),
      provider: provider === 'cpu' || provider === 'cuda' ? provider : 'auto',
    });
    const server = await startWebServer({
      api: engine.api,
      events: engine.events,
      media: engine.media,
      rendererDir: path.join(appRoot(), 'out', 'renderer'),
      port: numberOption(context, 'port') ?? 0,
    });
    if (context.json) writeJson(context, { url: server.url, dataDir: engine.dataDir });
    else context.stdout.write(`${server.url}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    await engine.close();
    return 0;
  },
};
