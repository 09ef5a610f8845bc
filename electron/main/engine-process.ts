import { utilityProcess, type UtilityProcess } from 'electron';
import path from 'node:path';
import type { AnyEvent, ReplyOf, RequestChannel, RequestOf } from '@shared/contract';
import { errorReply, unwrapReply, type Reply } from '@shared/envelope';
import type { MediaKind } from '@shared/media-urls';
import type { EngineMessage, HostMessage, InternalRequest, MediaFile, RpcReply } from '../engine/host';

/** The main process's handle on the engine's utility process: forwards requests, relays events. */
export class EngineProcess {
  private readonly child: UtilityProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: RpcReply) => void>();
  private closed: Promise<void> | null = null;
  private exitCode: number | null = null;

  constructor(options: { dataDir: string; model?: string; sqliteBinding?: string; onEvent: (event: AnyEvent) => void }) {
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
        const { channel, payload } = message;
        options.onEvent({ channel, payload } as AnyEvent);
      }
    });
    this.child.on('exit', (code) => {
      this.exitCode = code;
      for (const resolve of this.pending.values()) resolve(this.stoppedReply());
      this.pending.clear();
    });
  }

  /** A contract request; the payload is checked again by the engine (the router already validated it). */
  request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Reply<ReplyOf<C>>> {
    return this.send((id) => ({ type: 'request', id, channel, payload })) as Promise<Reply<ReplyOf<C>>>;
  }

  /** A request only the main process makes (media bytes, validated paths); never reachable from the renderer. */
  internal(request: InternalRequest): Promise<RpcReply> {
    return this.send((id) => ({ type: 'internal', id, request }));
  }

  /** Bytes the engine validated for a photo the catalog owns, or null (see MediaService.resolve). */
  async media(kind: MediaKind, photoId: number): Promise<MediaFile | null> {
    return unwrapReply<MediaFile | null>(await this.internal({ kind: 'media', media: kind, photoId }));
  }

  /** The validated real path of a photo the catalog owns, or null (see MediaService.photoPath). */
  async photoPath(photoId: number): Promise<string | null> {
    const found = unwrapReply<unknown>(await this.internal({ kind: 'photoPath', photoId }));
    return typeof found === 'string' ? found : null;
  }

  /** Lets the engine finish its current batch and close the catalog; kills it if that takes too long. */
  shutdown(timeoutMs = 10_000): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      if (this.exitCode !== null) return resolve();
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

  private send(message: (id: number) => HostMessage): Promise<RpcReply> {
    if (this.exitCode !== null || this.closed) return Promise.resolve(this.stoppedReply());
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.postMessage(message(id));
    });
  }

  private stoppedReply(): RpcReply {
    return errorReply(
      'engine-exited',
      this.exitCode === null ? 'the engine is shutting down' : `the engine stopped (exit code ${this.exitCode})`,
    );
  }
}
