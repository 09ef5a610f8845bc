import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ShoeboxApi } from '@shared/contract';
import type { EngineMode } from '@shared/types';
import { errorMessage } from '@shared/errors';
import { AppService } from './app-service';
import { Catalog } from './catalog/catalog';
import { ClipModel } from './clip/clip-model';
import type { ProviderPreference, RuntimeOptions } from './clip/onnx-session';
import { modelImageInput } from './clip/preprocess';
import { createEngineApi } from './engine-api';
import { EngineEvents } from './events';
import { Indexer } from './indexing/indexer';
import { IndexingService } from './indexing/indexing-service';
import { LibraryService } from './library/library-service';
import { MediaService } from './media/media-service';
import { SharpPhotoDecoder } from './media/photo-decoder';
import { ThumbnailStore } from './media/thumbnails';
import type { ModelManifest } from './models/manifest';
import { ModelManager } from './models/model-manager';
import { defaultDataDir } from './paths';
import type { DescribeService } from './describe/describe-service';
import { createModelServices } from './model-services';
import { PhotoService } from './photos/photo-service';
import type { SearchService } from './search/search-service';
import { SettingsService, defaultSettings } from './settings/settings-service';

const FOLDER_COUNTS_EVENT_MS = 2000;

export interface EngineOptions {
  mode: EngineMode;
  /** The app's data folder (catalog, thumbnails, models); the platform default when empty. */
  dataDir?: string;
  /** A model folder or manifest id; the manifest's default when absent. */
  model?: string | undefined;
  provider?: ProviderPreference;
  threads?: number | undefined;
  /** Watch library folders for changes (the CLI's one-shot `index` turns this off). */
  watch?: boolean;
  /** Electron's own build of better-sqlite3 (its Node ABI differs from plain Node's). */
  sqliteNativeBinding?: string | undefined;
  /** sqlite-vec's loadable extension where its package's own path cannot be loaded (a packaged app's asar). */
  sqliteVecExtension?: string | undefined;
  /** Photos per inference batch. */
  batchSize?: number | undefined;
  /** The supported models; the bundled models/manifest.json by default. */
  manifest?: ModelManifest;
  /** Further onnxruntime settings (see RuntimeOptions). */
  runtime?: Omit<RuntimeOptions, 'provider' | 'intraOpThreads'>;
}

export interface RunningEngine {
  api: ShoeboxApi;
  events: EngineEvents;
  app: AppService;
  catalog: Catalog;
  library: LibraryService;
  indexing: IndexingService;
  models: ModelManager;
  settings: SettingsService;
  photos: PhotoService;
  /** The search service once a model is open (null before). */
  search(): SearchService | null;
  /** Describe (captions) once a model is open (null before). */
  describe(): DescribeService | null;
  /** Photo bytes for display and validated paths, for photos the catalog owns. */
  media: MediaService;
  dataDir: string;
  /** Resolves once a model is open and indexing has started (never, if no model becomes available). */
  modelReady: Promise<ClipModel>;
  close(): Promise<void>;
}

/**
 * Builds the engine's services for one data folder. The same composition serves Electron's utility process, the
 * web mode and the CLI, so behaviour never depends on the shell around it.
 *
 * Start order: catalog, then the library (reconciliation scans and watchers; they only record pending work), then
 * the model and the indexer as soon as a model is available — at once, or when its download completes.
 */
