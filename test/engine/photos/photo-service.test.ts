import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PhotoService } from '../../../electron/engine/photos/photo-service';
import { useTempCatalog } from '../../support/temp-catalog';

const temp = useTempCatalog('shoebox-photo-service-');

function addPhoto(): number {
  const folder = temp.catalog.folders.add(path.join(temp.dir, 'Pictures'));
  const [row] = temp.catalog.photos.upsertMany([{ folderId: folder.id, path: path.join(folder.path, 'IMG_1.jpg'), size: 42, mtimeMs: 1000 }]);
  return row!.id;
}

describe('PhotoService', () => {
  it("gives a photo's record for the viewer", () => {
    const id = addPhoto();
    temp.catalog.photos.setUserText(id, { description: 'a beach' });
    expect(new PhotoService(temp.catalog.photos).get(id)).toMatchObject({
      id,
      name: 'IMG_1.jpg',
      size: 42,
      mtimeMs: 1000,
      description: 'a beach',
      keywords: null,
      note: null,
      state: 'pending',
      failureReason: null,
    });
  });

  it('sets and clears the note, telling search each time', () => {
    const id = addPhoto();
    let told = 0;
    const service = new PhotoService(temp.catalog.photos, () => told++);
    expect(service.setNote(id, '  grandma  ').note).toBe('grandma');
    expect(temp.catalog.photos.get(id)?.note).toBe('grandma');
    expect(service.setNote(id, '').note).toBeNull();
    expect(told).toBe(2);
  });

  it('refuses an unknown photo', () => {
    const service = new PhotoService(temp.catalog.photos, () => {
      throw new Error('not told for an unknown photo');
    });
    expect(() => service.get(9999)).toThrow(/no photo with id 9999/);
    expect(() => service.setNote(9999, 'x')).toThrow(/no photo with id 9999/);
  });
});
