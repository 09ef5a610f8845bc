import type { ShoeboxApi } from '@shared/contract';
import { errorMessage } from '@shared/errors';
import type { PhotoSummary } from '@shared/types';
import type { PhotoAction } from './menu';
import { similarTo, withPhoto, type QueryState } from './query';
import type { Toast } from './toasts';

/** What the photo actions need from the app around them. */
export interface PhotoActionHost {
  api: Pick<ShoeboxApi, 'photos.open' | 'photos.reveal'>;
  /** Open and Show in folder need the desktop shell. */
  desktop: boolean;
  writeClipboard: (text: string) => Promise<void>;
  notify: (text: string, tone?: Toast['tone'], ms?: number) => void;
  /** The search as it is now, and how to change it. */
  query: () => QueryState;
  setQuery: (next: QueryState) => void;
  /** Where a photo is in the loaded results, if it is. */
  indexOf: (photoId: number) => number | null;
  /** Closes the viewer, quick look and group: the results are about to change. */
  closeOverlays: () => void;
  focusResults: () => void;
  /** Focuses the search box (leaving its text unselected, to type after it). */
  focusSearch: () => void;
  /** Opens the viewer on `photo` with its Describe panel in view. */
  describe: (photo: PhotoSummary, index: number | null) => void;
  /** Shows the near-duplicates grouped behind the result at `index`. */
  showGroup: (photo: PhotoSummary, index: number | null) => void;
}

/** Everything that can be done to a photo, from the grid's context menu, the viewer's buttons and its menu. */
export interface PhotoActions {
  readonly desktop: boolean;
  /** Runs `action`; `index` is the photo's place in the results (looked up when not given). Never throws. */
  run: (action: PhotoAction, photo: PhotoSummary, index?: number | null) => Promise<void>;
}

export function createPhotoActions(host: PhotoActionHost): PhotoActions {
  async function run(action: PhotoAction, photo: PhotoSummary, index: number | null = host.indexOf(photo.id)): Promise<void> {
    switch (action) {
      case 'similar':
        host.closeOverlays();
        host.setQuery(similarTo(host.query(), photo));
        host.focusResults();
        return;
      case 'describe':
        host.describe(photo, index);
        return;
      case 'group':
        host.showGroup(photo, index);
        return;
      case 'compose':
        host.closeOverlays();
        host.setQuery(withPhoto(host.query(), photo));
        host.focusSearch();
        if (host.query().text.trim() === '') host.notify(`Now type what to add to ${photo.name}.`);
        return;
      case 'open':
      case 'reveal':
        try {
          await host.api[action === 'open' ? 'photos.open' : 'photos.reveal']({ id: photo.id });
        } catch (reason) {
          host.notify(errorMessage(reason), 'error');
        }
        return;
      case 'copy':
        try {
          await host.writeClipboard(photo.path);
          host.notify(`Copied the path of ${photo.name}`);
        } catch {
          host.notify(`Could not copy. The path is ${photo.path}`, 'error', 12_000);
        }
        return;
    }
  }
  return { desktop: host.desktop, run };
}
