/**
 * The engine as Electron's main side sees it: the only engine module `electron/main` may import (a lint rule holds
 * it to that). Main starts the engine in its utility process, speaks the host messages to it, and answers media
 * requests with the bytes the engine validated; everything else it needs comes from the project's `shared/`.
 */
export { startEngine } from './start-engine';
/** sqlite-vec's loadable extension as installed (main rewrites an app.asar path to its unpacked copy). */
export { getLoadablePath as sqliteVecExtensionPath } from 'sqlite-vec';
export { dispatchInternal, dispatchRequest } from './rpc';
export type { EngineMessage, HostMessage, InternalRequest, RpcReply } from './rpc';
export type { MediaFile } from './media/media-service';
