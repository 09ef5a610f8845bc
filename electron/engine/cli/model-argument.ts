import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ClipModel } from '../clip/clip-model';
import type { ProviderPreference } from '../clip/onnx-session';
import { ModelManager } from '../models/model-manager';
import { defaultDataDir } from '../paths';
import { CliError, numberOption, stringOption, type CliContext } from './command';

/** Options shared by every command that runs a model. */
export const modelOptions = {
  model: { type: 'string' },
  data: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
} as const;

export function dataDirArgument(context: CliContext): string {
  return path.resolve(stringOption(context, 'data') ?? defaultDataDir());
}

function providerArgument(context: CliContext): ProviderPreference | undefined {
  const provider = stringOption(context, 'provider');
  if (provider === undefined) return undefined;
  if (provider !== 'auto' && provider !== 'cpu' && provider !== 'cuda') {
    throw new CliError(`--provider must be auto, cpu or cuda, got '${provider}'`, 2);
  }
  return provider;
}

/**
 * `--model` is a model folder (any supported layout) or a manifest id that is already downloaded into the data
 * folder; without it, the manifest's default model.
 */
export async function openModelArgument(context: CliContext): Promise<ClipModel> {
  const arg = stringOption(context, 'model');
  const threads = numberOption(context, 'threads');
  const provider = providerArgument(context);
  const runtime = { ...(provider ? { provider } : {}), ...(threads ? { intraOpThreads: threads } : {}) };
  if (arg && existsSync(arg) && statSync(arg).isDirectory()) return ClipModel.open(arg, runtime);
  const manager = new ModelManager({ dataDir: dataDirArgument(context) });
  const dir = await manager.resolve(arg ?? manager.defaultId);
  return ClipModel.open(dir, runtime);
}