export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const dataDir = path.resolve(options.dataDir || defaultDataDir());
  mkdirSync(dataDir, { recursive: true });
  const events = new EngineEvents();
  const models = new ModelManager({ dataDir, ...(options.manifest ? { manifest: options.manifest } : {}) });
  const catalog = Catalog.openInDataDir(dataDir, {
    ...(options.sqliteNativeBinding ? { nativeBinding: options.sqliteNativeBinding } : {}),
    ...(options.sqliteVecExtension ? { vecExtensionPath: options.sqliteVecExtension } : {}),
  });
  // What the user chose in Settings applies where the command line or the shell did not say otherwise.
  const stored = SettingsService.stored(catalog.settings);
  const provider = options.provider ?? stored.provider ?? 'auto';
  const threads = options.threads ?? (stored.threads || undefined);
  const app = new AppService({ mode: options.mode, events, models, model: options.model ?? stored.model, provider });
  const settings = new SettingsService(catalog.settings, defaultSettings({ provider, threads: threads ?? 0, model: app.modelArgument }));
  const indexing = new IndexingService(catalog);
  const library = new LibraryService({
    catalog,
    scheduler: indexing,
    watch: options.watch ?? true,
    onChange: (folders) => events.emit('library.folders', folders),
  });
  const thumbnails = new ThumbnailStore(path.join(dataDir, 'thumbnails'));
  const media = new MediaService({ catalog, thumbnails });
  const runtime: RuntimeOptions = { ...options.runtime, provider, ...(threads ? { intraOpThreads: threads } : {}) };

  // Per-folder counts change as photos are indexed: tell clients every couple of seconds while that goes on.
  let foldersTimer: NodeJS.Timeout | null = null;
  const foldersSoon = (): void => {
    if (foldersTimer) return;
    foldersTimer = setTimeout(() => {
      foldersTimer = null;
      events.emit('library.folders', library.folders());
    }, FOLDER_COUNTS_EVENT_MS);
    foldersTimer.unref();
  };
  let clip: ClipModel | null = null;
  let search: SearchService | null = null;
  let describe: DescribeService | null = null;
  let resolveModel: (model: ClipModel) => void = () => undefined;
  const modelReady = new Promise<ClipModel>((resolve) => (resolveModel = resolve));

  /** Background work cut short by close() (its model disposed under it) is not an error worth reporting. */
  const reportUnlessClosing =
    (what: string) =>
    (error: unknown): void => {
      if (!closing) console.error(`shoebox: ${what}: ${errorMessage(error)}`);
    };

  async function openModel(): Promise<void> {
    if (clip) return;
    const arg = app.modelArgument;
    const isFolder = existsSync(arg) && statSync(arg).isDirectory();
    if (!isFolder && models.availability(arg).state !== 'available') return;
    const model = await ClipModel.open(isFolder ? arg : await models.resolve(arg), runtime);
    if (clip) return;
    clip = model;
    // Vectors from different weights must never mix: the catalog's model id carries the weights' fingerprint.
    const modelId = catalogModelId(arg, isFolder, model);
    const decoder = new SharpPhotoDecoder({ modelInput: modelImageInput(model.preprocess), thumbnails });
    indexing.attach(
      new Indexer({
        catalog,
        model,
        modelId,
        decoder,
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        onProgress: (progress) => {
          events.emit('indexing.progress', progress);
          foldersSoon();
        },
        onError: (error) => console.error(`shoebox: indexing: ${error.message}`),
      }),
    );
    ({ search, describe } = await createModelServices({
      catalog,
      model,
      modelId,
      dataDir,
      settings: () => settings.get(),
      nativeBinding: options.sqliteNativeBinding,
      onLibraryChange: (change) => events.emit('library.changed', change),
    }));
    // The app loads the text tower up front; a one-shot CLI command loads only what it uses.
    void search.warmUp({ text: options.mode !== 'cli' }).catch(reportUnlessClosing('search'));
    // The caption bank is embedded once per model, in the background (Describe waits for it on first use).
    if (options.mode !== 'cli') void describe.ready().catch(reportUnlessClosing('describe'));
    app.attachModel(model);
    resolveModel(model);
  }

  const stopWatchingModels = models.onChange(() => {
    void openModel().catch((error: unknown) => app.setReady(`cannot open the model: ${errorMessage(error)}`));
  });
  // The app shows the first scan's progress per folder instead of waiting for it (it can take minutes on a big
  // library); the CLI waits, so its commands see a reconciled catalog.
  const libraryStarted = library.start().catch((error: unknown) => app.setReady(`library scan failed: ${errorMessage(error)}`));
  try {
    if (options.mode === 'cli') await libraryStarted;
    await openModel();
    app.setReady();
  } catch (error) {
    app.setReady(errorMessage(error));
  }

  const photos = new PhotoService(catalog.photos, () => void search?.textChanged().catch(() => undefined));
  const api = createEngineApi({ app, library, indexing, catalog, settings, photos, search: () => search, describe: () => describe });
  let closing: Promise<void> | null = null;
  return {
    api,
    events,
    app,
    catalog,
    library,
    indexing,
    models,
    media,
    settings,
    photos,
    search: () => search,
    describe: () => describe,
    dataDir,
    modelReady,
    close() {
      closing ??= (async () => {
        stopWatchingModels();
        if (foldersTimer) clearTimeout(foldersTimer);
        await libraryStarted;
        await library.close();
        await indexing.stop();
        search?.close();
        await clip?.dispose();
        app.attachModel(null);
        catalog.close();
      })();
      return closing;
    },
  };
}

/** The catalog's id for a model's vectors: its name plus the weights' fingerprint (vectors of two weights never mix). */
export function catalogModelId(argument: string, isFolder: boolean, model: ClipModel): string {
  return `${isFolder ? path.basename(path.resolve(argument)) : argument}@${model.layout.fingerprint}`;
}
