import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Folder } from '../../../electron/engine/catalog/folder-repository';
import { useTempCatalog } from '../../support/temp-catalog';

let folder: Folder;

const temp = useTempCatalog('shoebox-photo-text-vectors-', ({ catalog, dir }) => {
  folder = catalog.folders.add(path.join(dir, 'Pictures'));
  // embedded_model refers to a registered model.
  catalog.embeddings.ensureModel('m', 2);
});

function addIndexed(name: string): number {
  const [row] = temp.catalog.photos.upsertMany([{ folderId: folder.id, path: path.join(folder.path, name), size: 1, mtimeMs: 1 }]);
  temp.catalog.photos.markIndexed(row!.id, 'm', { contentHash: name });
  return row!.id;
}

function floats(blob: Buffer): number[] {
  return Array.from(new Float32Array(new Uint8Array(blob).buffer));
}

describe('PhotoTextVectorRepository', () => {
  it('lists indexed photos that carry text of their own', () => {
    const captioned = addIndexed('captioned.jpg');
    const noted = addIndexed('noted.jpg');
    addIndexed('plain.jpg');
    const [pending] = temp.catalog.photos.upsertMany([{ folderId: folder.id, path: path.join(folder.path, 'pending.jpg'), size: 1, mtimeMs: 1 }]);
    temp.catalog.photos.setUserText(captioned, { description: 'a beach', keywords: 'sea; sand' });
    temp.catalog.photos.setNote(noted, 'grandma');
    temp.catalog.photos.setNote(pending!.id, 'not indexed yet');

    expect(temp.catalog.photoTextVectors.photosWithText()).toEqual([
      { id: captioned, description: 'a beach', keywords: 'sea; sand', note: null },
      { id: noted, description: null, keywords: null, note: 'grandma' },
    ]);
  });

  it('stores, replaces and deletes vectors per model, with the hash of their text', () => {
    const a = addIndexed('a.jpg');
    const b = addIndexed('b.jpg');
    const vectors = temp.catalog.photoTextVectors;
    vectors.putMany('m', [
      { photoId: a, textHash: 'ha', vector: new Float32Array([1, 0]) },
      { photoId: b, textHash: 'hb', vector: new Float32Array([0, 1]) },
    ]);
    vectors.putMany('other', [{ photoId: a, textHash: 'ha', vector: new Float32Array([0.6, 0.8]) }]);
    expect(vectors.textHashes('m')).toEqual(
      new Map([
        [a, 'ha'],
        [b, 'hb'],
      ]),
    );

    vectors.putMany('m', [{ photoId: a, textHash: 'ha2', vector: new Float32Array([-1, 0]) }]);
    expect(vectors.textHashes('m').get(a)).toBe('ha2');
    expect(vectors.indexedVectors('m').map((r) => ({ photoId: r.photoId, vector: floats(r.vector) }))).toEqual([
      { photoId: a, vector: [-1, 0] },
      { photoId: b, vector: [0, 1] },
    ]);

    vectors.deleteMany('m', [b]);
    expect([...vectors.textHashes('m').keys()]).toEqual([a]);
    expect([...vectors.textHashes('other').keys()]).toEqual([a]);
  });

  it('reads back only photos still indexed, and the vectors go with their photo', () => {
    const a = addIndexed('a.jpg');
    const b = addIndexed('b.jpg');
    temp.catalog.photoTextVectors.putMany('m', [
      { photoId: a, textHash: 'ha', vector: new Float32Array([1, 0]) },
      { photoId: b, textHash: 'hb', vector: new Float32Array([0, 1]) },
    ]);
    temp.catalog.photos.requeue([a]);
    expect(temp.catalog.photoTextVectors.indexedVectors('m').map((r) => r.photoId)).toEqual([b]);
    expect(temp.catalog.photoTextVectors.textHashes('m').size).toBe(2);

    temp.catalog.photos.delete(b);
    expect(temp.catalog.photoTextVectors.existingPhotoIds([a, b, 9999])).toEqual(new Set([a]));
    expect([...temp.catalog.photoTextVectors.textHashes('m').keys()]).toEqual([a]);
  });

  it('refuses a vector for a photo that is not in the catalog, writing none of the batch', () => {
    const a = addIndexed('a.jpg');
    expect(() =>
      temp.catalog.photoTextVectors.putMany('m', [
        { photoId: a, textHash: 'ha', vector: new Float32Array([1, 0]) },
        { photoId: 9999, textHash: 'hx', vector: new Float32Array([0, 1]) },
      ]),
    ).toThrow(/FOREIGN KEY/);
    expect(temp.catalog.photoTextVectors.textHashes('m').size).toBe(0);
  });
});
