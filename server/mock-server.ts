import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdminClient } from './admin/admin-client.js';
import { handleAdminRequest } from './admin/admin-router.js';
import { createMockEngine, type MockEngine, type MockEngineOptions } from './engine.js';
import { startListener } from './transport/listener.js';

export type { ServerKeyInfo } from './engine.js';

export interface MockServerOptions extends MockEngineOptions {
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** TCP port for MTProto, WebSocket and the admin API; 0 picks a free one. Default 0. */
  port?: number;
  /** Host advertised in help.getConfig; defaults to the listening host (loopback for a wildcard). */
  advertisedHost?: string;
}

export interface MockServer extends MockEngine {
  readonly host: string;
  readonly port: number;
  readonly dcId: number;
  /** Typed client for this server's admin API. */
  readonly admin: AdminClient;
  /** Stops listening and closes every connection. */
  stop(): Promise<void>;
}

/** Delay in ms between listening and the warm-up of createMockEngine. */
const WARM_UP_DELAY_MS = 50;

/** Starts the mock in this process on one TCP port. Resolves once it listens. */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`invalid port ${port}: expected an integer from 0 to 65535`);
  }
  const engine = createMockEngine(options);
  // The admin API needs the server object, which exists only once the listener has its port.
  const admin: { target?: MockServer } = {};
  const listener = await startListener({
    host: options.host ?? '127.0.0.1',
    port,
    log: engine.log,
    onConnection: engine.accept,
    maxPayloadLength: engine.limits.maxPayloadLength,
    maxConnections: engine.limits.maxConnections,
    detectionTimeoutMs: engine.limits.handshakeTimeoutMs,
    idleTimeoutMs: engine.limits.idleTimeoutMs,
    onHttpRequest: (request: IncomingMessage, response: ServerResponse) =>
      handleAdminRequest(request, response, admin.target),
  });
  const address = listener.address();
  engine.dc.host = options.advertisedHost ?? advertisable(address.host);
  engine.dc.port = address.port;

  const server: MockServer = {
    ...engine,
    host: address.host,
    port: address.port,
    dcId: engine.dc.dcId,
    admin: AdminClient.at(engine.dc.host, address.port),
    async stop() {
      await listener.close();
      engine.log.info('stopped');
    },
  };

  admin.target = server;

  // Pay for OpenSSL's prime check and the fixture passwords' PBKDF2 after start-up, not in the
  // first client's key exchange. The delay lets the start-up log lines, the CLI's ready line
  // included, leave first: pino writes stdout through libuv's thread pool, which the PBKDF2 runs
  // fill, and the prime check blocks the event loop for about 200 ms.
  // NOTE: 50 ms is an estimate of the time those writes need, not a guarantee.
  setTimeout(() => engine.warmUp(), WARM_UP_DELAY_MS).unref();
  return server;
}

/** Maps a wildcard listening address to loopback, because clients cannot dial a wildcard. */
function advertisable(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}
