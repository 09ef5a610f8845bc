import type { ShoeboxApi } from '@shared/contract';
import type { AppService } from './app-service';
import type { DescribeService } from './describe/describe-service';
import type { Catalog } from './catalog/catalog';
import type { IndexingService } from './indexing/indexing-service';
import type { LibraryService } from './library/library-service';
import type { PhotoService } from './photos/photo-service';
import { browseLibrary, isBrowse, type SearchService } from './search/search-service';
import type { SettingsService } from './settings/settings-service';

export interface EngineServices {
  app: AppService;
  library: LibraryService;
  indexing: IndexingService;
  catalog: Catalog;
  settings: SettingsService;
  photos: PhotoService;
  /** Null until a model is open. */
  search: () => SearchService | null;
  describe: () => DescribeService | null;
}

/**
 * The engine's implementation of the contract: one entry per request channel, each a thin call into a service.
 * Electron's utility process and the web-mode server both serve exactly this table, so the two modes cannot drift.
 */
export function createEngineApi({ app, library, indexing, catalog, settings, photos, search, describe }: EngineServices): ShoeboxApi {
  const requireSearch = (): SearchService => {
    const service = search();
    if (!service) throw new Error('search needs the model: download it first (or wait until it has loaded)');
    return service;
  };
  const requireDescribe = (): DescribeService => {
    const service = describe();
    if (!service) throw new Error('Describe needs the model: download it first (or wait until it has loaded)');
    return service;
  };
  return {
    'app.status': async () => app.status(),
    'model.download': async () => app.downloadModel(),
    'library.folders': async () => library.folders(),
    'library.addFolder': async ({ path }) => library.addFolder(path),
    'library.removeFolder': async ({ id }) => {
      if (!(await library.removeFolder(id))) throw new Error(`no library folder with id ${id}`);
      return null;
    },
    'library.failures': async ({ folderId, limit }) => library.failures(folderId, limit),
    'indexing.status': async () => indexing.status(),
    'indexing.pause': async () => indexing.pause(),
    'indexing.resume': async () => indexing.resume(),
    'indexing.retryFailed': async ({ folderId }) => indexing.retryFailed(folderId),
    // Browsing needs no model, so the library shows while the model downloads.
    'search.query': async (query) => (isBrowse(query) ? browseLibrary(catalog, query) : requireSearch().search(query)),
    'search.uploadImage': async ({ data }) => requireSearch().upload(Buffer.from(data, 'base64')),
    'photos.get': async ({ id }) => photos.get(id),
    'photos.describe': async ({ id, imageId, k }) => {
      if ((id === undefined) === (imageId === undefined)) throw new Error('give either a photo id or an uploaded image id');
      const vector = requireSearch().vectorOf(id !== undefined ? { photoId: id } : { imageId: imageId! });
      return requireDescribe().describe(vector, k ?? 10);
    },
    'photos.setNote': async ({ id, note }) => photos.setNote(id, note),
    'photos.open': desktopOnly,
    'photos.reveal': desktopOnly,
    'labels.list': async () => requireDescribe().labels(),
    'labels.add': async ({ text }) => requireDescribe().addLabel(text),
    'labels.remove': async ({ text }) => requireDescribe().removeLabel(text),
    'settings.get': async () => settings.get(),
    'settings.update': async (patch) => settings.update(patch),
    'library.chooseFolder': desktopOnly,
  };
}

/** Requests only the desktop shell can answer (it intercepts them before they reach the engine). */
async function desktopOnly(): Promise<never> {
  throw new Error('only available in the desktop app');
}
