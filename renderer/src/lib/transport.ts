import { createClient, type ShoeboxClient, type Transport } from '@shared/contract';
import { unwrapReply, type EventEnvelope } from '@shared/envelope';
import { buildMediaUrl, type MediaKind } from '@shared/media-urls';

declare global {
  interface Window {
    /** Set by Electron's preload script; absent in the browser (web mode). */
    shoebox?: Transport;
  }
}

/**
 * Web mode: the same contract over HTTP. Requests are POSTed to /api/<channel>; events arrive as server-sent events.
 * The access token comes from the URL the server printed and is sent with every call.
 */
export function httpTransport(base: URL, token: string): Transport {
  let source: EventSource | null = null;
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    async invoke(channel, payload) {
      const response = await fetch(new URL(`api/${channel}`, base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(payload ?? null),
      });
      return unwrapReply(await response.json());
    },
    subscribe(channel, listener) {
      if (!source) {
        source = new EventSource(new URL(`api/events?token=${encodeURIComponent(token)}`, base));
        source.onmessage = (message: MessageEvent<string>) => {
          const { channel: name, payload } = JSON.parse(message.data) as EventEnvelope;
          for (const l of listeners.get(name) ?? []) l(payload);
        };
      }
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
}

/** Electron's preload bridge when present, else HTTP to the server that served this page. */
export function connect(): ShoeboxClient {
  if (window.shoebox) return createClient(window.shoebox);
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token') ?? sessionStorage.getItem('shoebox-token') ?? '';
  sessionStorage.setItem('shoebox-token', token);
  webToken = token;
  if (url.searchParams.has('token')) {
    // Keep the token out of the address bar and history once it is stored.
    url.searchParams.delete('token');
    history.replaceState(null, '', url);
  }
  return createClient(httpTransport(new URL('/', url), token));
}

let webToken: string | null = null;

/** Whether this page runs inside the desktop app (native dialogs, open/reveal) rather than in a browser. */
export function isDesktop(): boolean {
  return typeof window !== 'undefined' && window.shoebox !== undefined;
}

/**
 * The address of a photo's thumbnail or full image: `shoebox-media://thumb/<id>` in the desktop app,
 * `/media/thumb/<id>?token=…` in web mode (an <img> cannot send the Authorization header).
 */
export function mediaUrl(kind: MediaKind, photoId: number): string {
  if (isDesktop()) return buildMediaUrl(kind, photoId, { desktop: true, token: '' });
  webToken ??= sessionStorage.getItem('shoebox-token') ?? '';
  return buildMediaUrl(kind, photoId, { desktop: false, token: webToken });
}
