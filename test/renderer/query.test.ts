import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  buildSearchQuery,
  emptyFilters,
  emptyMessage,
  initialQueryState,
  isBrowsing,
  isComposed,
  queryKey,
  similarTo,
  withImage,
  withoutImage,
  withoutPhoto,
  withPhoto,
  withText,
  type QueryState,
} from '../../renderer/src/lib/query';

const base = initialQueryState();

describe('query state to search.query', () => {
  it('an empty box browses the whole library (no text, no sort: newest first)', () => {
    expect(buildSearchQuery(base)).toEqual({});
    expect(isBrowsing(base)).toBe(true);
    expect(isBrowsing({ ...base, text: '   ' })).toBe(true);
  });

  it('sends the text verbatim (trimmed): the engine reads the arithmetic', () => {
    expect(buildSearchQuery({ ...base, text: '  beach -people +sunset ' })).toEqual({ text: 'beach -people +sunset' });
  });

  it('composes text with example photos and images, with the text weight only when both are there', () => {
    const state: QueryState = withImage(withPhoto({ ...base, text: 'red', textWeight: 0.3 }, { id: 4, name: 'a.jpg' }), {
      imageId: 'img1',
      name: 'drop.png',
      previewUrl: null,
    });
    expect(isComposed(state)).toBe(true);
    expect(buildSearchQuery(state)).toEqual({ text: 'red', photoIds: [4], imageIds: ['img1'], textWeight: 0.3 });
    expect(buildSearchQuery({ ...state, text: '' })).toEqual({ photoIds: [4], imageIds: ['img1'] });
  });

  it('adds an example once, removes it by id', () => {
    let state = withPhoto(base, { id: 1, name: 'a.jpg' });
    state = withPhoto(state, { id: 1, name: 'a.jpg' });
    state = withPhoto(state, { id: 2, name: 'b.jpg' });
    expect(state.photos.map((p) => p.id)).toEqual([1, 2]);
    expect(withoutPhoto(state, 1).photos.map((p) => p.id)).toEqual([2]);
    const images = withImage(withImage(base, { imageId: 'x', name: 'x', previewUrl: null }), { imageId: 'x', name: 'x2', previewUrl: null });
    expect(images.images).toEqual([{ imageId: 'x', name: 'x2', previewUrl: null }]);
    expect(withoutImage(images, 'x').images).toEqual([]);
  });

  it('find similar replaces text and examples but keeps the filters', () => {
    const state = { ...withPhoto({ ...base, text: 'red', sort: 'date-asc' as const }, { id: 9, name: 'n.jpg' }), filters: { ...emptyFilters(), format: 'png' } };
    expect(buildSearchQuery(similarTo(state, { id: 3, name: 'c.jpg' }))).toEqual({ photoIds: [3], filters: { formats: ['png'] } });
  });

  it('sends only complete filters', () => {
    const filters = { folderId: 2, takenFrom: '2019-07', takenTo: '2019-0', format: 'jpeg', camera: ' Canon ' };
    expect(buildSearchQuery({ ...base, filters })).toEqual({
      filters: { folderIds: [2], takenFrom: '2019-07', formats: ['jpeg'], camera: 'Canon' },
    });
    expect(activeFilterCount(filters)).toBe(4);
    expect(activeFilterCount(emptyFilters())).toBe(0);
  });

  it('asks for weaker matches only when chosen, and a new search forgets the choice', () => {
    const wide = { ...base, text: 'red', relevantOnly: false };
    expect(buildSearchQuery(wide)).toEqual({ text: 'red', relevantOnly: false });
    expect(buildSearchQuery({ ...base, relevantOnly: false })).toEqual({});
    expect(withText(wide, 'red ').relevantOnly).toBe(false);
    expect(withText(wide, 'blue').relevantOnly).toBe(true);
    expect(withPhoto(wide, { id: 1, name: 'a' }).relevantOnly).toBe(true);
  });

  it('sends the sort only when it is not the default', () => {
    expect(buildSearchQuery({ ...base, text: 'x', sort: 'relevance' })).toEqual({ text: 'x' });
    expect(buildSearchQuery({ ...base, sort: 'date-asc' })).toEqual({ sort: 'date-asc' });
  });

  it('gives equal queries the same key whatever the key order', () => {
    expect(queryKey({ text: 'a', photoIds: [1] })).toBe(queryKey({ photoIds: [1], text: 'a' }));
    expect(queryKey({ text: 'a', filters: { camera: 'c', formats: ['png'] } })).toBe(queryKey({ filters: { formats: ['png'], camera: 'c' }, text: 'a' }));
    expect(queryKey({ text: 'a' })).not.toBe(queryKey({ text: 'b' }));
  });
});

describe('empty states', () => {
  it('speaks plainly about what was searched', () => {
    expect(emptyMessage({ ...base, text: 'xyz' })).toEqual({ title: "No photos match 'xyz'.", hint: 'Try another word.' });
    expect(emptyMessage({ ...base, text: 'red car snow' }).hint).toBe('Try fewer words.');
    expect(emptyMessage({ ...base, text: 'xyz', filters: { ...emptyFilters(), camera: 'Nikon' } }).hint).toBe('Try another word or clear the filters.');
    expect(emptyMessage(withPhoto(base, { id: 1, name: 'a' })).title).toBe('No similar photos found.');
    expect(emptyMessage({ ...base, filters: { ...emptyFilters(), format: 'gif' } }).title).toBe('No photos match these filters.');
    expect(emptyMessage(base).title).toBe('No photos here yet.');
  });
});
