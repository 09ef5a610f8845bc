/**
 * How replies and events travel, on every transport (Electron IPC, the utility process's port, HTTP + server-sent
 * events): a reply is `{ ok }` or `{ error: { code, message } }`, never a thrown exception or a stack trace; an event
 * is `{ channel, payload }`. Both sides of every transport build and read them with these functions only.
 */
import { errorMessage, firstLine } from './errors';
import { ContractError } from './validate';

export type ErrorCode =
  | 'unknown-channel'
  | 'invalid-payload'
  | 'failed'
  | 'forbidden'
  | 'engine-exited'
  | 'unauthorized'
  | 'bad-host'
  | 'bad-path'
  | 'method'
  | 'not-found';

/** Errors cross the boundary as plain data; the renderer never sees stack traces or paths it did not send. */
export interface ErrorReply {
  error: { code: ErrorCode; message: string };
}

export type Reply<T = unknown> = { ok: T } | ErrorReply;

export function okReply<T>(value: T): Reply<T> {
  return { ok: value };
}

/** An error reply whose message is cut to its first line. */
export function errorReply(code: ErrorCode, message: string): ErrorReply {
  return { error: { code, message: firstLine(message) } };
}

/** Anything thrown, as a reply: a refused payload keeps its own code, anything else is a one-line failure. */
export function failureReply(error: unknown): ErrorReply {
  if (error instanceof ContractError) return errorReply('invalid-payload', error.message);
  return errorReply('failed', errorMessage(error));
}

export function isErrorReply(reply: Reply): reply is ErrorReply {
  return 'error' in reply;
}

/** The reply's value; an error reply becomes an Error whose message is the engine's one-line reason. */
export function unwrapReply<T>(reply: unknown): T {
  if (typeof reply !== 'object' || reply === null) throw new Error('the engine sent no reply');
  if ('error' in reply) {
    const message = (reply as ErrorReply).error?.message;
    throw new Error(typeof message === 'string' ? message : 'the engine failed');
  }
  if (!('ok' in reply)) throw new Error('the engine sent a malformed reply');
  return (reply as { ok: T }).ok;
}

/** One event as it travels (server-sent events, the utility process's port). */
export interface EventEnvelope<Channel extends string = string, Payload = unknown> {
  channel: Channel;
  payload: Payload;
}

/** Electron IPC sends each event on its own channel, named apart from the request channels. */
export const EVENT_CHANNEL_PREFIX = 'event:';

export function ipcEventChannel(channel: string): string {
  return `${EVENT_CHANNEL_PREFIX}${channel}`;
}
