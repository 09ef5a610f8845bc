/** Where the renderer loads photo pixels from. DOM-free so it can be unit tested under Node. */
export type MediaKind = 'thumb' | 'photo';

export interface MediaContext {
  /** Running inside the desktop app (the preload bridge is present). */
  desktop: boolean;
  /** Web mode's access token (sent as a query parameter: an <img> cannot send headers). */
  token: string;
}

/**
 * Desktop: the app's privileged `shoebox-media:` scheme. Web mode: same-origin `/media/...` with the token.
 * A thumbnail may not exist yet (the photo is still waiting to be indexed): callers show a placeholder on error.
 */
export function buildMediaUrl(kind: MediaKind, photoId: number, context: MediaContext): string {
  if (!Number.isInteger(photoId) || photoId < 1) throw new Error(`not a photo id: ${photoId}`);
  if (context.desktop) return `shoebox-media://${kind}/${photoId}`;
  return `/media/${kind}/${photoId}?token=${encodeURIComponent(context.token)}`;
}
