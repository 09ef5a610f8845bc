import {
  isRequestChannel,
  validateRequest,
  type AnyEvent,
  type RequestChannel,
  type ShoeboxApi,
} from '@shared/contract';
import { errorReply, failureReply, okReply, type Reply } from '@shared/envelope';
import { LIMITS } from '@shared/limits';
import { isMediaKind, type MediaKind } from '@shared/media-urls';
import type { MediaFile, MediaResolver } from './media/media-service';

/** What every request is answered with, on every transport. */
export type RpcReply = Reply;

/**
 * Runs one request against the engine's API table: the channel must exist in the contract and the payload must pass
 * its validator before any engine code sees it. Failures come back as data with a one-line message.
 */
export async function dispatchRequest(api: ShoeboxApi, channel: unknown, payload: unknown): Promise<RpcReply> {
  if (!isRequestChannel(channel)) {
    return errorReply('unknown-channel', `unknown request '${String(channel).slice(0, LIMITS.quotedNameLength)}'`);
  }
  try {
    const request = validateRequest(channel, payload);
    const handler = api[channel] as (request: unknown) => Promise<unknown>;
    return okReply(await handler(request));
  } catch (error) {
    return failureReply(error);
  }
}

/** Messages between Electron's main process and the engine's utility process. */
export type HostMessage =
  | { type: 'request'; id: number; channel: RequestChannel; payload: unknown }
  | { type: 'internal'; id: number; request: InternalRequest }
  | { type: 'shutdown' };

export type EngineMessage =
  | { type: 'reply'; id: number; reply: RpcReply }
  | ({ type: 'event' } & AnyEvent)
  | { type: 'ready' }
  | { type: 'closed' };

// ---- Engine-internal requests: only Electron's main process sends these, never the renderer. ----------------------

/** What the main process asks the engine for itself: media bytes for its protocol handler, a validated path. */
export type InternalRequest = { kind: 'media'; media: MediaKind; photoId: number } | { kind: 'photoPath'; photoId: number };

export type InternalReply<R extends InternalRequest> = R extends { kind: 'media' } ? MediaFile | null : string | null;

/** The parts of the engine that answer internal requests (MediaService). */
export interface InternalServices {
  media: MediaResolver & { photoPath(photoId: number): Promise<string | null> };
}

/** Checks an internal request's shape again on the engine's side; answers like dispatchRequest. */
export async function dispatchInternal(services: InternalServices, request: unknown): Promise<RpcReply> {
  const r = request as Partial<{ kind: unknown; media: unknown; photoId: unknown }> | null;
  const photoId = r?.photoId;
  if (typeof photoId !== 'number' || !Number.isSafeInteger(photoId) || photoId < 1) {
    return errorReply('invalid-payload', 'photoId: must be a positive integer');
  }
  try {
    if (r?.kind === 'media' && isMediaKind(r.media)) return okReply(await services.media.resolve(r.media, photoId));
    if (r?.kind === 'photoPath') return okReply(await services.media.photoPath(photoId));
  } catch (error) {
    return failureReply(error);
  }
  return errorReply('unknown-channel', 'unknown internal request');
}
