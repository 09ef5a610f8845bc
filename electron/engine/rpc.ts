import {
  ContractError,
  isRequestChannel,
  validateRequest,
  type ErrorReply,
  type EventChannel,
  type EventOf,
  type RequestChannel,
  type ShoeboxApi,
} from '@shared/contract';

export type RpcReply = { ok: unknown } | ErrorReply;

/**
 * Runs one request against the engine's API table: the channel must exist in the contract and the payload must pass
 * its validator before any engine code sees it. Failures come back as data with a one-line message.
 */
export async function dispatchRequest(api: ShoeboxApi, channel: unknown, payload: unknown): Promise<RpcReply> {
  if (!isRequestChannel(channel)) {
    return { error: { code: 'unknown-channel', message: `unknown request '${String(channel).slice(0, 80)}'` } };
  }
  try {
    const request = validateRequest(channel, payload);
    const handler = api[channel] as (request: unknown) => Promise<unknown>;
    return { ok: await handler(request) };
  } catch (error) {
    if (error instanceof ContractError) return { error: { code: 'invalid-payload', message: error.message } };
    const message = error instanceof Error ? error.message : String(error);
    return { error: { code: 'failed', message: message.split('\n')[0] ?? message } };
  }
}

/** Messages between Electron's main process and the engine's utility process. */
export type HostMessage =
  | { type: 'request'; id: number; channel: RequestChannel; payload: unknown }
  | { type: 'shutdown' };

export type EngineMessage =
  | { type: 'reply'; id: number; reply: RpcReply }
  | { type: 'event'; channel: EventChannel; payload: EventOf<EventChannel> }
  | { type: 'ready' }
  | { type: 'closed' };
