/**
 * The one contract between the renderer and the engine: every request, its reply and every event. The preload bridge,
 * the main-side router (IPC), the web-mode server (HTTP) and the renderer's client are all typed from this table, so
 * adding a request here makes the compiler point at every place that must handle it.
 *
 * Each request carries a validator for its payload, run where the payload enters the trusted side (main process or
 * web server): the renderer is treated as untrusted input.
 */
import type { AppStatus, FolderStatus, IndexingProgress, ModelProgress, ModelStatus, PhotoFailure } from './types';

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

/** A validator whose key may be left out of an object payload. */
export interface OptionalValidator<T> extends Validator<T | undefined> {
  readonly optional: true;
}

type Shape = Record<string, Validator<unknown>>;
type Required<S extends Shape> = {
  [K in keyof S as S[K] extends OptionalValidator<unknown> ? never : K]: S[K] extends Validator<infer T> ? T : never;
};
type Optional<S extends Shape> = {
  [K in keyof S as S[K] extends OptionalValidator<unknown> ? K : never]?: S[K] extends OptionalValidator<infer T> ? T : never;
};
export type ObjectOf<S extends Shape> = Required<S> & Optional<S>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Payload validators: small, dependency-free, and strict (unknown keys, wrong types and absurd sizes are refused). */
export const validate = {
  none: ((value, channel) => {
    if (value !== undefined && value !== null && !(isRecord(value) && Object.keys(value).length === 0)) {
      throw new ContractError(`${channel}: takes no payload`);
    }
    return undefined;
  }) as Validator<void>,

  string(options: { maxLength?: number; nonEmpty?: boolean } = {}): Validator<string> {
    const maxLength = options.maxLength ?? 4096;
    return (value, where) => {
      if (typeof value !== 'string') throw new ContractError(`${where}: must be a string`);
      if (value.length > maxLength) throw new ContractError(`${where}: longer than ${maxLength} characters`);
      if (options.nonEmpty && value.trim() === '') throw new ContractError(`${where}: must not be empty`);
      if (value.includes('\0')) throw new ContractError(`${where}: must not contain NUL characters`);
      return value;
    };
  },

  integer(options: { min?: number; max?: number } = {}): Validator<number> {
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    return (value, where) => {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new ContractError(`${where}: must be an integer`);
      if (value < min || value > max) throw new ContractError(`${where}: must be between ${min} and ${max}`);
      return value;
    };
  },

  optional<T>(inner: Validator<T>): OptionalValidator<T> {
    const check = ((value: unknown, where: string) => (value === undefined ? undefined : inner(value, where))) as OptionalValidator<T>;
    return Object.assign(check, { optional: true as const });
  },

  object<S extends Shape>(shape: S): Validator<ObjectOf<S>> {
    return (value, where) => {
      if (!isRecord(value)) throw new ContractError(`${where}: must be an object`);
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key)) throw new ContractError(`${where}: unexpected field '${key.slice(0, 40)}'`);
      }
      const out: Record<string, unknown> = {};
      for (const [key, check] of Object.entries(shape)) {
        const field = check(value[key], `${where}.${key}`);
        if (field !== undefined) out[key] = field;
      }
      return out as ObjectOf<S>;
    };
  },
};

export const contract = {
  requests: {
    /** What the app is, which model and runtime are in use, and what state the engine is in. */
    'app.status': request<void, AppStatus>(validate.none),
    /**
     * Starts downloading the configured model (resumable, verified); progress arrives as `model.progress` events and
     * indexing starts by itself when it completes. Answers at once with the model's state.
     */
    'model.download': request<void, ModelStatus>(validate.none),
    /** The library's folders with their watch mode and counts. */
    'library.folders': request<void, FolderStatus[]>(validate.none),
    /** Adds a folder (absolute path) to the library: it is scanned, watched and indexed. */
    'library.addFolder': request<{ path: string }, FolderStatus>(
      validate.object({ path: validate.string({ maxLength: 4096, nonEmpty: true }) }),
    ),
    /** Removes a folder: its pending work is cancelled and its photos leave search. Nothing on disk is touched. */
    'library.removeFolder': request<{ id: number }, null>(validate.object({ id: validate.integer({ min: 1 }) })),
    /** Photos that could not be indexed, with the reason. */
    'library.failures': request<{ folderId?: number; limit?: number }, PhotoFailure[]>(
      validate.object({
        folderId: validate.optional(validate.integer({ min: 1 })),
        limit: validate.optional(validate.integer({ min: 1, max: 10_000 })),
      }),
    ),
    'indexing.status': request<void, IndexingProgress>(validate.none),
    /** Finishes the batch in progress, then waits. */
    'indexing.pause': request<void, IndexingProgress>(validate.none),
    'indexing.resume': request<void, IndexingProgress>(validate.none),
  },
  events: {
    /** Model download progress and availability changes. */
    'model.progress': event<ModelProgress>(),
    /** Sent whenever anything in AppStatus changes; carries the whole new status. */
    'app.status': event<AppStatus>(),
    /** Indexing progress, at most a few times a second, and on every state change. */
    'indexing.progress': event<IndexingProgress>(),
    /** The folder list changed (added, removed, mode or counts). */
    'library.folders': event<FolderStatus[]>(),
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
