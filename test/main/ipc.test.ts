import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { requestChannels, type RequestChannel } from '../../shared/contract';
import type { Reply } from '../../shared/envelope';
import { desktopOverrides } from '../../electron/main/desktop-requests';
import { createIpcRouter, isTrustedRendererUrl, registerIpc, type IpcMainLike } from '../../electron/main/ipc';
import { fakeServices, isTrustedSender, trusted, type FakeEvent } from './fakes';

type RpcReply = Reply;

describe('IPC routing table', () => {
  function router(overrides = fakeServices()) {
    const forward = vi.fn(async (channel: RequestChannel, payload: unknown): Promise<RpcReply> => ({ ok: { channel, payload } }));
    const route = createIpcRouter<FakeEvent>({ isTrustedSender, forward, overrides: desktopOverrides(overrides.services) });
    return { route, forward, calls: overrides.calls };
  }

  it.each<[RequestChannel, unknown]>([
    ['library.addFolder', { path: 42 }],
    ['library.addFolder', { path: '' }],
    ['library.addFolder', { path: '/photos', extra: true }],
    ['library.addFolder', '/etc'],
    ['library.addFolder', { path: '/photos\0/etc/passwd' }],
    ['library.removeFolder', { id: 0 }],
    ['library.removeFolder', { id: '1' }],
    ['photos.open', { id: -1 }],
    ['photos.open', { id: 1.5 }],
    ['photos.open', { id: '1; rm -rf /' }],
    ['photos.reveal', { path: '/etc/passwd' }],
    ['photos.reveal', null],
    ['library.chooseFolder', { path: '/etc' }],
    ['app.status', { anything: 1 }],
    ['search.query', { text: 'x'.repeat(5000) }],
    ['search.query', { limit: 1e9 }],
    ['search.query', { __proto__: { polluted: true }, filters: { folderIds: ['1'] } }],
    ['settings.update', { threads: 100_000 }],
  ])('rejects an invalid %s payload before anything runs: %j', async (channel, payload) => {
    const { route, forward, calls } = router();
    const reply = await route(channel, trusted, payload);
    expect(reply).toMatchObject({ error: { code: 'invalid-payload' } });
    expect(forward).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
  });

  it('forwards a valid payload to the engine as the validator returned it', async () => {
    const { route, forward } = router();
    expect(await route('library.addFolder', trusted, { path: '/photos' })).toEqual({
      ok: { channel: 'library.addFolder', payload: { path: '/photos' } },
    });
    expect(forward).toHaveBeenCalledWith('library.addFolder', { path: '/photos' });
  });

  it('answers nothing to a sender that is not the app page', async () => {
    const { route, forward } = router();
    const reply = await route('app.status', { url: 'https://evil.example/' }, undefined);
    expect(reply).toEqual({ error: { code: 'forbidden', message: 'untrusted sender' } });
    expect(forward).not.toHaveBeenCalled();
  });

  it('registers every contract request channel and nothing else, through the same router', async () => {
    const handlers = new Map<string, (event: FakeEvent, payload: unknown) => Promise<RpcReply>>();
    const fakeIpcMain: IpcMainLike<FakeEvent> = { handle: (channel, listener) => void handlers.set(channel, listener) };
    const forward = vi.fn(async (): Promise<RpcReply> => ({ ok: null }));
    registerIpc(fakeIpcMain, { isTrustedSender, forward });
    expect([...handlers.keys()].sort()).toEqual([...requestChannels].sort());
    const reply = await handlers.get('photos.get')!(trusted, { id: 'x' });
    expect(reply).toMatchObject({ error: { code: 'invalid-payload' } });
    expect(forward).not.toHaveBeenCalled();
  });

  it('trusts exactly the built page, or the dev server by origin', () => {
    const fileUrl = pathToFileURL('/app/out/renderer/index.html').href;
    expect(isTrustedRendererUrl(`${fileUrl}#/search`, { fileUrl })).toBe(true);
    expect(isTrustedRendererUrl('file:///app/out/renderer/other.html', { fileUrl })).toBe(false);
    expect(isTrustedRendererUrl('file:///tmp/renderer/index.html', { fileUrl })).toBe(false);
    expect(isTrustedRendererUrl('https://evil.example/renderer/index.html', { fileUrl })).toBe(false);
    expect(isTrustedRendererUrl('not a url', { fileUrl })).toBe(false);
    const devUrl = 'http://localhost:5173';
    expect(isTrustedRendererUrl('http://localhost:5173/index.html', { devUrl, fileUrl })).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:51730/', { devUrl, fileUrl })).toBe(false);
    expect(isTrustedRendererUrl('http://localhost.evil.example:5173/', { devUrl, fileUrl })).toBe(false);
    expect(isTrustedRendererUrl(fileUrl, { devUrl, fileUrl })).toBe(false);
  });
});
