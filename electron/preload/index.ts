// The renderer's only door into the app: a bridge that accepts the contract's channels and nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isEventChannel, isRequestChannel, type ErrorReply, type Transport } from '@shared/contract';

const bridge: Transport = {
  async invoke(channel, payload) {
    if (!isRequestChannel(channel)) throw new Error(`unknown request '${String(channel)}'`);
    const reply: unknown = await ipcRenderer.invoke(channel, payload);
    if (typeof reply === 'object' && reply !== null && 'error' in reply) {
      throw new Error((reply as ErrorReply).error.message);
    }
    return (reply as { ok: unknown }).ok;
  },
  subscribe(channel, listener) {
    if (!isEventChannel(channel)) throw new Error(`unknown event '${String(channel)}'`);
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(`event:${channel}`, wrapped);
    return () => ipcRenderer.removeListener(`event:${channel}`, wrapped);
  },
};

contextBridge.exposeInMainWorld('shoebox', bridge);
