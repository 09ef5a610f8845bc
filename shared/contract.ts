/**
 * The one contract between the renderer and the engine: every request, its reply and every event. The preload bridge,
 * the main-side router (IPC), the web-mode server (HTTP) and the renderer's client are all typed from this table, so
 * adding a request here makes the compiler point at every place that must handle it.
 *
 * Each request carries a validator for its payload, run where the payload enters the trusted side (main process or
 * web server): the renderer is treated as untrusted input.
 */
import type {
  AppStatus,
  Caption,
  FolderStatus,
  IndexingProgress,
  LibraryChange,
  ModelProgress,
  ModelStatus,
  PhotoDetails,
  PhotoFailure,
  SearchFilters,
  SearchQuery,
  SearchResult,
  Settings,
  UploadedImage,
} from './types';

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

  number(options: { min?: number; max?: number } = {}): Validator<number> {
    const min = options.min ?? -Number.MAX_VALUE;
    const max = options.max ?? Number.MAX_VALUE;
    return (value, where) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ContractError(`${where}: must be a finite number`);
      if (value < min || value > max) throw new ContractError(`${where}: must be between ${min} and ${max}`);
      return value;
    };
  },

  boolean: ((value, where) => {
    if (typeof value !== 'boolean') throw new ContractError(`${where}: must be true or false`);
    return value;
  }) as Validator<boolean>,

  oneOf<const T extends string>(values: readonly T[]): Validator<T> {
    return (value, where) => {
      if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
        throw new ContractError(`${where}: must be one of ${values.join(', ')}`);
      }
      return value as T;
    };
  },

  array<T>(item: Validator<T>, options: { maxItems?: number; minItems?: number } = {}): Validator<T[]> {
    const maxItems = options.maxItems ?? 1000;
    return (value, where) => {
      if (!Array.isArray(value)) throw new ContractError(`${where}: must be an array`);
      if (value.length > maxItems) throw new ContractError(`${where}: more than ${maxItems} items`);
      if (value.length < (options.minItems ?? 0)) throw new ContractError(`${where}: needs at least ${options.minItems} items`);
      return value.map((entry, i) => item(entry, `${where}[${i}]`));
    };
  },

  /** An ISO 8601 date or date-time prefix ('2019', '2019-07', '2019-07-14', '2019-07-14T16:03'). */
  date: ((value, where) => {
    if (typeof value !== 'string' || !/^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2})?)?)?)?)?$/.test(value)) {
      throw new ContractError(`${where}: must be a date like 2019-07-14`);
    }
    return value;
  }) as Validator<string>,

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

const photoId = validate.integer({ min: 1 });
/** Uploaded external images are named by the engine; the name is a short random token. */
const imageId = validate.string({ maxLength: 64, nonEmpty: true });
/** 48 MB of image as base64. */
const MAX_IMAGE_BASE64 = 64 * 1024 * 1024;

const searchFilters: Validator<SearchFilters> = validate.object({
  folderIds: validate.optional(validate.array(validate.integer({ min: 1 }), { maxItems: 1000 })),
  takenFrom: validate.optional(validate.date),
  takenTo: validate.optional(validate.date),
  formats: validate.optional(validate.array(validate.string({ maxLength: 16, nonEmpty: true }), { maxItems: 32 })),
  camera: validate.optional(validate.string({ maxLength: 200 })),
});

const searchQuery: Validator<SearchQuery> = validate.object({
  text: validate.optional(validate.string({ maxLength: 1000 })),
  photoIds: validate.optional(validate.array(photoId, { maxItems: 64 })),
  imageIds: validate.optional(validate.array(imageId, { maxItems: 16 })),
  textWeight: validate.optional(validate.number({ min: 0, max: 1 })),
  filters: validate.optional(searchFilters),
  sort: validate.optional(validate.oneOf(['relevance', 'date-desc', 'date-asc'] as const)),
  offset: validate.optional(validate.integer({ min: 0, max: 10_000_000 })),
  limit: validate.optional(validate.integer({ min: 1, max: 1000 })),
  threshold: validate.optional(validate.number({ min: -1, max: 1 })),
  relevantOnly: validate.optional(validate.boolean),
  diversify: validate.optional(validate.boolean),
  groupDuplicates: validate.optional(validate.boolean),
  useText: validate.optional(validate.boolean),
});

