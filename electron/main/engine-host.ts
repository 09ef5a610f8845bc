// Entry point of Electron's utility process that hosts the engine: inference, decoding and SQL run here, never on the
// main thread. It speaks the contract over the parent port (see electron/engine/rpc.ts).
import { errorReply } from '@shared/envelope';
import { errorMessage } from '@shared/errors';
import {
  dispatchInternal,
  dispatchRequest,
  sqliteVecExtensionPath,
  startEngine,
  type EngineMessage,
  type HostMessage,
  type RpcReply,
} from '../engine/host';
import { asarUnpackedPath } from './asar';

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
  // In a packaged app sqlite-vec's own path points into app.asar, which SQLite's dlopen cannot read.
  sqliteVecExtension: asarUnpackedPath(sqliteVecExtensionPath()),
});
engine.events.onAny((channel, payload) => send({ type: 'event', channel, payload } as EngineMessage));

let closing = false;
const closingReply: RpcReply = errorReply('engine-exited', 'the engine is shutting down');
const answer = (id: number, reply: Promise<RpcReply>) => void reply.then((r) => send({ type: 'reply', id, reply: r }));

port.on('message', (event: { data: HostMessage }) => {
  const message = event.data;
  if (message.type === 'request') {
    answer(message.id, closing ? Promise.resolve(closingReply) : dispatchRequest(engine.api, message.channel, message.payload));
  } else if (message.type === 'internal') {
    answer(message.id, closing ? Promise.resolve(closingReply) : dispatchInternal(engine, message.request));
  } else if (message.type === 'shutdown' && !closing) {
    // The indexer finishes and commits the batch on the model, then the catalog closes (WAL checkpointed).
    closing = true;
    void engine.close().then(
      () => {
        send({ type: 'closed' });
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`shoebox: engine shutdown failed: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  }
});
send({ type: 'ready' });
