// The contract requests only the desktop shell can answer (the engine's own implementation says "only available in
// the desktop app"). Plain logic with its dependencies passed in, so it is tested without Electron; index.ts gives
// it Electron's shell and dialog, and the engine's validated paths.
import type { ReplyOf, RequestChannel, RequestOf } from '@shared/contract';
import { unwrapReply, type Reply } from '@shared/envelope';
import type { IpcOverrides } from './ipc';

export interface DesktopServices {
  /** The engine's validated real path of a photo the catalog owns (MediaService.photoPath), or null. */
  photoPath(photoId: number): Promise<string | null>;
  /** A contract request to the engine. */
  forward<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Reply<ReplyOf<C>>>;
  /** shell.openPath: resolves to an error message, '' on success. */
  openPath(path: string): Promise<string>;
  /** shell.showItemInFolder. */
  showItemInFolder(path: string): void;
  /** The system's folder picker; null when cancelled. */
  chooseFolder(): Promise<string | null>;
}

const UNAVAILABLE = 'This photo is not available: it was moved, changed or deleted since it was indexed, or lies outside the library.';

export function desktopOverrides(services: DesktopServices): IpcOverrides {
  async function pathOf(photoId: number): Promise<string> {
    const found = await services.photoPath(photoId);
    if (found === null) throw new Error(UNAVAILABLE);
    return found;
  }
  return {
    'photos.open': async ({ id }) => {
      const problem = await services.openPath(await pathOf(id));
      if (problem) throw new Error(`The photo could not be opened: ${problem}`);
      return null;
    },
    'photos.reveal': async ({ id }) => {
      services.showItemInFolder(await pathOf(id));
      return null;
    },
    'library.chooseFolder': async () => {
      const folder = await services.chooseFolder();
      if (folder === null) return null;
      // The engine validates the path again (contract) and decides whether it may be added.
      return unwrapReply<ReplyOf<'library.addFolder'>>(await services.forward('library.addFolder', { path: folder }));
    },
  };
}
