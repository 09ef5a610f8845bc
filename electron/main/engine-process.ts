import { utilityProcess, type UtilityProcess } from 'electron';
import path from 'node:path';
import type { EventChannel, RequestChannel } from '@shared/contract';
import type { EngineMessage, HostMessage, RpcReply } from '../engine/rpc';

/** The main process's handle on the engine's utility process: forwards requests, relays events. */
export class EngineProcess {
  private readonly child: UtilityProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: RpcReply) => void>();
  private closed: Promise<void> | null = null;

  constructor(options: { dataDir: string; model?: string; sqliteBinding?: string; onEvent: (channel: EventChannel, payload: unknown) => void }) {
    const args = [
      `--data=${options.dataDir}`,
      ...(options.model ? [`--model=${options.model}`] : []),
      ...(options.sqliteBinding ? [`--sqlite-binding=${options.sqliteBinding}`] : []),
    ];
    this.child = utilityProcess.fork(path.join(import.meta.dirname, 'engine-host.js'), args, {
      serviceName: 'Shoebox engine',
      stdio: 'inherit',
    });
    this.child.on('message', (message: EngineMessage) => {
      if (message.type === 'reply') {
        this.pending.get(message.id)?.(message.reply);
        this.pending.delete(message.id);
      } else if (message.type === 'event') {
        options.onEvent(message.channel, message.payload);
      }
    });
    this.child.on('exit', (code) => {
      for (const resolve of this.pending.values()) {
        resolve({ error: { code: 'engine-exited', message: `the engine stopped (exit code ${code})` } });
      }
      this.pending.clear();
    });
  }

  request(channel: RequestChannel, payload: unknown): Promise<RpcReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.postMessage({ type: 'request', id, channel, payload } satisfies HostMessage);
    });
  }

  /** Lets the engine finish its current batch and close the catalog; kills it if that takes too long. */
  shutdown(timeoutMs = 10_000): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.child.kill();
        resolve();
      }, timeoutMs);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.postMessage({ type: 'shutdown' } satisfies HostMessage);
    });
    return this.closed;
  }
}
