// Entry point of Electron's utility process that hosts the engine: inference, decoding and SQL run here, never on the
// main thread. It speaks the contract over the parent port (see electron/engine/rpc.ts).
import { dispatchRequest, type EngineMessage, type HostMessage } from '../engine/rpc';
import { startEngine } from '../engine/start-engine';

const port = process.parentPort;
const send = (message: EngineMessage) => port.postMessage(message);

const args = new Map(process.argv.flatMap((arg) => (arg.startsWith('--') ? [arg.slice(2).split('=', 2) as [string, string]] : [])));
const engine = await startEngine({ mode: 'electron', dataDir: args.get('data') ?? '', model: args.get('model') });
engine.events.onAny((channel, payload) => send({ type: 'event', channel, payload } as EngineMessage));

port.on('message', (event: { data: HostMessage }) => {
  const message = event.data;
  if (message.type === 'request') {
    void dispatchRequest(engine.api, message.channel, message.payload).then((reply) =>
      send({ type: 'reply', id: message.id, reply }),
    );
  } else if (message.type === 'shutdown') {
    void engine.close().then(() => {
      send({ type: 'closed' });
      process.exit(0);
    });
  }
});
send({ type: 'ready' });
