import type { ReplyOf, RequestChannel, RequestOf } from '../../shared/contract';
import type { Reply } from '../../shared/envelope';
import type { DesktopServices } from '../../electron/main/desktop-requests';

/** Stand-ins for Electron's IPC event and the desktop services, so main's routing runs under plain Node. */
export interface FakeEvent {
  url: string;
}

export const trusted: FakeEvent = { url: 'file:///app/out/renderer/index.html' };
export const isTrustedSender = (event: FakeEvent) => event.url === trusted.url;

export function fakeServices(overrides: Partial<DesktopServices> = {}) {
  const calls: string[] = [];
  const services: DesktopServices = {
    photoPath: async (id) => (id === 7 ? '/library/seven.jpg' : null),
    forward: async <C extends RequestChannel>(channel: C, payload: RequestOf<C>) => {
      calls.push(`forward ${channel} ${JSON.stringify(payload)}`);
      // Only library.addFolder is forwarded by the desktop overrides; its reply is a folder.
      return { ok: { id: 1, path: (payload as { path: string }).path } } as Reply<ReplyOf<C>>;
    },
    openPath: async (file) => {
      calls.push(`open ${file}`);
      return '';
    },
    showItemInFolder: (file) => void calls.push(`reveal ${file}`),
    chooseFolder: async () => '/home/me/Pictures',
    ...overrides,
  };
  return { services, calls };
}

