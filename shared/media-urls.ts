/**
 * Where photo pixels are loaded from, built and parsed in one place: the desktop app's `shoebox-media://<kind>/<id>`
 * scheme and web mode's `/media/<kind>/<id>?token=…`. Only a kind and a photo id ever cross; the engine decides what,
 * if anything, is sent for them. DOM-free and Node-free, so both sides (and tests) use it.
 */

export const MEDIA_KINDS = ['thumb', 'photo'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export interface MediaTarget {
  kind: MediaKind;
  photoId: number;
}

export const MEDIA_SCHEME = 'shoebox-media';

export interface MediaContext {
  /** Running inside the desktop app (the preload bridge is present). */
  desktop: boolean;
  /** Web mode's access token (sent as a query parameter: an <img> cannot send headers). */
  token: string;
}

export function isMediaKind(value: unknown): value is MediaKind {
  return typeof value === 'string' && (MEDIA_KINDS as readonly string[]).includes(value);
}

/** A plain positive decimal integer: no sign, no leading zero, no exponent, no escapes. */
const PHOTO_ID = /^[1-9][0-9]{0,15}$/;

function parsePhotoId(text: string | undefined): number | null {
  if (text === undefined || !PHOTO_ID.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * Desktop: the app's privileged `shoebox-media:` scheme. Web mode: same-origin `/media/...` with the token.
 * A thumbnail may not exist yet (the photo is still waiting to be indexed): callers show a placeholder on error.
 */
export function buildMediaUrl(kind: MediaKind, photoId: number, context: MediaContext): string {
  if (!Number.isInteger(photoId) || photoId < 1) throw new Error(`not a photo id: ${photoId}`);
  if (context.desktop) return `${MEDIA_SCHEME}://${kind}/${photoId}`;
  return `${WEB_MEDIA_PREFIX}${kind}/${photoId}?token=${encodeURIComponent(context.token)}`;
}

/** `shoebox-media://<thumb|photo>/<id>` and nothing else (no port, user, query or extra path); null otherwise. */
export function parseDesktopMediaUrl(url: string): MediaTarget | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${MEDIA_SCHEME}:`) return null;
  if (parsed.username || parsed.password || parsed.port || parsed.search) return null;
  if (!isMediaKind(parsed.hostname)) return null;
  const photoId = parsePhotoId(/^\/([^/]*)$/.exec(parsed.pathname)?.[1]);
  return photoId === null ? null : { kind: parsed.hostname, photoId };
}

/** Web mode's media routes live under this path. */
export const WEB_MEDIA_PREFIX = '/media/';

/** Whether a web request path is meant for the media routes (and so must parse, or be refused as a bad path). */
export function isWebMediaPath(pathname: string): boolean {
  return pathname === '/media' || pathname.startsWith(WEB_MEDIA_PREFIX);
}

/** `/media/<thumb|photo>/<id>` (the path only; the token is checked apart); null otherwise. */
export function parseWebMediaPath(pathname: string): MediaTarget | null {
  const match = /^\/media\/([^/]*)\/([^/]*)$/.exec(pathname);
  if (!match || !isMediaKind(match[1])) return null;
  const photoId = parsePhotoId(match[2]);
  return photoId === null ? null : { kind: match[1], photoId };
}

/**
 * Headers of every media response, on both transports: an image and nothing else (no sniffing), and opened on its
 * own it gets a sandboxed, script-less document.
 */
export const MEDIA_RESPONSE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
  'referrer-policy': 'no-referrer',
} as const;

/** The image types the engine serves; anything else is a bug and is not passed on to the page. */
export const DISPLAYABLE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']);

/** Media URLs name a photo, not its bytes (a changed photo keeps its id), so every response is revalidated. */
export const MEDIA_CACHE_CONTROL = 'private, no-cache';

/** Whether an If-None-Match header names this ETag (weak or strong, in a list). */
export function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  return !!ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
