/**
 * The one contract between the renderer and the engine: every request, its reply and every event. The preload bridge,
 * the main-side router (IPC), the web-mode server (HTTP) and the renderer's client are all typed from this table, so
 * adding a request here makes the compiler point at every place that must handle it.
 *
 * Each request carries a validator for its payload, run where the payload enters the trusted side (main process or
 * web server): the renderer is treated as untrusted input.
 */
import type { AppStatus, ModelProgress } from './types';

export class ContractError extends Error {
  override readonly name = 'ContractError';
}

export type Validator<T> = (value: unknown, channel: string) => T;

/** A request's payload validator plus, at the type level only, its reply type. */
export interface RequestSpec<Request, Reply> {
  readonly validate: Validator<Request>;
  /** Never set at run time: carries the reply type. */
  readonly reply?: Reply;
}

export interface EventSpec<Payload> {
  /** Never set at run time: carries the payload type. */
  readonly payload?: Payload;
}

function request<Request, Reply>(validate: Validator<Request>): RequestSpec<Request, Reply> {
  return { validate };
}

function event<Payload>(): EventSpec<Payload> {
  return {};
}

/** Payload validators: small, dependency-free, and strict about unexpected shapes. */
export const validate = {
  none: ((value, channel) => {
    if (value !== undefined && value !== null && !(isRecord(value) && Object.keys(value).length === 0)) {
      throw new ContractError(`${channel}: takes no payload`);
    }
    return undefined;
  }) as Validator<void>,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const contract = {
  requests: {
    /** What the app is, which model and runtime are in use, and what state the engine is in. */
    'app.status': request<void, AppStatus>(validate.none),
  },
  events: {
    /** Model download progress and availability changes. */
    'model.progress': event<ModelProgress>(),
    /** Sent whenever anything in AppStatus changes; carries the whole new status. */
    'app.status': event<AppStatus>(),
  },
} as const;

type Requests = typeof contract.requests;
type Events = typeof contract.events;

export type RequestChannel = keyof Requests;
export type EventChannel = keyof Events;
export type RequestOf<C extends RequestChannel> = Requests[C] extends RequestSpec<infer R, unknown> ? R : never;
export type ReplyOf<C extends RequestChannel> = Requests[C] extends RequestSpec<unknown, infer R> ? R : never;
export type EventOf<C extends EventChannel> = Events[C] extends EventSpec<infer P> ? P : never;

/** The engine as the renderer sees it: one async method per request channel. */
export type ShoeboxApi = { [C in RequestChannel]: (payload: RequestOf<C>) => Promise<ReplyOf<C>> };

export const requestChannels = Object.keys(contract.requests) as RequestChannel[];
export const eventChannels = Object.keys(contract.events) as EventChannel[];

export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && Object.hasOwn(contract.requests, value);
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && Object.hasOwn(contract.events, value);
}

/** Validates an incoming payload for a channel; throws ContractError with a one-line reason. */
export function validateRequest<C extends RequestChannel>(channel: C, payload: unknown): RequestOf<C> {
  const spec = contract.requests[channel] as RequestSpec<RequestOf<C>, ReplyOf<C>>;
  return spec.validate(payload, channel);
}

/** Errors cross the boundary as plain data; the renderer never sees stack traces or paths it did not send. */
export interface ErrorReply {
  error: { code: string; message: string };
}

/**
 * The transport-neutral side of a client: IPC in Electron (preload), HTTP + server-sent events in web mode.
 * `invoke` rejects with an Error whose message is the engine's one-line reason.
 */
export interface Transport {
  invoke(channel: RequestChannel, payload: unknown): Promise<unknown>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

export interface ShoeboxClient {
  api: ShoeboxApi;
  on<C extends EventChannel>(channel: C, listener: (payload: EventOf<C>) => void): () => void;
}

/** Builds the typed client from any transport; the renderer code never names a channel string by hand. */
export function createClient(transport: Transport): ShoeboxClient {
  const api = Object.fromEntries(
    requestChannels.map((channel) => [channel, (payload: unknown) => transport.invoke(channel, payload)]),
  ) as ShoeboxApi;
  return {
    api,
    on: (channel, listener) => transport.subscribe(channel, (payload) => listener(payload as EventOf<typeof channel>)),
  };
}
