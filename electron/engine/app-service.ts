import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AppStatus, EngineMode, ModelStatus } from '@shared/types';
import type { ClipModel } from './clip/clip-model';
import type { ProviderPreference } from './clip/onnx-session';
import type { EngineEvents } from './events';
import type { ModelManager } from './models/model-manager';
import { appRoot } from './resources';

export interface AppServiceOptions {
  mode: EngineMode;
  events: EngineEvents;
  models: ModelManager;
  /** A model folder or a manifest id; the manifest's default when absent. */
  model?: string;
  provider: ProviderPreference;
}

/** What the app is and what state it is in: version, engine, model availability and the runtime actually in use. */
export class AppService {
  private engineState: AppStatus['engine'];
  private clip: ClipModel | null = null;
  private readonly version: string;

  constructor(private readonly options: AppServiceOptions) {
    this.engineState = { mode: options.mode, state: 'starting', error: null };
    const pkg = JSON.parse(readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string };
    this.version = pkg.version;
    options.models.onChange(() => this.changed());
  }

  /** The model argument as given, or the manifest's default id. */
  get modelArgument(): string {
    return this.options.model ?? this.options.models.defaultId;
  }

  /**
   * Downloads the configured model in the background. Concurrent calls share one download (the model manager's
   * guarantee); a model given as a folder is already available.
   */
  downloadModel(): ModelStatus {
    const arg = this.modelArgument;
    const current = this.modelStatus();
    if (current.state === 'available' || current.state === 'downloading') return current;
    this.options.models
      .ensure(arg, {
        onProgress: (progress) =>
          this.options.events.emit('model.progress', {
            id: arg,
            state: 'downloading',
            receivedBytes: progress.receivedBytes,
            totalBytes: progress.totalBytes,
            bytesPerSecond: progress.bytesPerSecond,
          }),
      })
      .catch(() => undefined) // the failure is kept by the model manager and shown in the status
      .finally(() => this.changed());
    return this.modelStatus();
  }

  setReady(error: string | null = null): void {
    this.engineState = { ...this.engineState, state: error ? 'error' : 'ready', error };
    this.changed();
  }

  /** Called once the CLIP model is open, so the status can report the provider its sessions run on. */
  attachModel(model: ClipModel | null): void {
    this.clip = model;
    this.changed();
  }

  status(): AppStatus {
    const vision = this.clip?.status().vision;
    return {
      app: { name: 'Shoebox', version: this.version },
      engine: this.engineState,
      model: this.modelStatus(),
      runtime: {
        provider: vision?.loaded ? vision.provider : null,
        requestedProvider: this.options.provider,
        fallbackReason: vision?.loaded ? (vision.fallbackReason ?? null) : null,
        intraOpThreads: vision?.loaded ? vision.intraOpThreads : null,
      },
    };
  }

  modelStatus(): ModelStatus {
    const arg = this.modelArgument;
    if (existsSync(arg) && statSync(arg).isDirectory()) {
      return { id: path.basename(arg), name: path.basename(arg), state: 'available', receivedBytes: null, totalBytes: null, reason: null };
    }
    const name = this.options.models.displayName(arg);
    const availability = this.options.models.availability(arg);
    switch (availability.state) {
      case 'available':
        return { id: arg, name, state: 'available', receivedBytes: null, totalBytes: null, reason: null };
      case 'downloading':
        return {
          id: arg,
          name,
          state: 'downloading',
          receivedBytes: availability.receivedBytes,
          totalBytes: availability.totalBytes,
          reason: null,
        };
      case 'failed':
        return { id: arg, name, state: 'failed', receivedBytes: null, totalBytes: null, reason: availability.reason };
      case 'missing':
        return { id: arg, name, state: 'missing', receivedBytes: null, totalBytes: null, reason: 'not downloaded yet' };
    }
  }

  private changed(): void {
    this.options.events.emit('app.status', this.status());
  }
}
