import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../shared/types';
import { viewerHit, viewerPhotoId, viewerPlace, type ViewerResults } from '../../renderer/src/lib/viewer';

const hit = (id: number, duplicateIds: number[] = []): SearchHit => ({ photo: { id, name: `${id}.jpg` }, duplicateIds }) as unknown as SearchHit;

function results(hits: (SearchHit | undefined)[], total: number | null = hits.length): ViewerResults {
  return { total, hit: (index) => hits[index] };
}

describe('viewer place', () => {
  it('shows the photo it was opened on, else the result at its position once loaded', () => {
    expect(viewerPhotoId({ index: 1, photoId: 5, describe: false }, results([hit(1), hit(2)]))).toBe(5);
    expect(viewerPhotoId({ index: 1, photoId: null, describe: false }, results([hit(1), hit(2)]))).toBe(2);
    expect(viewerPhotoId({ index: 3, photoId: null, describe: false }, results([hit(1)]))).toBeNull();
    expect(viewerPhotoId({ index: null, photoId: null, describe: false }, results([hit(1)]))).toBeNull();
  });

  it('counts the results, with the near-duplicates behind the result on screen', () => {
    const place = viewerPlace({ index: 0, photoId: 1, describe: true }, results([hit(1, [8, 9])], 40));
    expect(place).toEqual({ photoId: 1, index: 0, total: 40, scope: '', duplicates: 2, describeFirst: true });
    expect(viewerPlace({ index: 0, photoId: 1, describe: false }, results([hit(1)], null)).total).toBe(0);
  });

  it('steps through a group: its size, its scope, and no result behind it', () => {
    const viewer = { index: 1, photoId: 8, describe: false, group: [1, 8, 9] };
    expect(viewerPlace(viewer, results([hit(1, [8, 9])], 40))).toEqual({
      photoId: 8,
      index: 1,
      total: 3,
      scope: 'in this group',
      duplicates: 0,
      describeFirst: false,
    });
    expect(viewerHit(viewer, results([hit(1, [8, 9])]))).toBeNull();
  });

  it('drops the result once the results no longer hold the photo at that position', () => {
    const viewer = { index: 0, photoId: 1, describe: false };
    expect(viewerHit(viewer, results([hit(1)]))?.photo.id).toBe(1);
    expect(viewerHit(viewer, results([hit(2, [3])]))).toBeNull();
    expect(viewerPlace(viewer, results([hit(2, [3])])).duplicates).toBe(0);
    expect(viewerHit({ index: null, photoId: 1, describe: false }, results([hit(1)]))).toBeNull();
  });
});
