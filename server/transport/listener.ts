import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger.js';
import { detectTransport } from './detect-transport.js';
import { DEFAULT_MAX_PAYLOAD_LENGTH } from './framing.js';
import { TRANSPORT_ERROR, TransportError } from './transport-error.js';
import {
  StreamConnection,
  type AcceptConnection,
  type ByteChannel,
  type PacketHandler,
  type TransportConnection,
} from './transport-connection.js';
import type { Carrier } from './transport-codec.js';

/** Paths on which a WebSocket upgrade carries MTProto, as web clients use them. */
export const WEBSOCKET_PATHS: readonly string[] = ['/apiws', '/apiws_test', '/apiws_premium'];

/** Time in ms that a closing TCP socket may take to flush before it is destroyed. */
const CLOSE_GRACE_MS = 2000;

/** Settings of startListener. */
export interface ListenerOptions {
  /** Address to bind, such as '127.0.0.1', '::1' or '0.0.0.0'. */
  host: string;
  /** Port to bind; 0 picks a free one, which address() then returns. */
  port: number;
  log: Logger;
  /** Called once per MTProto connection when its transport is known. */
  onConnection(connection: TransportConnection): PacketHandler;
  /**
   * Handles a plain HTTP request. Returns false when it does not handle the path, and the
   * listener then responds 404 with JSON `{"error":"not found","path":...}`.
   */
  onHttpRequest?(request: IncomingMessage, response: ServerResponse): boolean;
  /** Maximum payload length in bytes that a client may declare; defaults to 16 MiB. */
  maxPayloadLength?: number;
  /**
   * Maximum number of open sockets of every kind. A new MTProto connection beyond it gets
   * transport error -429 and a close, while HTTP requests are still served. Default: no limit.
   */
  maxConnections?: number;
  /** Time in ms within which a socket must send the bytes that decide its transport. */
  detectionTimeoutMs?: number;
  /** Time in ms after which a socket with no traffic in either direction is destroyed. */
  idleTimeoutMs?: number;
}

/** A running listener. */
export interface Listener {
  /** Bound address; the actual port when port 0 was requested. */
  address(): { host: string; port: number };
  /** Number of open sockets of every kind: MTProto, WebSocket, HTTP and still undetected. */
  readonly connectionCount: number;
  /** Stops accepting and destroys every open socket, WebSockets included. */
  close(): Promise<void>;
}

/**
 * Starts one TCP port that serves every MTProto transport, WebSocket on WEBSOCKET_PATHS and
 * plain HTTP. Each connection's first bytes decide which: see detectTransport.
 */
