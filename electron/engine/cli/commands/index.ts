import type { CliCommand } from '../command';
import { embedCommand } from './embed';
import { evalCommand } from './eval';
import { indexCommand } from './index-command';
import { modelsCommand } from './models';
import { preprocessCommand } from './preprocess';
import { describeCommand, searchCommand, similarCommand } from './query-commands';
import { serveCommand } from './serve';
import { statusCommand } from './status';
import { tokenizeCommand } from './tokenize';
import { watchCommand } from './watch';

export const commands: readonly CliCommand[] = [
  tokenizeCommand,
  preprocessCommand,
  embedCommand,
  modelsCommand,
  indexCommand,
  watchCommand,
  statusCommand,
  searchCommand,
  similarCommand,
  describeCommand,
  evalCommand,
  serveCommand,
];
