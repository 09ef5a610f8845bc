import type { CliCommand } from '../command';
import { embedCommand } from './embed';
import { modelsCommand } from './models';
import { preprocessCommand } from './preprocess';
import { serveCommand } from './serve';
import { tokenizeCommand } from './tokenize';

export const commands: readonly CliCommand[] = [tokenizeCommand, preprocessCommand, embedCommand, modelsCommand, serveCommand];
