import { describe, expect, it } from 'vitest';
import type { PhotoSummary } from '../../shared/types';
import { createPhotoActions, type PhotoActionHost } from '../../renderer/src/lib/photo-actions';
import { initialQueryState, type QueryState } from '../../renderer/src/lib/query';

const photo = { id: 7, name: 'beach.jpg', path: '/photos/beach.jpg' } as PhotoSummary;

/** A host that records what the actions asked of the app, with engine calls answered by `api`. */
function fakeHost(patch: Partial<PhotoActionHost> = {}) {
  const log: string[] = [];
  let query: QueryState = { ...initialQueryState(), text: 'sunset', filters: { ...initialQueryState().filters, format: 'png' } };
  const host: PhotoActionHost = {
    api: {
      'photos.open': async ({ id }) => {
        log.push(`open ${id}`);
        return null;
      },
      'photos.reveal': async ({ id }) => {
        log.push(`reveal ${id}`);
        return null;
      },
    },
    desktop: true,
    writeClipboard: async (text) => void log.push(`clipboard ${text}`),
    notify: (text, tone = 'info') => void log.push(`${tone}: ${text}`),
    query: () => query,
    setQuery: (next) => {
      query = next;
      log.push('query');
    },
    indexOf: (id) => (id === photo.id ? 4 : null),
    closeOverlays: () => void log.push('close'),
    focusResults: () => void log.push('focus results'),
    focusSearch: () => void log.push('focus search'),
    describe: (p, index) => void log.push(`describe ${p.id} at ${index}`),
    showGroup: (p, index) => void log.push(`group ${p.id} at ${index}`),
    ...patch,
  };
  return { host, log, query: () => query };
}

describe('photo actions', () => {
  it('find similar: closes what is open, searches by the photo alone (filters kept), focuses the results', async () => {
    const fake = fakeHost();
    await createPhotoActions(fake.host).run('similar', photo);
    expect(fake.log).toEqual(['close', 'query', 'focus results']);
    expect(fake.query().photos).toEqual([{ id: 7, name: 'beach.jpg' }]);
    expect(fake.query().text).toBe('');
    expect(fake.query().filters.format).toBe('png');
  });

  it('photo + text: adds the photo to the query and says to type when there is no text yet', async () => {
    const fake = fakeHost();
    const actions = createPhotoActions(fake.host);
    await actions.run('compose', photo);
    expect(fake.log).toEqual(['close', 'query', 'focus search']);
    expect(fake.query().text).toBe('sunset');
    await actions.run('similar', photo);
    fake.log.length = 0;
    await actions.run('compose', { ...photo, id: 8, name: 'dune.jpg' });
    expect(fake.log).toEqual(['close', 'query', 'focus search', 'info: Now type what to add to dune.jpg.']);
  });

  it('describe and group go to the app, with the index given or looked up', async () => {
    const fake = fakeHost();
    const actions = createPhotoActions(fake.host);
    await actions.run('describe', photo);
    await actions.run('describe', photo, 2);
    await actions.run('group', photo, null);
    await actions.run('group', { ...photo, id: 99 });
    expect(fake.log).toEqual(['describe 7 at 4', 'describe 7 at 2', 'group 7 at null', 'group 99 at null']);
  });

  it('open and reveal ask the engine; a refusal becomes an error toast', async () => {
    const fake = fakeHost();
    const actions = createPhotoActions(fake.host);
    await actions.run('open', photo);
    await actions.run('reveal', photo);
    expect(fake.log).toEqual(['open 7', 'reveal 7']);
    const refusing = fakeHost({
      api: {
        'photos.open': async () => Promise.reject(new Error('only available in the desktop app')),
        'photos.reveal': async () => null,
      },
    });
    await createPhotoActions(refusing.host).run('open', photo);
    expect(refusing.log).toEqual(['error: only available in the desktop app']);
  });

  it('copy path: says it was copied, or shows the path when the clipboard refuses', async () => {
    const fake = fakeHost();
    await createPhotoActions(fake.host).run('copy', photo);
    expect(fake.log).toEqual(['clipboard /photos/beach.jpg', 'info: Copied the path of beach.jpg']);
    const times: (number | undefined)[] = [];
    const refusing = fakeHost({
      writeClipboard: () => {
        throw new Error('no clipboard');
      },
      notify: (text, tone, ms) => {
        times.push(ms);
        refusing.log.push(`${tone}: ${text}`);
      },
    });
    await createPhotoActions(refusing.host).run('copy', photo);
    expect(refusing.log).toEqual(['error: Could not copy. The path is /photos/beach.jpg']);
    expect(times).toEqual([12_000]);
  });

  it('says whether the desktop-only actions exist', () => {
    expect(createPhotoActions(fakeHost().host).desktop).toBe(true);
    expect(createPhotoActions(fakeHost({ desktop: false }).host).desktop).toBe(false);
  });
});
