import { requestChannels, validateRequest, type ReplyOf, type RequestChannel, type RequestOf } from '@shared/contract';
import { errorReply, failureReply, okReply, type Reply } from '@shared/envelope';

type RpcReply = Reply;

/**
 * The IPC routing table: every contract request is checked here, at the boundary (trusted sender, payload validated
 * by the contract), then forwarded to the engine's utility process - or, for the few requests only the desktop shell
 * can answer (native dialogs, the OS's file manager), handled by an override. No business logic lives in this file,
 * and it imports nothing from `electron` at run time, so the exact function the app registers is unit-tested under
 * plain Node (test/main/ipc.test.ts).
 */

/** Desktop-only answers for some channels; each gets the payload already validated by the contract. */
export type IpcOverrides = { [C in RequestChannel]?: (payload: RequestOf<C>) => Promise<ReplyOf<C>> };

export interface IpcRouterOptions<Event> {
  isTrustedSender: (event: Event) => boolean;
  forward: (channel: RequestChannel, payload: unknown) => Promise<RpcReply>;
  overrides?: IpcOverrides;
}

export type IpcRoute<Event> = (channel: RequestChannel, event: Event, payload: unknown) => Promise<RpcReply>;

/** One function for every channel: sender check, validation, then the override or the engine. Never throws. */
export function createIpcRouter<Event>(options: IpcRouterOptions<Event>): IpcRoute<Event> {
  return async (channel, event, payload) => {
    if (!options.isTrustedSender(event)) return errorReply('forbidden', 'untrusted sender');
    let request: unknown;
    try {
      request = validateRequest(channel, payload);
    } catch (error) {
      // Only the contract's validators run here, so anything thrown is a refused payload.
      return errorReply('invalid-payload', failureReply(error).error.message || `${channel}: invalid payload`);
    }
    const override = options.overrides?.[channel] as ((payload: unknown) => Promise<unknown>) | undefined;
    if (!override) return options.forward(channel, request);
    try {
      return okReply(await override(request));
    } catch (error) {
      return failureReply(error);
    }
  };
}

/** The part of Electron's ipcMain this needs (a fake one in tests). */
export interface IpcMainLike<Event> {
  handle(channel: string, listener: (event: Event, payload: unknown) => Promise<RpcReply>): void;
}

/** Registers the router for every request channel of the contract, and for nothing else. */
export function registerIpc<Event>(ipcMain: IpcMainLike<Event>, options: IpcRouterOptions<Event>): IpcRoute<Event> {
  const route = createIpcRouter(options);
  for (const channel of requestChannels) ipcMain.handle(channel, (event, payload) => route(channel, event, payload));
  return route;
}

/**
 * Whether an IPC message or a media request comes from the app's own page: the dev server's origin under
 * `electron-vite dev`, else exactly the built renderer's index.html (query and fragment aside).
 */
export function isTrustedRendererUrl(url: string, renderer: { devUrl?: string | undefined; fileUrl: string }): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (renderer.devUrl) {
    try {
      return parsed.origin !== 'null' && parsed.origin === new URL(renderer.devUrl).origin;
    } catch {
      return false;
    }
  }
  if (parsed.protocol !== 'file:') return false;
  parsed.search = '';
  parsed.hash = '';
  return parsed.href === new URL(renderer.fileUrl).href;
}