export async function startListener(options: ListenerOptions): Promise<Listener> {
  const { log } = options;
  const maxPayloadLength = options.maxPayloadLength ?? DEFAULT_MAX_PAYLOAD_LENGTH;
  const sockets = new Set<Socket>();
  const maxConnections = options.maxConnections ?? Number.POSITIVE_INFINITY;
  // Sockets accepted beyond maxConnections: their MTProto connection is rejected once detected.
  const overLimit = new WeakSet<Socket>();

  const openConnection = (
    carrier: Carrier,
    channel: ByteChannel,
    socket: Socket,
  ): StreamConnection =>
    new StreamConnection({
      carrier,
      channel,
      log,
      accept: overLimit.has(socket) ? rejectOverLimit(maxConnections) : options.onConnection,
      maxPayloadLength,
    });

  const httpServer = createHttpServer((request, response) =>
    handleHttpRequest(request, response, options, log),
  );
  httpServer.on('clientError', (error, socket) => {
    log.debug({ err: error }, 'invalid HTTP request; closing the socket');
    if (socket.writable) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else {
      socket.destroy();
    }
  });

  // `ws` is loaded on the first upgrade, because importing it costs about 100 ms of start-up.
  let webSocketServer: Promise<WebSocketServer> | undefined;
  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = requestPath(request);
    if (!WEBSOCKET_PATHS.includes(path)) {
      log.debug({ path }, 'rejected a WebSocket upgrade on a path that serves no MTProto');
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    webSocketServer ??= createWebSocketServer(maxPayloadLength);
    webSocketServer.then(
      (server) =>
        server.handleUpgrade(request, socket, head, (webSocket) => {
          // The HTTP server turns the socket's timeout off, so the idle timeout is set again.
          if (options.idleTimeoutMs !== undefined) request.socket.setTimeout(options.idleTimeoutMs);
          const channel = webSocketChannel(webSocket, formatRemoteAddress(request.socket));
          serveWebSocket(webSocket, openConnection('websocket', channel, request.socket), log);
        }),
      (error: unknown) => {
        log.error({ err: error }, 'loading the ws package failed; closing the upgrade request');
        socket.destroy();
      },
    );
  });

  const tcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (sockets.size > maxConnections) overLimit.add(socket);
    socket.setNoDelay(true);
    socket.on('error', (error) => log.debug({ err: error }, 'socket error'));
    if (options.idleTimeoutMs !== undefined) {
      const idleTimeoutMs = options.idleTimeoutMs;
      socket.setTimeout(idleTimeoutMs, () => {
        log.info(
          { remoteAddress: formatRemoteAddress(socket), idleTimeoutMs },
          'closing a socket with no traffic in either direction within the idle timeout',
        );
        socket.destroy();
      });
    }
    routeSocket(socket, {
      log,
      detectionTimeoutMs: options.detectionTimeoutMs,
      onHttp: () => httpServer.emit('connection', socket),
      onMtproto: () => openConnection('tcp', socketChannel(socket), socket),
    });
  });

  await new Promise<void>((resolve, reject) => {
    tcpServer.once('error', reject);
    tcpServer.listen({ host: options.host, port: options.port }, () => {
      tcpServer.off('error', reject);
      resolve();
    });
  });
  tcpServer.on('error', (error) => log.error({ err: error }, 'listener error'));
  const bound = tcpServer.address() as AddressInfo;
  log.info({ host: bound.address, port: bound.port }, 'listening for MTProto, WebSocket and HTTP');

  return {
    address: () => ({ host: bound.address, port: bound.port }),
    get connectionCount() {
      return sockets.size;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => tcpServer.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await webSocketServer?.then(
        (server) => server.close(),
        () => undefined,
      );
      httpServer.close();
      await closed;
      log.info({ host: bound.address, port: bound.port }, 'listener closed');
    },
  };
}

interface SocketRoutes {
  log: Logger;
  detectionTimeoutMs?: number;
  onHttp(): void;
  onMtproto(): StreamConnection;
}

/**
 * Buffers a fresh socket's first bytes until detectTransport decides, then either hands the
 * socket, with those bytes put back, to the HTTP server, or opens an MTProto connection on it.
 */
function routeSocket(socket: Socket, routes: SocketRoutes): void {
  let head = Buffer.alloc(0);
  // A socket that never sends enough bytes to decide its transport (slow loris) is destroyed,
  // because no framing is known in which to send a transport error.
  const detectionTimer =
    routes.detectionTimeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          routes.log.warn(
            {
              remoteAddress: formatRemoteAddress(socket),
              receivedBytes: head.length,
              detectionTimeoutMs: routes.detectionTimeoutMs,
            },
            'closing a socket that did not send its transport within the detection timeout',
          );
          socket.destroy();
        }, routes.detectionTimeoutMs).unref();
  socket.once('close', () => clearTimeout(detectionTimer));
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    let detected;
    try {
      detected = detectTransport(head);
    } catch (error) {
      const remoteAddress = formatRemoteAddress(socket);
      if (error instanceof TransportError) {
        routes.log.warn({ remoteAddress }, `closing connection: ${error.message}`);
      } else {
        routes.log.error({ err: error, remoteAddress }, 'transport detection threw; closing');
      }
      socket.destroy();
      return;
    }
    if (detected === undefined) return;
    socket.off('data', onData);
    clearTimeout(detectionTimer);

    if (detected.kind === 'http') {
      // The HTTP server reads the socket's handle directly, so the bytes put back reach it only
      // through the 'data' events that resume() starts after it has attached its listener.
      socket.pause();
      socket.unshift(head);
      routes.onHttp();
      socket.resume();
      return;
    }
    const connection = routes.onMtproto();
    socket.on('data', (data: Buffer) => connection.receive(data));
    socket.once('close', () => connection.channelClosed());
    connection.receive(head);
  };
  socket.on('data', onData);
}

