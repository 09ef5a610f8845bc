// The desktop app's `shoebox-media://thumb/<id>` and `shoebox-media://photo/<id>` scheme. This module is plain logic
// (no `electron` import) so it is tested under Node; index.ts registers it. The file work happens in the engine's
// utility process (MediaService): main only parses the id, asks the engine, and wraps the bytes in a Response.
import type { MediaFile, MediaKind } from '../engine/media/media-service';

export const MEDIA_SCHEME = 'shoebox-media';

/**
 * For protocol.registerSchemesAsPrivileged, before the app is ready. `standard` gives the URLs a host and a path (so
 * `thumb`/`photo` parse as the host), `secure` keeps them from being mixed content, `supportFetchAPI` lets the
 * renderer fetch() them. Not `bypassCSP`: the page's Content-Security-Policy must list the scheme in img-src.
 * Not `corsEnabled`, `stream` or `allowServiceWorkers`: an <img> needs none of them.
 */
export const MEDIA_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, bypassCSP: false } as const;

export interface MediaTarget {
  kind: MediaKind;
  photoId: number;
}

/** A plain positive decimal integer: no sign, no leading zero, no exponent, no escapes. */
const PHOTO_ID = /^\/([1-9][0-9]{0,15})$/;

/** `shoebox-media://<thumb|photo>/<id>` and nothing else (no port, user, query or extra path); null otherwise. */
export function parseMediaUrl(url: string): MediaTarget | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${MEDIA_SCHEME}:`) return null;
  if (parsed.username || parsed.password || parsed.port || parsed.search) return null;
  if (parsed.hostname !== 'thumb' && parsed.hostname !== 'photo') return null;
  const match = PHOTO_ID.exec(parsed.pathname);
  const photoId = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(photoId)) return null;
  return { kind: parsed.hostname, photoId };
}

/** Headers of every media response: an image and nothing else; opened on its own it gets a script-less sandbox. */
export const MEDIA_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
  'cross-origin-resource-policy': 'same-site',
  'referrer-policy': 'no-referrer',
};

const DISPLAYABLE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']);

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { ...MEDIA_RESPONSE_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/**
 * Answers one request on the media scheme. `resolve` asks the engine (over the utility process's port) for bytes it
 * has validated; it never gets anything but a kind and an integer id.
 */
export async function handleMediaRequest(
  request: Pick<Request, 'url' | 'method' | 'headers'>,
  resolve: (kind: MediaKind, photoId: number) => Promise<MediaFile | null>,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'use GET');
  const target = parseMediaUrl(request.url);
  if (!target) return plain(400, `expected ${MEDIA_SCHEME}://thumb/<id> or ${MEDIA_SCHEME}://photo/<id>`);
  let file: MediaFile | null;
  try {
    file = await resolve(target.kind, target.photoId);
  } catch {
    return plain(500, 'the engine could not read this image');
  }
  if (!file) return plain(404, 'no such image');
  // The engine only produces these; anything else is a bug, and is not passed on to the page.
  if (!DISPLAYABLE_TYPES.has(file.contentType)) return plain(500, 'unexpected image type');
  const headers = { ...MEDIA_RESPONSE_HEADERS, etag: file.etag, 'cache-control': 'private, no-cache' };
  const presented = request.headers.get('if-none-match');
  if (presented && presented.split(',').some((tag) => tag.trim().replace(/^W\//, '') === file.etag)) {
    return new Response(null, { status: 304, headers });
  }
  const body = request.method === 'HEAD' ? null : new Uint8Array(file.data.buffer, file.data.byteOffset, file.data.byteLength);
  return new Response(body, {
    status: 200,
    headers: { ...headers, 'content-type': file.contentType, 'content-length': String(file.data.byteLength) },
  });
}
