import type { PhotoSummary, SearchHit } from '@shared/types';
import type { ViewerTarget } from './overlay';

/** Where the viewer is: the photo, its position in what it steps through, and what that is. */
export interface ViewerPlace {
  photoId: number | null;
  /** Position in the results (or the group), or null for a photo opened from elsewhere (the similar strip). */
  index: number | null;
  total: number;
  /** What `index` and `total` count, after 'N of M' ('in this group'); the results when empty. */
  scope: string;
  /** Near-duplicates grouped behind this result (a button then shows them). */
  duplicates: number;
  /** Scroll to the Describe panel first. */
  describeFirst: boolean;
}

/** What the viewer asks of the app around it. */
export interface ViewerHost {
  close: () => void;
  /** Steps through the results (or the group) by `delta`. */
  navigate: (delta: number) => void;
  /** Shows another photo (one from the similar strip). */
  show: (photo: PhotoSummary) => void;
  /** Shows the near-duplicates grouped behind the photo's result. */
  showGroup: () => void;
  /** A failure to tell the user about. */
  error: (message: string) => void;
}

/** The results as the viewer reads them. */
export interface ViewerResults {
  total: number | null;
  hit: (index: number) => SearchHit | undefined;
}

/** The photo the viewer shows: the one it was opened on, else the result at its position once that is loaded. */
export function viewerPhotoId(viewer: ViewerTarget, results: ViewerResults): number | null {
  if (viewer.photoId !== null) return viewer.photoId;
  return viewer.index !== null ? (results.hit(viewer.index)?.photo.id ?? null) : null;
}

/** The result on screen in the viewer: not in a group, and only while the results still hold it at its position. */
export function viewerHit(viewer: ViewerTarget, results: ViewerResults): SearchHit | null {
  if (viewer.group || viewer.index === null) return null;
  const hit = results.hit(viewer.index);
  return hit && hit.photo.id === viewerPhotoId(viewer, results) ? hit : null;
}

export function viewerPlace(viewer: ViewerTarget, results: ViewerResults): ViewerPlace {
  return {
    photoId: viewerPhotoId(viewer, results),
    index: viewer.index,
    total: viewer.group ? viewer.group.length : (results.total ?? 0),
    scope: viewer.group ? 'in this group' : '',
    duplicates: viewerHit(viewer, results)?.duplicateIds.length ?? 0,
    describeFirst: viewer.describe,
  };
}
