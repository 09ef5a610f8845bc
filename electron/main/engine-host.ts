// Entry point of Electron's utility process that hosts the engine: inference, decoding and SQL run here, never on the
// main thread. It speaks the contract over the parent port (see electron/engine/rpc.ts).
import { dispatchRequest, type EngineMessage, type HostMessage } from '../engine/rpc';
import { startEngine } from '../engine/start-engine';

const port = process.parentPort;
const send = (message: EngineMessage) => port.postMessage(message);

// --name=value arguments from the main process (values may themselves contain '=').
const args = new Map(
  process.argv.flatMap((arg) => {
    const eq = arg.indexOf('=');
    return arg.startsWith('--') && eq > 2 ? [[arg.slice(2, eq), arg.slice(eq + 1)] as const] : [];
  }),
);
const engine = await startEngine({
  mode: 'electron',
  dataDir: args.get('data') ?? '',
  model: args.get('model'),
  sqliteNativeBinding: args.get('sqlite-binding'),
});
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
