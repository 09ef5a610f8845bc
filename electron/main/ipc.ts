import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { ContractError, requestChannels, validateRequest, type RequestChannel } from '@shared/contract';
import type { RpcReply } from '../engine/rpc';

/**
 * The IPC routing table: every contract request is validated here, at the boundary, then forwarded to the engine.
 * No business logic lives in this file.
 */
export function registerIpc(options: {
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  forward: (channel: RequestChannel, payload: unknown) => Promise<RpcReply>;
}): void {
  for (const channel of requestChannels) {
    ipcMain.handle(channel, async (event, payload: unknown): Promise<RpcReply> => {
      if (!options.isTrustedSender(event)) return { error: { code: 'forbidden', message: 'untrusted sender' } };
      try {
        validateRequest(channel, payload);
      } catch (error) {
        if (error instanceof ContractError) return { error: { code: 'invalid-payload', message: error.message } };
        throw error;
      }
      return options.forward(channel, payload);
    });
  }
}
