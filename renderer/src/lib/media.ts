/** Where the renderer loads photo pixels from: the one definition lives in the project's shared/media-urls.ts. */
export { buildMediaUrl, type MediaContext, type MediaKind } from '@shared/media-urls';
