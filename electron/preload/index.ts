// The renderer's only door into the app: a bridge that accepts the contract's channels and nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isEventChannel, isRequestChannel, type Transport } from '@shared/contract';
import { ipcEventChannel, unwrapReply } from '@shared/envelope';

const bridge: Transport = {
  async invoke(channel, payload) {
    if (!isRequestChannel(channel)) throw new Error(`unknown request '${String(channel)}'`);
    return unwrapReply(await ipcRenderer.invoke(channel, payload));
  },
  subscribe(channel, listener) {
    if (!isEventChannel(channel)) throw new Error(`unknown event '${String(channel)}'`);
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(ipcEventChannel(channel), wrapped);
    return () => ipcRenderer.removeListener(ipcEventChannel(channel), wrapped);
  },
};

contextBridge.exposeInMainWorld('shoebox', bridge);
