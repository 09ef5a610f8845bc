import path from 'node:path';
import type { LibraryChange, Settings } from '@shared/types';
import type { Catalog } from './catalog/catalog';
import type { ClipModel } from './clip/clip-model';
import { DescribeService } from './describe/describe-service';
import { SearchService } from './search/search-service';

/** The services that run an open CLIP model over the catalog. */
export interface ModelServices {
  search: SearchService;
  describe: DescribeService;
}

/**
 * Search and Describe for one model over one catalog, as the app and the CLI both build them: Describe's caption
 * bank doubles as search's query history and text population; the index cache lives in <dataDir>/search.
 */
export async function createModelServices(options: {
  catalog: Catalog;
  model: ClipModel;
  modelId: string;
  dataDir: string;
  settings: () => Settings;
  nativeBinding?: string | undefined;
  onLibraryChange?: (change: LibraryChange) => void;
  historyDelayMs?: number;
}): Promise<ModelServices> {
  const { catalog, model, modelId } = options;
  const describe = new DescribeService({ repositories: catalog, encoder: model, modelId, logitScale: model.logitScale });
  const search = new SearchService({
    catalog,
    model,
    modelId,
    dim: await model.dim(),
    cacheDir: path.join(options.dataDir, 'search'),
    settings: options.settings,
    history: describe,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    ...(options.onLibraryChange ? { onLibraryChange: options.onLibraryChange } : {}),
    ...(options.historyDelayMs !== undefined ? { historyDelayMs: options.historyDelayMs } : {}),
  });
  return { search, describe };
}
