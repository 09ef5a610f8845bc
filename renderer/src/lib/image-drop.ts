import { errorMessage } from '@shared/errors';
import type { ImageExample } from './query';
import type { Toast } from './toasts';
import { dragHasFiles, imageFilesFrom, isImageFile, type FileTransfer, type PreparedUpload } from './upload';

/**
 * Searching by an image from outside the library: dropped on the window, pasted, or picked with the file button.
 * The window's drag, drop and paste handlers and the upload of each image, as plain functions over small events.
 */

/** At most this many images from one drop or paste. */
export const MAX_IMAGES_PER_DROP = 4;

export interface ImageSearchHost {
  /** Whether there is a library to search (else the drop only explains what to do first). */
  hasLibrary: () => boolean;
  prepare: (file: File) => Promise<PreparedUpload>;
  upload: (prepared: PreparedUpload) => Promise<{ imageId: string }>;
  /** A blob: URL for the chip's preview. */
  previewUrl: (file: File) => string | null;
  addImage: (image: ImageExample) => void;
  notify: (text: string, tone?: Toast['tone']) => void;
  /** The names of the images being read and uploaded, whenever that list changes. */
  onUploading: (names: string[]) => void;
}

/** Uploads each image in turn and adds it to the query as an example; failures are told, never thrown. */
export function createImageSearch(host: ImageSearchHost): (files: File[]) => Promise<void> {
  let uploading: string[] = [];
  const setUploading = (names: string[]): void => {
    uploading = names;
    host.onUploading(names);
  };
  return async (files) => {
    if (!host.hasLibrary()) {
      host.notify('Add a folder of photos first; then drop an image to find photos like it.');
      return;
    }
    for (const file of files.slice(0, MAX_IMAGES_PER_DROP)) {
      const name = file.name || 'pasted image';
      setUploading([...uploading, name]);
      try {
        const prepared = await host.prepare(file);
        const uploaded = await host.upload(prepared);
        host.addImage({ imageId: uploaded.imageId, name: prepared.name, previewUrl: host.previewUrl(file) });
      } catch (reason) {
        host.notify(`Could not search by ${name}: ${errorMessage(reason)}`, 'error');
      } finally {
        const at = uploading.indexOf(name);
        setUploading(uploading.filter((_, i) => i !== at));
      }
    }
  };
}

/** The parts of a DragEvent or ClipboardEvent the handlers read. */
export interface TransferEvent {
  preventDefault(): void;
}
export interface DropEvent extends TransferEvent {
  readonly dataTransfer: (FileTransfer & { dropEffect?: string }) | null;
  readonly relatedTarget?: unknown;
}
export interface PasteEvent extends TransferEvent {
  readonly clipboardData: FileTransfer | null;
}

export interface ImageDropHost {
  /** A dialog is open: the page behind it takes no drops or pastes. */
  blocked: () => boolean;
  setDragging: (dragging: boolean) => void;
  search: (files: File[]) => void;
  notify: (text: string) => void;
}

export interface ImageDropHandlers {
  dragover: (event: DropEvent) => void;
  dragleave: (event: DropEvent) => void;
  drop: (event: DropEvent) => void;
  paste: (event: PasteEvent) => void;
}

export function createImageDrop(host: ImageDropHost): ImageDropHandlers {
  return {
    dragover(event) {
      if (!dragHasFiles(event.dataTransfer?.types) || host.blocked()) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
      host.setDragging(true);
    },
    dragleave(event) {
      // relatedTarget is null when the pointer leaves the window.
      if (event.relatedTarget === null) host.setDragging(false);
    },
    drop(event) {
      if (!dragHasFiles(event.dataTransfer?.types)) return;
      event.preventDefault();
      host.setDragging(false);
      const files = imageFilesFrom(event.dataTransfer, isImageFile);
      if (files.length === 0) host.notify('Drop an image file (JPEG, PNG, WebP, HEIC…) to search by it.');
      else host.search(files);
    },
    paste(event) {
      if (host.blocked()) return;
      const files = imageFilesFrom(event.clipboardData, isImageFile);
      if (files.length === 0) return;
      event.preventDefault();
      host.search(files);
    },
  };
}
