/**
 * The one contract between the renderer and the engine: every request, its reply and every event. The preload bridge,
 * the main-side router (IPC), the web-mode server (HTTP) and the renderer's client are all typed from this table, so
 * adding a request here makes the compiler point at every place that must handle it.
 *
 * Each request carries the validator of its payload, run where the payload enters the trusted side (main process or
 * web server): the renderer is treated as untrusted input. The payload's type is derived from that validator, so the
 * two cannot disagree; the reply's type rides along at the type level only.
 */
import type { EventEnvelope } from './envelope';
import { LIMITS } from './limits';
import { folderId, folderPath, imageId, labelText, photoId, searchQuery, settingsPatch, uploadImage } from './payloads';
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
  SearchResult,
  Settings,
  UploadedImage,
} from './types';
import { validate, type Infer, type Validator } from './validate';

export { ContractError, validate, type ObjectOf, type OptionalValidator, type Validator } from './validate';
export type { ErrorReply, Reply } from './envelope';

/** Carries a type at the type level only; never holds a value. */
export interface Phantom<T> {
  readonly type?: T;
}

/** A request's payload validator plus, at the type level only, its reply type. */
export interface RequestSpec<V extends Validator<unknown>, Reply> {
  readonly validate: V;
  readonly reply: Phantom<Reply>;
}

export interface EventSpec<Payload> {
  readonly payload: Phantom<Payload>;
}

/** The reply type of a request, for the table below: `request(validator, replies<Reply>())`. */
function replies<Reply>(): Phantom<Reply> {
  return {};
}

function request<V extends Validator<unknown>, Reply>(validator: V, reply: Phantom<Reply>): RequestSpec<V, Reply> {
  return { validate: validator, reply };
}

function event<Payload>(): EventSpec<Payload> {
  return { payload: {} };
}

export const contract = {
  requests: {
    /** What the app is, which model and runtime are in use, and what state the engine is in. */
    'app.status': request(validate.none, replies<AppStatus>()),
    /**
     * Starts downloading the configured model (resumable, verified); progress arrives as `model.progress` events and
     * indexing starts by itself when it completes. Answers at once with the model's state.
     */
    'model.download': request(validate.none, replies<ModelStatus>()),
    /** The library's folders with their watch mode and counts. */
    'library.folders': request(validate.none, replies<FolderStatus[]>()),
    /** Adds a folder (absolute path) to the library: it is scanned, watched and indexed. */
    'library.addFolder': request(validate.object({ path: folderPath }), replies<FolderStatus>()),
    /** Removes a folder: its pending work is cancelled and its photos leave search. Nothing on disk is touched. */
    'library.removeFolder': request(validate.object({ id: folderId }), replies<null>()),
    /** Photos that could not be indexed, with the reason. */
    'library.failures': request(
      validate.object({
        folderId: validate.optional(folderId),
        limit: validate.optional(validate.integer({ min: 1, max: LIMITS.failures })),
      }),
      replies<PhotoFailure[]>(),
    ),
    'indexing.status': request(validate.none, replies<IndexingProgress>()),
    /** Finishes the batch in progress, then waits. */
    'indexing.pause': request(validate.none, replies<IndexingProgress>()),
    'indexing.resume': request(validate.none, replies<IndexingProgress>()),
    /** Retries every failed photo (all folders, or one). */
    'indexing.retryFailed': request(validate.object({ folderId: validate.optional(folderId) }), replies<IndexingProgress>()),

    /**
     * The one query entry point. Text (with arithmetic: 'beach -people +sunset'), example photos from the library
     * (find similar; the examples themselves are left out), uploaded external images, or a mix (composed query,
     * `textWeight` for the text's share). With none of these: the whole library, newest first (browsing).
     */
    'search.query': request(searchQuery, replies<SearchResult>()),
    /**
     * Embeds an external image (drag and drop, paste) for use in queries; it is not added to the library and is
     * forgotten after a while. `data` is the file's bytes as base64.
     */
    'search.uploadImage': request(uploadImage, replies<UploadedImage>()),

    /** Everything known about one photo. */
    'photos.get': request(validate.object({ id: photoId }), replies<PhotoDetails>()),
    /** Ranked captions for a library photo or an uploaded image (softmax probabilities at the model's scale). */
    'photos.describe': request(
      validate.object({
        id: validate.optional(photoId),
        imageId: validate.optional(imageId),
        k: validate.optional(validate.integer({ min: 1, max: LIMITS.captions })),
      }),
      replies<Caption[]>(),
    ),
    /** The user's own note on a photo; it is searchable (fused with the photo) like an embedded caption. */
    'photos.setNote': request(
      validate.object({ id: photoId, note: validate.string({ maxLength: LIMITS.noteLength }) }),
      replies<PhotoDetails>(),
    ),
    /** Opens the photo in the system's viewer (desktop app only; only photos the catalog owns). */
    'photos.open': request(validate.object({ id: photoId }), replies<null>()),
    /** Shows the photo in the system's file manager (desktop app only; only photos the catalog owns). */
    'photos.reveal': request(validate.object({ id: photoId }), replies<null>()),

    /** The user's own labels; they join the caption bank that Describe ranks. */
    'labels.list': request(validate.none, replies<string[]>()),
    'labels.add': request(validate.object({ text: labelText }), replies<string[]>()),
    'labels.remove': request(validate.object({ text: labelText }), replies<string[]>()),

    'settings.get': request(validate.none, replies<Settings>()),
    /** Changes some settings; model, provider and threads apply from the next start. */
    'settings.update': request(settingsPatch, replies<Settings>()),

    /**
     * Opens the system's folder picker (desktop app only) and adds the chosen folder; null when cancelled.
     * Web mode has no picker: the renderer asks for a path and calls library.addFolder.
     */
    'library.chooseFolder': request(validate.none, replies<FolderStatus | null>()),
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
export type RequestOf<C extends RequestChannel> = Infer<Requests[C]['validate']>;
export type ReplyOf<C extends RequestChannel> = Requests[C]['reply'] extends Phantom<infer R> ? R : never;
export type EventOf<C extends EventChannel> = Events[C]['payload'] extends Phantom<infer P> ? P : never;
/** Any event with its payload, as it travels. */
export type AnyEvent = { [C in EventChannel]: EventEnvelope<C, EventOf<C>> }[EventChannel];

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

/** The payload validator of a channel. */
export function requestValidator<C extends RequestChannel>(channel: C): Validator<RequestOf<C>> {
  return contract.requests[channel].validate as Validator<RequestOf<C>>;
}

/** Validates an incoming payload for a channel; throws ContractError with a one-line reason. */
export function validateRequest<C extends RequestChannel>(channel: C, payload: unknown): RequestOf<C> {
  return requestValidator(channel)(payload, channel);
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
