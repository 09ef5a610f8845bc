// The desktop app's `shoebox-media://thumb/<id>` and `shoebox-media://photo/<id>` scheme. This module is plain logic
// (no `electron` import) so it is tested under Node; index.ts registers it. The file work happens in the engine's
// utility process (MediaService): main only parses the id, asks the engine, and wraps the bytes in a Response.
import {
  DISPLAYABLE_IMAGE_TYPES,
  etagMatches,
  MEDIA_CACHE_CONTROL,
  MEDIA_RESPONSE_HEADERS,
  MEDIA_SCHEME,
  parseDesktopMediaUrl,
  type MediaKind,
} from '@shared/media-urls';
import type { MediaFile } from '../engine/host';

/**
 * For protocol.registerSchemesAsPrivileged, before the app is ready. `standard` gives the URLs a host and a path (so
 * `thumb`/`photo` parse as the host), `secure` keeps them from being mixed content, `supportFetchAPI` lets the
 * renderer fetch() them. Not `bypassCSP`: the page's Content-Security-Policy must list the scheme in img-src.
 * Not `corsEnabled`, `stream` or `allowServiceWorkers`: an <img> needs none of them.
 */
export const MEDIA_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, bypassCSP: false } as const;

/** The media headers both transports send; the page loads the scheme from its own file:// origin, hence same-site. */
const RESPONSE_HEADERS: Readonly<Record<string, string>> = { ...MEDIA_RESPONSE_HEADERS, 'cross-origin-resource-policy': 'same-site' };

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { ...RESPONSE_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
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
  const target = parseDesktopMediaUrl(request.url);
  if (!target) return plain(400, `expected ${MEDIA_SCHEME}://thumb/<id> or ${MEDIA_SCHEME}://photo/<id>`);
  let file: MediaFile | null;
  try {
    file = await resolve(target.kind, target.photoId);
  } catch {
    return plain(500, 'the engine could not read this image');
  }
  if (!file) return plain(404, 'no such image');
  // The engine only produces these; anything else is a bug, and is not passed on to the page.
  if (!DISPLAYABLE_IMAGE_TYPES.has(file.contentType)) return plain(500, 'unexpected image type');
  const headers = { ...RESPONSE_HEADERS, etag: file.etag, 'cache-control': MEDIA_CACHE_CONTROL };
  if (etagMatches(request.headers.get('if-none-match'), file.etag)) {
    return new Response(null, { status: 304, headers });
  }
  const body = request.method === 'HEAD' ? null : new Uint8Array(file.data.buffer, file.data.byteOffset, file.data.byteLength);
  return new Response(body, {
    status: 200,
    headers: { ...headers, 'content-type': file.contentType, 'content-length': String(file.data.byteLength) },
  });
}
