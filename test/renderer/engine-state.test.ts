import { describe, expect, it, vi } from 'vitest';
import type { EventChannel, EventOf, ShoeboxApi, ShoeboxClient } from '../../shared/contract';
import type { AppStatus, FolderStatus, IndexingProgress } from '../../shared/types';
import { EngineState, failedTotal } from '../../renderer/src/lib/engine-state';

const status = { model: { id: 'm', name: 'm', state: 'available' } } as AppStatus;
const folder = (id: number, failed = 0): FolderStatus => ({ id, path: `/p${id}`, failed }) as FolderStatus;
const progress = (patch: Partial<IndexingProgress> = {}): IndexingProgress =>
  ({ indexed: 0, failed: 0, pending: 0, ...patch }) as IndexingProgress;

/** A client whose requests answer from `replies` and whose events the test sends by hand. */
function fakeClient(replies: Partial<Record<keyof ShoeboxApi, () => Promise<unknown>>>) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: string[] = [];
  const api = new Proxy({} as ShoeboxApi, {
    get: (_target, channel: string) => () => {
      calls.push(channel);
      const reply = replies[channel as keyof ShoeboxApi];
      return reply ? reply() : new Promise(() => undefined);
    },
  });
  const client: ShoeboxClient = {
    api,
    on<C extends EventChannel>(channel: C, listener: (payload: EventOf<C>) => void) {
      const set = listeners.get(channel) ?? new Set();
      const wrapped = (payload: unknown): void => listener(payload as EventOf<C>);
      set.add(wrapped);
      listeners.set(channel, set);
      return () => set.delete(wrapped);
    },
  };
  const send = <C extends EventChannel>(channel: C, payload: EventOf<C>): void => {
    for (const listener of listeners.get(channel) ?? []) listener(payload);
  };
  const subscribers = (): number => [...listeners.values()].reduce((sum, set) => sum + set.size, 0);
  return { client, calls, send, subscribers };
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('EngineState', () => {
  it('asks for the status, then the folders and indexing once the engine answers', async () => {
    const fake = fakeClient({
      'app.status': async () => status,
      'library.folders': async () => [folder(1)],
      'indexing.status': async () => progress({ indexed: 4 }),
    });
    const state = new EngineState(fake.client, { onLibraryChanged: () => undefined, onError: () => undefined });
    const seen: unknown[] = [];
    state.onChange((snapshot) => seen.push(snapshot));
    const stop = state.start();
    await flush();
    expect(fake.calls).toEqual(['app.status', 'library.folders', 'indexing.status']);
    expect(state.snapshot.status).toBe(status);
    expect(state.snapshot.folders).toEqual([folder(1)]);
    expect(state.snapshot.progress?.indexed).toBe(4);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    // A later status (an event) does not list the folders again.
    fake.send('app.status', { ...status });
    await flush();
    expect(fake.calls.filter((c) => c === 'library.folders')).toHaveLength(1);
    stop();
    expect(fake.subscribers()).toBe(0);
  });

  it('keeps the reason when the engine cannot be reached', async () => {
    const fake = fakeClient({ 'app.status': async () => Promise.reject(new Error('connection refused')) });
    const state = new EngineState(fake.client, { onLibraryChanged: () => undefined, onError: () => undefined });
    state.start();
    await flush();
    expect(state.snapshot.engineError).toBe('connection refused');
    expect(state.snapshot.status).toBeNull();
  });

  it('tells the user when the folders cannot be listed', async () => {
    const errors: string[] = [];
    const fake = fakeClient({ 'app.status': async () => status, 'library.folders': async () => Promise.reject(new Error('disk gone')) });
    const state = new EngineState(fake.client, { onLibraryChanged: () => undefined, onError: (text) => errors.push(text) });
    state.start();
    await flush();
    expect(errors).toEqual(['Could not list the folders: disk gone']);
  });

  it('follows events: model progress, folders, library changes', () => {
    const fake = fakeClient({});
    const changed = vi.fn();
    const state = new EngineState(fake.client, { onLibraryChanged: changed, onError: () => undefined });
    state.start();
    fake.send('model.progress', { id: 'm', state: 'downloading', receivedBytes: 1, totalBytes: 2, bytesPerSecond: 1 });
    expect(state.snapshot.download?.receivedBytes).toBe(1);
    fake.send('library.folders', [folder(2)]);
    expect(state.snapshot.folders).toEqual([folder(2)]);
    fake.send('library.changed', { added: 1, removed: 0 });
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('reloads the folders (debounced) as indexing moves, and treats newly indexed photos as a library change', async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeClient({ 'library.folders': async () => [folder(1, 1)] });
      const changed = vi.fn();
      const state = new EngineState(fake.client, { onLibraryChanged: changed, onError: () => undefined, folderReloadMs: 50 });
      state.start();
      fake.send('indexing.progress', progress({ indexed: 1 }));
      fake.send('indexing.progress', progress({ indexed: 2 }));
      fake.send('indexing.progress', progress({ indexed: 2 }));
      expect(changed).toHaveBeenCalledTimes(1);
      expect(fake.calls).toEqual(['app.status']);
      await vi.advanceTimersByTimeAsync(60);
      expect(fake.calls.filter((c) => c === 'library.folders')).toHaveLength(1);
      expect(state.snapshot.folders).toEqual([folder(1, 1)]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('adds and removes folders, sets the model and reports pause failures', async () => {
    const errors: string[] = [];
    const fake = fakeClient({
      'app.status': async () => status,
      'library.folders': async () => [folder(1)],
      'indexing.pause': async () => Promise.reject(new Error('busy')),
      'indexing.resume': async () => progress({ pending: 3 }),
    });
    const state = new EngineState(fake.client, { onLibraryChanged: () => undefined, onError: (text) => errors.push(text) });
    state.setModel({ ...status.model, state: 'missing' });
    expect(state.snapshot.status).toBeNull();
    state.start();
    await flush();
    state.folderAdded(folder(2));
    state.folderAdded(folder(1, 5));
    expect(state.snapshot.folders?.map((f) => [f.id, f.failed])).toEqual([
      [2, 0],
      [1, 5],
    ]);
    state.folderRemoved(2);
    expect(state.snapshot.folders?.map((f) => f.id)).toEqual([1]);
    state.setModel({ ...status.model, state: 'downloading' });
    expect(state.snapshot.status?.model.state).toBe('downloading');
    await state.pauseIndexing();
    expect(errors).toEqual(['Could not pause: busy']);
    await state.resumeIndexing();
    expect(state.snapshot.progress?.pending).toBe(3);
  });
});

describe('failedTotal', () => {
  it('takes the indexer’s count, else sums the folders', () => {
    expect(failedTotal({ progress: null, folders: null })).toBe(0);
    expect(failedTotal({ progress: null, folders: [folder(1, 2), folder(2, 3)] })).toBe(5);
    expect(failedTotal({ progress: progress({ failed: 1 }), folders: [folder(1, 2)] })).toBe(1);
  });
});
