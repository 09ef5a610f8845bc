import type { PhotoDetails } from '@shared/types';
import type { PhotoRepository } from '../catalog/photo-repository';
import { toSummary } from './photo-summary';

/** One photo's record for the viewer, and the user's edits to it. */
export class PhotoService {
  constructor(
    private readonly photos: PhotoRepository,
    /** Called after a note changed, so search embeds the new text. */
    private readonly onTextChanged: () => void = () => undefined,
  ) {}

  get(id: number): PhotoDetails {
    const photo = this.photos.get(id);
    if (!photo) throw new Error(`no photo with id ${id}`);
    return {
      ...toSummary(photo),
      size: photo.size,
      cameraMake: photo.cameraMake,
      cameraModel: photo.cameraModel,
      gpsLat: photo.gpsLat,
      gpsLon: photo.gpsLon,
      description: photo.description,
      keywords: photo.keywords,
      note: photo.note,
      state: photo.state,
      failureReason: photo.failureReason,
    };
  }

  setNote(id: number, note: string): PhotoDetails {
    if (!this.photos.setNote(id, note)) throw new Error(`no photo with id ${id}`);
    this.onTextChanged();
    return this.get(id);
  }
}
