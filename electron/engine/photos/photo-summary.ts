import path from 'node:path';
import type { PhotoSummary } from '@shared/types';
import type { Photo } from '../catalog/photo-repository';

/** What a result tile or list shows of a catalog photo. */
export function toSummary(photo: Photo): PhotoSummary {
  return {
    id: photo.id,
    folderId: photo.folderId,
    path: photo.path,
    name: path.basename(photo.path),
    width: photo.width,
    height: photo.height,
    takenAt: photo.takenAt,
    format: photo.format,
    mtimeMs: photo.mtimeMs,
  };
}
