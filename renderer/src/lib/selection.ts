import type { SearchHit } from '@shared/types';
import type { ChangeReason } from './result-pages';

/** The selected result: its position, and the photo it was, to follow that photo when the results move. */
export interface Selection {
  index: number | null;
  photoId: number | null;
}

export const NO_SELECTION: Selection = { index: null, photoId: null };

/** The results as the selection reads them. */
export interface SelectableResults {
  total: number | null;
  get: (index: number) => SearchHit | undefined;
  /** The photo's position among the loaded results, or -1. */
  indexOf: (photoId: number) => number;
}

/** Selects the result at `index`. */
export function selectAt(index: number, results: SelectableResults): Selection {
  return { index, photoId: results.get(index)?.photo.id ?? null };
}

/**
 * The selection after the results changed: a new query clears it; a refresh follows the photo if it is still loaded;
 * and it always stays inside the list when that got shorter (photos left the library).
 */
export function selectionAfter(reason: ChangeReason, selection: Selection, results: SelectableResults): Selection {
  let { index, photoId } = selection;
  if (reason === 'query') {
    index = null;
    photoId = null;
  } else if (photoId !== null && results.get(index ?? -1)?.photo.id !== photoId) {
    const at = results.indexOf(photoId);
    if (at >= 0) index = at;
  }
  const count = results.total;
  if (index !== null && count !== null && index >= count) index = count > 0 ? count - 1 : null;
  return index === selection.index && photoId === selection.photoId ? selection : { index, photoId };
}