const settingsPatch: Validator<Partial<Settings>> = validate.object({
  threshold: validate.optional(validate.number({ min: -1, max: 1 })),
  textFusion: validate.optional(validate.boolean),
  diversify: validate.optional(validate.boolean),
  groupDuplicates: validate.optional(validate.boolean),
  provider: validate.optional(validate.oneOf(['auto', 'cpu', 'cuda'] as const)),
  threads: validate.optional(validate.integer({ min: 0, max: 256 })),
  model: validate.optional(validate.string({ maxLength: 4096, nonEmpty: true })),
});

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
    /** Retries every failed photo (all folders, or one). */
    'indexing.retryFailed': request<{ folderId?: number }, IndexingProgress>(
      validate.object({ folderId: validate.optional(validate.integer({ min: 1 })) }),
    ),

    /**
     * The one query entry point. Text (with arithmetic: 'beach -people +sunset'), example photos from the library
     * (find similar; the examples themselves are left out), uploaded external images, or a mix (composed query,
     * `textWeight` for the text's share). With none of these: the whole library, newest first (browsing).
     */
    'search.query': request<SearchQuery, SearchResult>(searchQuery),
    /**
     * Embeds an external image (drag and drop, paste) for use in queries; it is not added to the library and is
     * forgotten after a while. `data` is the file's bytes as base64.
     */
    'search.uploadImage': request<{ data: string; name?: string }, UploadedImage>(
      validate.object({
        data: validate.string({ maxLength: MAX_IMAGE_BASE64, nonEmpty: true }),
        name: validate.optional(validate.string({ maxLength: 255 })),
      }),
    ),

    /** Everything known about one photo. */
    'photos.get': request<{ id: number }, PhotoDetails>(validate.object({ id: photoId })),
    /** Ranked captions for a library photo or an uploaded image (softmax probabilities at the model's scale). */
    'photos.describe': request<{ id?: number; imageId?: string; k?: number }, Caption[]>(
      validate.object({
        id: validate.optional(photoId),
        imageId: validate.optional(imageId),
        k: validate.optional(validate.integer({ min: 1, max: 100 })),
      }),
    ),
    /** The user's own note on a photo; it is searchable (fused with the photo) like an embedded caption. */
    'photos.setNote': request<{ id: number; note: string }, PhotoDetails>(
      validate.object({ id: photoId, note: validate.string({ maxLength: 10_000 }) }),
    ),
    /** Opens the photo in the system's viewer (desktop app only; only photos the catalog owns). */
    'photos.open': request<{ id: number }, null>(validate.object({ id: photoId })),
    /** Shows the photo in the system's file manager (desktop app only; only photos the catalog owns). */
    'photos.reveal': request<{ id: number }, null>(validate.object({ id: photoId })),

    /** The user's own labels; they join the caption bank that Describe ranks. */
    'labels.list': request<void, string[]>(validate.none),
    'labels.add': request<{ text: string }, string[]>(validate.object({ text: validate.string({ maxLength: 200, nonEmpty: true }) })),
    'labels.remove': request<{ text: string }, string[]>(validate.object({ text: validate.string({ maxLength: 200, nonEmpty: true }) })),

    'settings.get': request<void, Settings>(validate.none),
    /** Changes some settings; model, provider and threads apply from the next start. */
    'settings.update': request<Partial<Settings>, Settings>(settingsPatch),

    /**
     * Opens the system's folder picker (desktop app only) and adds the chosen folder; null when cancelled.
     * Web mode has no picker: the renderer asks for a path and calls library.addFolder.
     */
    'library.chooseFolder': request<void, FolderStatus | null>(validate.none),
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
    /** Photos became searchable or left the library: open queries should be asked again. Throttled. */
    'library.changed': event<LibraryChange>(),
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
