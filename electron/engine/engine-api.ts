import type { ShoeboxApi } from '@shared/contract';
import type { AppService } from './app-service';
import type { IndexingService } from './indexing/indexing-service';
import type { LibraryService } from './library/library-service';

export interface EngineServices {
  app: AppService;
  library: LibraryService;
  indexing: IndexingService;
}

/**
 * The engine's implementation of the contract: one entry per request channel, each a thin call into a service.
 * Electron's utility process and the web-mode server both serve exactly this table, so the two modes cannot drift.
 */
export function createEngineApi({ app, library, indexing }: EngineServices): ShoeboxApi {
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
    'indexing.retryFailed': notYet,
    'search.query': notYet,
    'search.uploadImage': notYet,
    'photos.get': notYet,
    'photos.describe': notYet,
    'photos.setNote': notYet,
    'photos.open': desktopOnly,
    'photos.reveal': desktopOnly,
    'labels.list': notYet,
    'labels.add': notYet,
    'labels.remove': notYet,
    'settings.get': notYet,
    'settings.update': notYet,
    'library.chooseFolder': desktopOnly,
  };
}

// Temporary while the search service lands (issue #4); replaced entry by entry.
async function notYet(): Promise<never> {
  throw new Error('not available yet');
}

/** Requests only the desktop shell can answer (it intercepts them before they reach the engine). */
async function desktopOnly(): Promise<never> {
  throw new Error('only available in the desktop app');
}
