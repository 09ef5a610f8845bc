import type { EventChannel, EventOf } from '@shared/contract';

type Listener = (channel: EventChannel, payload: unknown) => void;

/** The engine's outgoing events, typed by the contract; transports forward every event to their clients. */
export class EngineEvents {
  private readonly listeners = new Set<Listener>();

  emit<C extends EventChannel>(channel: C, payload: EventOf<C>): void {
    for (const listener of this.listeners) listener(channel, payload);
  }

  /** Every event, whatever its channel (what a transport needs). Returns the unsubscribe function. */
  onAny(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  on<C extends EventChannel>(channel: C, listener: (payload: EventOf<C>) => void): () => void {
    return this.onAny((c, payload) => {
      if (c === channel) listener(payload as EventOf<C>);
    });
  }
}
