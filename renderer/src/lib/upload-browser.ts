import { LIMITS } from '@shared/limits';
import { bytesToBase64, fitWithin, MAX_RAW_UPLOAD_BYTES, UPLOAD_MAX_SIDE, type PreparedUpload } from './upload';

/**
 * Reads a dropped or pasted image for search.uploadImage. Small files go as they are; larger ones are scaled so
 * their longest side is 1024 px and re-encoded as JPEG (the model sees a 224 px crop, and the web mode keeps request
 * bodies small). Formats the browser cannot decode (HEIC) are sent as they are, and the engine answers.
 */
export async function prepareUpload(file: File): Promise<PreparedUpload> {
  const name = (file.name || 'pasted image').slice(0, LIMITS.uploadNameLength);
  if (file.size <= MAX_RAW_UPLOAD_BYTES) {
    return { data: bytesToBase64(new Uint8Array(await file.arrayBuffer())), name };
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { data: bytesToBase64(new Uint8Array(await file.arrayBuffer())), name };
  }
  const size = fitWithin(bitmap.width, bitmap.height, UPLOAD_MAX_SIDE);
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('cannot scale the image in this browser');
  context.drawImage(bitmap, 0, 0, size.width, size.height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  if (!blob) throw new Error('cannot scale the image in this browser');
  return { data: bytesToBase64(new Uint8Array(await blob.arrayBuffer())), name };
}
