import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isotropic } from '../../../bench/search';
import type { Folder } from '../../../electron/engine/catalog/folder-repository';
import { catalogVectorSource, databaseVectorSource, openCatalogReadOnly } from '../../../electron/engine/catalog/vector-chunk-reader';
import { useTempCatalog } from '../../support/temp-catalog';

const DIM = 512;
const MODEL = 'clip-test';

let folder: Folder;

const temp = useTempCatalog('shoebox-chunks-', ({ catalog, dir }) => {
  folder = catalog.folders.add(path.join(dir, 'Pictures'));
  catalog.embeddings.ensureModel(MODEL, DIM);
});

/** Adds `count` photos with the given vectors; returns their ids. */
function addPhotos(vectors: Float32Array, prefix = 'p'): number[] {
  const count = vectors.length / DIM;
  const ids = temp.catalog.photos
    .upsertMany(Array.from({ length: count }, (_, i) => ({ folderId: folder.id, path: path.join(folder.path, `${prefix}${i}.jpg`), size: 1, mtimeMs: 1 })))
    .map((r) => r.id);
  temp.catalog.embeddings.putMany(MODEL, ids.map((photoId, i) => ({ photoId, vector: vectors.subarray(i * DIM, (i + 1) * DIM) })));
  return ids;
}

function row(vectors: Float32Array, i: number): Float32Array {
  return vectors.subarray(i * DIM, (i + 1) * DIM);
}

describe('catalog vector source', () => {
  it("reads vec0's shadow tables exactly as the public scan does, after deletes and replacements", () => {
    const gen = isotropic(DIM);
    const ids = addPhotos(gen.images(2500, 91));
    temp.catalog.photos.deleteMany(ids.filter((_, i) => i % 11 === 0));
    for (const id of ids.filter((_, i) => i % 13 === 1 && i % 11 !== 0)) temp.catalog.embeddings.put(MODEL, id, row(gen.images(1, id), 0));
    const source = catalogVectorSource(temp.catalog, MODEL);
    const seen = new Map<number, Float32Array>();
    for (const chunk of source.iterate()) {
      Array.from(chunk.photoIds, Number).forEach((id, i) => seen.set(id, chunk.vectors.slice(i * DIM, (i + 1) * DIM)));
    }
    const all = temp.catalog.embeddings.readAll(MODEL);
    expect(seen.size).toBe(all.photoIds.length);
    expect(source.count!()).toBe(all.photoIds.length);
    all.photoIds.forEach((id, i) => expect(seen.get(id)).toEqual(all.vectors.subarray(i * DIM, (i + 1) * DIM)));
    const fetched = source.fetch([ids[1]!, ids[0]!, 123_456]);
    expect([...fetched.keys()].sort((a, b) => a - b)).toEqual([ids[1]!]);
  });

  it('a read-only connection without sqlite-vec reads the same vectors and stamp', () => {
    const ids = addPhotos(isotropic(DIM).images(1500, 92));
    temp.catalog.photos.deleteMany(ids.filter((_, i) => i % 5 === 0));
    const loaded = catalogVectorSource(temp.catalog, MODEL);
    const db = openCatalogReadOnly(path.join(temp.dir, 'catalog.sqlite'));
    try {
      const plain = databaseVectorSource(db, MODEL);
      expect(plain.stamp!()).toBe(loaded.stamp!());
      expect(plain.mark!()).toBe(loaded.mark!());
      const read = (source: typeof plain): Map<number, Float32Array> => {
        const out = new Map<number, Float32Array>();
        for (const chunk of source.iterate()) Array.from(chunk.photoIds, Number).forEach((id, i) => out.set(id, chunk.vectors.slice(i * DIM, (i + 1) * DIM)));
        return out;
      };
      expect(read(plain)).toEqual(read(loaded));
      const fetched = plain.fetch([ids[1]!, ids[0]!, 123_456]);
      expect([...fetched.keys()]).toEqual([ids[1]!]);
      expect(fetched.get(ids[1]!)).toEqual(loaded.fetch([ids[1]!]).get(ids[1]!));
      expect(() => databaseVectorSource(db, 'no-such-model')).toThrow(/unknown embedding model/);
    } finally {
      db.close();
    }
  });
});