/** Loads `ws` and creates the server for WebSocket upgrades. */
async function createWebSocketServer(maxPayloadLength: number): Promise<WebSocketServer> {
  const { WebSocketServer } = await import('ws');
  // One WebSocket message may carry the 64-byte header and one maximal frame.
  return new WebSocketServer({
    noServer: true,
    maxPayload: maxPayloadLength + 1024,
    // Clients abort the handshake unless the server echoes the `binary` subprotocol.
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });
}

/** Returns an accept callback that sends transport error -429 (flood) and closes. */
function rejectOverLimit(maxConnections: number): AcceptConnection {
  return (connection) => {
    connection.log.warn(
      { remoteAddress: connection.remoteAddress, maxConnections, code: TRANSPORT_ERROR.FLOOD },
      'rejected an MTProto connection: maxConnections sockets are open; raise the limit if ' +
        'the test suite really needs more',
    );
    connection.sendTransportError(TRANSPORT_ERROR.FLOOD);
    connection.close();
    return { onPacket: () => undefined, onClose: () => undefined };
  };
}

function socketChannel(socket: Socket): ByteChannel {
  let destroyTimer: NodeJS.Timeout | undefined;
  socket.once('close', () => clearTimeout(destroyTimer));
  return {
    remoteAddress: formatRemoteAddress(socket),
    write: (data) => {
      if (socket.writable) socket.write(data);
    },
    end: () => {
      socket.end();
      // A peer that never closes its side would otherwise keep the socket half-open.
      destroyTimer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    },
    destroy: () => socket.destroy(),
  };
}

function webSocketChannel(webSocket: WebSocket, remoteAddress: string): ByteChannel {
  return {
    remoteAddress,
    write: (data) => {
      if (webSocket.readyState === webSocket.OPEN) webSocket.send(data);
    },
    // Telegram closes WebSockets with code 1000 (normal closure).
    end: () => webSocket.close(1000),
    destroy: () => webSocket.terminate(),
  };
}

/** Treats a WebSocket's binary messages as one byte stream; frame boundaries carry no meaning. */
function serveWebSocket(webSocket: WebSocket, connection: StreamConnection, log: Logger): void {
  webSocket.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      log.warn(
        { connId: connection.id },
        'closing WebSocket: received a text message, but MTProto uses binary messages',
      );
      webSocket.close(1003);
      return;
    }
    connection.receive(data);
  });
  webSocket.on('close', () => connection.channelClosed());
  // ws reports protocol errors here (an oversized or malformed frame) and then closes, so they
  // are warnings, as a bad TCP frame is.
  webSocket.on('error', (error: Error & { code?: string }) =>
    log.warn(
      { connId: connection.id, transport: 'websocket', code: error.code, reason: error.message },
      'closing WebSocket after a protocol error',
    ),
  );
}

// NOTE: the MTProto HTTP transport (POST /api with http_wait) is not implemented. Such requests
// reach onHttpRequest like any other and get 404 unless it handles them.
function handleHttpRequest(
  request: IncomingMessage,
  response: ServerResponse,
  options: ListenerOptions,
  log: Logger,
): void {
  let handled = false;
  try {
    handled = options.onHttpRequest?.(request, response) ?? false;
  } catch (error) {
    log.error({ err: error, method: request.method, url: request.url }, 'HTTP handler threw');
    if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
    else response.destroy();
    return;
  }
  if (!handled) sendJson(response, 404, { error: 'not found', path: requestPath(request) });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function requestPath(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}

function formatRemoteAddress(socket: Socket): string {
  const host = socket.remoteAddress ?? 'unknown';
  return host.includes(':') ? `[${host}]:${socket.remotePort}` : `${host}:${socket.remotePort}`;
}
