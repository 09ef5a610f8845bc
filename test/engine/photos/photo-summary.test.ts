import { describe, expect, it } from 'vitest';
import type { Photo } from '../../../electron/engine/catalog/photo-repository';
import { toSummary } from '../../../electron/engine/photos/photo-summary';

const PHOTO: Photo = {
  id: 7,
  folderId: 2,
  path: '/home/me/Pictures/2019/IMG_0042.jpg',
  size: 123456,
  mtimeMs: 1_563_000_000_000,
  contentHash: 'h',
  width: 4000,
  height: 3000,
  takenAt: '2019-07-14T16:03:22',
  cameraMake: 'FUJIFILM',
  cameraModel: 'X-T3',
  gpsLat: 48.85,
  gpsLon: 2.35,
  format: 'jpeg',
  state: 'indexed',
  failureReason: null,
  thumbnail: 'h',
  embeddedModel: 'm',
  description: 'a beach',
  keywords: null,
  note: 'holiday',
  addedAt: 1,
  updatedAt: 2,
};

describe('toSummary', () => {
  it('keeps what a result tile shows, with the file name', () => {
    expect(toSummary(PHOTO)).toEqual({
      id: 7,
      folderId: 2,
      path: '/home/me/Pictures/2019/IMG_0042.jpg',
      name: 'IMG_0042.jpg',
      width: 4000,
      height: 3000,
      takenAt: '2019-07-14T16:03:22',
      format: 'jpeg',
      mtimeMs: 1_563_000_000_000,
    });
  });
});
