/*
 * The search index: VectorIndex and what its callers pass and get back. The modules beside this one are its parts
 * (see vector-index.ts for how they fit together).
 */

export { VectorIndex } from './vector-index';
export type { BackgroundOpenOptions, IndexOrigin, SearchOptions, VectorIndexOptions } from './vector-index';
export type { SearchHit } from './rerank';
export { sourceState } from './vector-source';
export type { SourceState, VectorSource, VectorSourceChunk } from './vector-source';

import type { Catalog } from '../../catalog/catalog';
import { catalogVectorSource as readCatalogVectors } from '../../catalog/vector-chunk-reader';
import type { VectorSource } from './vector-source';

/** The catalog's vectors for `modelId` (catalog/vector-chunk-reader.ts), typed as the index's source contract. */
export const catalogVectorSource: (catalog: Catalog, modelId: string) => VectorSource = readCatalogVectors;
