import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Folder } from '../../../electron/engine/catalog/folder-repository';
import { filterClause } from '../../../electron/engine/catalog/photo-query-repository';
import type { PhotoDetails } from '../../../electron/engine/catalog/photo-repository';
import { useTempCatalog } from '../../support/temp-catalog';

let holiday: Folder;
let phone: Folder;

const temp = useTempCatalog('shoebox-photo-queries-', ({ catalog, dir }) => {
  holiday = catalog.folders.add(path.join(dir, 'Holiday'));
  phone = catalog.folders.add(path.join(dir, 'Phone'));
  // embedded_model refers to a registered model.
  catalog.embeddings.ensureModel('m', 2);
});

/** 2019-07-01T00:00:00Z in milliseconds: the date key of a photo without an EXIF time. */
const JULY_FIRST_2019 = Date.UTC(2019, 6, 1);

function addPhoto(folder: Folder, name: string, details: Omit<PhotoDetails, 'contentHash'> = {}, mtimeMs = JULY_FIRST_2019): number {
  const [row] = temp.catalog.photos.upsertMany([{ folderId: folder.id, path: path.join(folder.path, name), size: 1, mtimeMs }]);
  expect(temp.catalog.photos.markIndexed(row!.id, 'm', { contentHash: name, ...details })).toBe(true);
  return row!.id;
}

describe('filterClause', () => {
  it('is null without filters or with empty ones', () => {
    expect(filterClause(undefined)).toBeNull();
    expect(filterClause({})).toBeNull();
    expect(filterClause({ folderIds: [], formats: [], camera: '  ' })).toBeNull();
  });

  it('names its parameters and escapes LIKE wildcards in the camera text', () => {
    const clause = filterClause({ folderIds: [3, 4], takenFrom: '2019-07-14 10:00', takenTo: '2019-07', formats: ['JPEG'], camera: ' 50%_x\\ ' });
    expect(clause?.params).toEqual({
      folderIds: '[3,4]',
      takenFrom: '2019-07-14T10:00',
      takenTo: '2019-07\u{10FFFF}',
      formats: '["jpeg"]',
      camera: '%50\\%\\_x\\\\%',
    });
    expect(clause?.sql.split(' AND ').length).toBeGreaterThanOrEqual(5);
  });
});

describe('PhotoQueryRepository', () => {
  it('indexed photos matching the filters: folder, dates (EXIF, else mtime; the end inclusive of its period), format, camera', () => {
    const beach = addPhoto(holiday, 'beach.jpg', { takenAt: '2019-07-14T16:03:22', format: 'jpeg', cameraMake: 'FUJIFILM', cameraModel: 'X-T3' });
    const noExif = addPhoto(holiday, 'scan.png', { format: 'png' }, JULY_FIRST_2019);
    const august = addPhoto(phone, 'august.heic', { takenAt: '2019-08-02T09:00:00', format: 'heic', cameraMake: 'Apple', cameraModel: 'iPhone 50%' });
    const [pending] = temp.catalog.photos.upsertMany([{ folderId: holiday.id, path: path.join(holiday.path, 'new.jpg'), size: 1, mtimeMs: JULY_FIRST_2019 }]);
    const queries = temp.catalog.photoQueries;
    const sorted = (ids: number[] | null): number[] | null => ids && [...ids].sort((a, b) => a - b);

    expect(queries.indexedIdsMatching(undefined)).toBeNull();
    expect(queries.indexedIdsMatching({})).toBeNull();
    expect(sorted(queries.indexedIdsMatching({ folderIds: [holiday.id] }))).toEqual([beach, noExif]);
    expect(queries.indexedIdsMatching({ folderIds: [holiday.id] })).not.toContain(pending!.id);
    expect(sorted(queries.indexedIdsMatching({ takenFrom: '2019-07', takenTo: '2019-07' }))).toEqual([beach, noExif]);
    expect(queries.indexedIdsMatching({ takenFrom: '2019-07-02' })).toEqual([beach, august]);
    expect(queries.indexedIdsMatching({ takenTo: '2019-07-14' })).toEqual([beach, noExif]);
    expect(queries.indexedIdsMatching({ takenTo: '2019-07-13' })).toEqual([noExif]);
    expect(queries.indexedIdsMatching({ formats: ['PNG', 'heic'] })).toEqual([noExif, august]);
    expect(queries.indexedIdsMatching({ camera: 'fujifilm x-t' })).toEqual([beach]);
    expect(queries.indexedIdsMatching({ camera: '50%' })).toEqual([august]);
    expect(queries.indexedIdsMatching({ camera: '5_%' })).toEqual([]);
    expect(queries.indexedIdsMatching({ folderIds: [phone.id], formats: ['jpeg'] })).toEqual([]);
  });

  it('date keys: the EXIF time, else the modification time in UTC; photos that are gone are left out', () => {
    const beach = addPhoto(holiday, 'beach.jpg', { takenAt: '2019-07-14T16:03:22+02:00' });
    const scan = addPhoto(holiday, 'scan.png', {}, JULY_FIRST_2019 + 90_500);
    const keys = temp.catalog.photoQueries.dateKeys([beach, scan, 9999]);
    expect(keys).toEqual(
      new Map([
        [beach, '2019-07-14T16:03:22+02:00'],
        [scan, '2019-07-01T00:01:30'],
      ]),
    );
    expect(temp.catalog.photoQueries.dateKeys([])).toEqual(new Map());
  });

  it('browsing: indexed photos and queued ones that keep a thumbnail, by date either way, ties by id, paged', () => {
    const a = addPhoto(holiday, 'a.jpg', { takenAt: '2019-07-14T10:00:00', thumbnail: 'a' });
    const b = addPhoto(holiday, 'b.jpg', { takenAt: '2019-07-14T10:00:00' });
    const c = addPhoto(phone, 'c.jpg', { takenAt: '2020-01-01T00:00:00', thumbnail: 'c' });
    const d = addPhoto(phone, 'd.jpg', { takenAt: '2018-01-01T00:00:00' });
    // Queued again (a model switch): still shown while it has its thumbnail, not without one.
    temp.catalog.photos.requeue([c, d]);
    const [failed] = temp.catalog.photos.upsertMany([{ folderId: holiday.id, path: path.join(holiday.path, 'bad.jpg'), size: 1, mtimeMs: 1 }]);
    temp.catalog.photos.markFailed(failed!.id, 'truncated');
    const queries = temp.catalog.photoQueries;

    expect(queries.countBrowsable(undefined)).toBe(3);
    expect(queries.browsableIds(undefined, 'date-desc', 10, 0)).toEqual([c, b, a]);
    expect(queries.browsableIds(undefined, 'date-asc', 10, 0)).toEqual([a, b, c]);
    expect(queries.browsableIds(undefined, 'date-desc', 2, 1)).toEqual([b, a]);
    expect(queries.browsableIds(undefined, 'date-desc', 10, 5)).toEqual([]);

    expect(queries.countBrowsable({ folderIds: [holiday.id] })).toBe(2);
    expect(queries.browsableIds({ folderIds: [holiday.id] }, 'date-asc', 10, 0)).toEqual([a, b]);
    expect(queries.countBrowsable({ takenFrom: '2020' })).toBe(1);
    expect(queries.browsableIds({ takenFrom: '2020' }, 'date-desc', 10, 0)).toEqual([c]);
  });
});
