import { describe, expect, it, vi } from 'vitest';
import type { RequestChannel } from '../../shared/contract';
import type { Reply } from '../../shared/envelope';
import { desktopOverrides } from '../../electron/main/desktop-requests';
import { createIpcRouter } from '../../electron/main/ipc';
import { fakeServices, isTrustedSender, trusted, type FakeEvent } from './fakes';

type RpcReply = Reply;

describe('desktop-only requests', () => {
  function router(overrides = fakeServices()) {
    const forward = vi.fn(async (channel: RequestChannel, payload: unknown): Promise<RpcReply> => ({ ok: { channel, payload } }));
    const route = createIpcRouter<FakeEvent>({ isTrustedSender, forward, overrides: desktopOverrides(overrides.services) });
    return { route, forward, calls: overrides.calls };
  }

  it('opens and reveals only paths the engine validated, and reports what it could not', async () => {
    const { route, calls } = router();
    expect(await route('photos.open', trusted, { id: 7 })).toEqual({ ok: null });
    expect(await route('photos.reveal', trusted, { id: 7 })).toEqual({ ok: null });
    expect(calls).toEqual(['open /library/seven.jpg', 'reveal /library/seven.jpg']);
    const missing = await route('photos.open', trusted, { id: 8 });
    expect(missing).toMatchObject({ error: { code: 'failed', message: expect.stringMatching(/not available/) } });
    expect(calls).toHaveLength(2);

    const failing = router(fakeServices({ openPath: async () => 'no application is registered for this file' }));
    expect(await failing.route('photos.open', trusted, { id: 7 })).toMatchObject({
      error: { message: 'The photo could not be opened: no application is registered for this file' },
    });
  });

  it('adds the folder chosen in the system picker through the engine, and nothing when cancelled', async () => {
    const chosen = router();
    const reply = await chosen.route('library.chooseFolder', trusted, undefined);
    expect(reply).toEqual({ ok: { id: 1, path: '/home/me/Pictures' } });
    expect(chosen.calls).toEqual(['forward library.addFolder {"path":"/home/me/Pictures"}']);
    expect(chosen.forward).not.toHaveBeenCalled(); // the override, not the engine's desktop-only stub

    const cancelled = router(fakeServices({ chooseFolder: async () => null }));
    expect(await cancelled.route('library.chooseFolder', trusted, undefined)).toEqual({ ok: null });
    expect(cancelled.calls).toEqual([]);

    const refused = router(
      fakeServices({ forward: async () => ({ error: { code: 'failed', message: '/ is already in the library.' } }) }),
    );
    expect(await refused.route('library.chooseFolder', trusted, undefined)).toMatchObject({
      error: { message: '/ is already in the library.' },
    });
  });

});
