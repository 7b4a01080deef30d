/**
 * Serves mtmock inside the test process through msw (2.x) WebSocket interception: a client that
 * opens `new WebSocket('wss://venus.web.telegram.org/apiws', 'binary')` talks to an in-process
 * mock engine, with no port and no network.
 *
 *   const mock = createMswHandlers({ logLevel: 'silent' });
 *   const server = setupServer(...mock.handlers);
 *   server.listen();
 *
 * msw patches `globalThis.WebSocket`, so the client must use the global class. Node 20 has none:
 * assign one first, for example `globalThis.WebSocket = (await import('undici')).WebSocket`.
 */
import { ws, type WebSocketHandler, type WebSocketHandlerConnection } from 'msw';
import { createMockEngine, type MockEngine, type MockEngineOptions } from './engine.js';
import { StreamConnection, type ByteChannel } from './transport/transport-connection.js';

/** URL pattern (msw syntax) of Telegram's web endpoints: every DC name and /apiws variant. */
export const TELEGRAM_WEBSOCKET_URL = 'wss://*.web.telegram.org/apiws*';

/** WebSocket close code for a text message: 1003 (unsupported data), as the TCP listener uses. */
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_NORMAL = 1000;
/** 1011 (internal error): the mock dropped the connection, such as after a handler threw. */
const CLOSE_INTERNAL_ERROR = 1011;

/** Settings of createMswHandlers. */
export interface MswMockOptions extends MockEngineOptions {
  /** More URLs to intercept besides TELEGRAM_WEBSOCKET_URL, as strings or RegExps in msw syntax. */
  urls?: Array<string | RegExp>;
  /** An engine to feed, for example one that a listening server shares. Default: a new engine. */
  engine?: MockEngine;
}

/** Handlers that route intercepted WebSockets to one mock engine. */
export interface MswMock {
  /** The engine behind the handlers: domain, keys and serverKey for registering with clients. */
  readonly engine: MockEngine;
  /** Pass these to msw's setupServer or setupWorker. */
  readonly handlers: WebSocketHandler[];
  /** Closes every intercepted connection that is still open, with code 1000. */
  closeConnections(): void;
}

/** msw's end of an intercepted WebSocket, on which the mock plays the server. */
type InterceptedClient = WebSocketHandlerConnection['client'];

/**
 * Creates msw `ws.link` handlers that hand each intercepted WebSocket to a mock engine, carrier
 * 'websocket', as the TCP listener does for real WebSocket upgrades. The client's binary messages
 * form one byte stream of an MTProto transport, obfuscated2 for GramJS and mtcute in browsers.
 */
export function createMswHandlers(options: MswMockOptions = {}): MswMock {
  const ownsEngine = options.engine === undefined;
  const engine = options.engine ?? createMockEngine(options);
  // NOTE: help.getConfig advertises the engine's DC address, which is 127.0.0.1 port 0 unless a
  // listener set it. Web clients dial by URL and do not use it.
  if (ownsEngine) setImmediate(() => engine.warmUp());

  const open = new Set<InterceptedClient>();
  const handlers = [TELEGRAM_WEBSOCKET_URL, ...(options.urls ?? [])].map((url) =>
    ws.link(url).addEventListener('connection', ({ client }) => {
      serveClient(client, engine, open);
    }),
  );

  return {
    engine,
    handlers,
    closeConnections() {
      for (const client of open) client.close(CLOSE_NORMAL);
    },
  };
}

function serveClient(
  client: InterceptedClient,
  engine: MockEngine,
  open: Set<InterceptedClient>,
): void {
  open.add(client);
  const connection = new StreamConnection({
    carrier: 'websocket',
    channel: clientChannel(client),
    log: engine.log,
    accept: engine.accept,
  });
  engine.log.debug({ connId: connection.id, url: client.url.href }, 'intercepted a WebSocket');

  // Blob data converts asynchronously, so every message waits for the one before it.
  let received = Promise.resolve();
  client.addEventListener('message', (event) => {
    const data = event.data;
    if (typeof data === 'string') {
      connection.log.warn(
        'closing WebSocket: received a text message, but MTProto uses binary messages',
      );
      client.close(CLOSE_UNSUPPORTED_DATA);
      return;
    }
    received = received
      .then(() => toBuffer(data))
      .then((bytes) => connection.receive(bytes))
      .catch((error: unknown) => {
        connection.log.error(
          { err: error },
          'reading a WebSocket message failed, so the connection is closed',
        );
        client.close(CLOSE_INTERNAL_ERROR);
      });
  });
  client.addEventListener('close', () => {
    open.delete(client);
    connection.channelClosed();
  });
}

/** Wraps the msw client connection as a ByteChannel that sends data as its `binaryType` asks. */
function clientChannel(client: InterceptedClient): ByteChannel {
  // msw passes sent data to the client as is, so the adapter does what a browser would do:
  // deliver a Blob unless the client set binaryType to 'arraybuffer'.
  const socket = (client as { socket?: { binaryType?: string } }).socket;
  return {
    remoteAddress: `msw:${client.id}`,
    write: (data) => {
      const copy = new Uint8Array(data).buffer;
      client.send(socket?.binaryType === 'arraybuffer' ? copy : new Blob([copy]));
    },
    // Telegram closes WebSockets with code 1000 (normal closure).
    end: () => client.close(CLOSE_NORMAL),
    destroy: () => client.close(CLOSE_INTERNAL_ERROR),
  };
}

async function toBuffer(data: unknown): Promise<Buffer> {
  if (data instanceof Blob) return Buffer.from(await data.arrayBuffer());
  if (ArrayBuffer.isView(data)) {
    return Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  if (data instanceof ArrayBuffer || data instanceof SharedArrayBuffer) {
    return Buffer.from(new Uint8Array(data));
  }
  throw new TypeError(
    `unsupported WebSocket message data: ${Object.prototype.toString.call(data)}`,
  );
}
