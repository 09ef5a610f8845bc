/** Turning a dropped or pasted file into search.uploadImage's payload. The pure parts are unit tested. */
import { LIMITS } from '@shared/limits';

const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|avif|heic|heif|tiff?|bmp)$/i;

/** Whether a dropped file looks like an image (type when the OS gives one, else the extension). */
export function isImageFile(file: { type: string; name: string }): boolean {
  if (file.type) return file.type.startsWith('image/');
  return IMAGE_EXTENSIONS.test(file.name);
}

/** Base64 of raw bytes, in chunks (String.fromCharCode on a whole photo would overflow the call stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Largest upload sent as it is; bigger photos are scaled down first (CLIP looks at 224 px anyway). */
export const MAX_RAW_UPLOAD_BYTES = LIMITS.rawUploadBytes;
/** Longest side of a scaled-down upload. */
export const UPLOAD_MAX_SIDE = LIMITS.uploadMaxSide;

/** The size to scale an image to so that its longest side is at most `maxSide`. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= maxSide || longest <= 0) return { width, height };
  const scale = maxSide / longest;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Whether a drag carries files (as opposed to text or a link), judged from its types during dragover. */
export function dragHasFiles(types: readonly string[] | null | undefined): boolean {
  return !!types && Array.from(types).includes('Files');
}

/** search.uploadImage's payload: the image's bytes as base64, and its name. */
export interface PreparedUpload {
  data: string;
  name: string;
}

/** The parts of a drop's or paste's DataTransfer that carry files. */
export interface FileTransfer {
  readonly types?: readonly string[];
  readonly files?: ArrayLike<File> | null;
  readonly items?: ArrayLike<{ readonly kind: string; getAsFile(): File | null }> | null;
}

/** The image files in a drop or paste. */
export function imageFilesFrom(transfer: FileTransfer | null | undefined, isImage: (file: File) => boolean): File[] {
  if (!transfer) return [];
  const files = Array.from(transfer.files ?? []);
  if (files.length === 0 && transfer.items) {
    for (const item of Array.from(transfer.items)) {
      if (item.kind === 'file') {
        const file = item.getAsFile();
        if (file) files.push(file);
      }
    }
  }
  return files.filter(isImage);
}
