import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ShoeboxApi } from '@shared/contract';
import type { EngineMode } from '@shared/types';
import { AppService } from './app-service';
import type { ProviderPreference } from './clip/onnx-session';
import { createEngineApi } from './engine-api';
import { EngineEvents } from './events';
import { ModelManager } from './models/model-manager';
import { defaultDataDir } from './paths';

export interface EngineOptions {
  mode: EngineMode;
  /** The app's data folder (catalog, thumbnails, models); the platform default when empty. */
  dataDir?: string;
  /** A model folder or manifest id. */
  model?: string | undefined;
  provider?: ProviderPreference;
}

export interface RunningEngine {
  api: ShoeboxApi;
  events: EngineEvents;
  app: AppService;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Builds the engine's services for one data folder. The same composition serves Electron's utility process, the
 * web mode and the CLI, so behaviour never depends on the shell around it.
 */
export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const dataDir = path.resolve(options.dataDir || defaultDataDir());
  mkdirSync(dataDir, { recursive: true });
  const events = new EngineEvents();
  const models = new ModelManager({ dataDir });
  const app = new AppService({ mode: options.mode, events, models, model: options.model, provider: options.provider ?? 'auto' });
  const api = createEngineApi(app);
  app.setReady();
  return {
    api,
    events,
    app,
    dataDir,
    async close() {
      app.attachModel(null);
    },
  };
}
