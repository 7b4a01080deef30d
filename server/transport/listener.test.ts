// GramJS's connection modules import each other in a cycle that only loading the root settles.
import 'telegram';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Logger, LogLevel } from 'telegram/extensions/Logger.js';
import { PromisedNetSockets } from 'telegram/extensions/PromisedNetSockets.js';
import { PromisedWebSockets } from 'telegram/extensions/PromisedWebSockets.js';
import {
  ConnectionTCPAbridged,
  ConnectionTCPFull,
  ConnectionTCPObfuscated,
} from 'telegram/network/connection/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createFraming } from './create-framing.js';
import type { FramingName } from './framing.js';
import { startListener, type Listener, type ListenerOptions } from './listener.js';
import type { TransportConnection } from './transport-connection.js';
import { createClientObfuscation, LoopbackClient } from './testing/loopback-client.js';
import { createMemoryLogger, LEVEL, type LogRecord } from './testing/memory-logger.js';

const REPLY_PREFIX = Buffer.from('7265706c', 'hex');

interface EchoServer {
  listener: Listener;
  port: number;
  host: string;
  connections: TransportConnection[];
  closedIds: number[];
  records: LogRecord[];
}

const running: Listener[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((listener) => listener.close()));
});

/** Starts a listener whose handler replies to each payload with REPLY_PREFIX + payload. */
async function startEchoServer(overrides: Partial<ListenerOptions> = {}): Promise<EchoServer> {
  const { log, records } = createMemoryLogger();
  const connections: TransportConnection[] = [];
  const closedIds: number[] = [];
  const listener = await startListener({
    host: '127.0.0.1',
    port: 0,
    log,
    onConnection: (connection) => {
      connections.push(connection);
      return {
        onPacket: (payload) => connection.send(Buffer.concat([REPLY_PREFIX, payload])),
        onClose: () => closedIds.push(connection.id),
      };
    },
    ...overrides,
  });
  running.push(listener);
  const { host, port } = listener.address();
  return { listener, host, port, connections, closedIds, records };
}

/** Checks an echoed payload; padded intermediate leaves the client's pad bytes at the end. */
function expectEcho(reply: Buffer, payload: Buffer): void {
  expect(reply.subarray(0, 4).equals(REPLY_PREFIX)).toBe(true);
  expect(reply.subarray(4, 4 + payload.length).equals(payload)).toBe(true);
}

async function exchange(client: LoopbackClient, sizes = [8, 2000, 12]): Promise<void> {
  const payloads = sizes.map((size) => randomBytes(size));
  for (const payload of payloads) client.send(payload);
  for (const payload of payloads) expectEcho(await client.receive(), payload);
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function rawSocket(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Collects everything a raw socket receives until the server closes it. */
function readUntilClose(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks))));
}

const gramjsLogger = new Logger(LogLevel.NONE);

describe('listener over TCP', () => {
  it.each(['abridged', 'intermediate', 'padded-intermediate', 'full'] as FramingName[])(
    'serves plain %s',
    async (framing) => {
      const server = await startEchoServer();
      const client = await LoopbackClient.connect({ ...server, framing });
      await exchange(client);
      expect(server.connections[0].transport).toBe(framing);
      client.close();
    },
  );

  it.each(['abridged', 'intermediate', 'padded-intermediate'] as FramingName[])(
    'serves obfuscated2 %s',
    async (framing) => {
      const server = await startEchoServer();
      const client = await LoopbackClient.connect({ ...server, framing, obfuscated: true });
      await exchange(client);
      expect(server.connections[0].transport).toBe(`obfuscated2/${framing}`);
      client.close();
    },
  );

  it.each([
    ['full', ConnectionTCPFull],
    ['abridged', ConnectionTCPAbridged],
    ['obfuscated2/abridged', ConnectionTCPObfuscated],
  ] as const)('serves the GramJS %s connection', async (transport, ConnectionClass) => {
    const server = await startEchoServer();
    const connection = new ConnectionClass({
      ip: server.host,
      port: server.port,
      dcId: 2,
      loggers: gramjsLogger,
      socket: PromisedNetSockets,
      testServers: false,
    });
    await connection.connect();
    for (const size of [16, 1200]) {
      const payload = randomBytes(size);
      await connection.send(payload);
      expectEcho(Buffer.from(await connection.recv()), payload);
    }
    expect(server.connections[0].transport).toBe(transport);
    await connection.disconnect();
  });

  it('delivers a transport error and closes on a bad CRC', async () => {
    const server = await startEchoServer();
    const socket = await rawSocket(server.port);
    const received = readUntilClose(socket);
    socket.write(Buffer.from('14000000000000000001020304050607ba8e2534', 'hex'));
    const bytes = await received;
    // A full frame with seqno 0 and payload -404; the CRC was computed with Python's zlib.crc32.
    expect(bytes.toString('hex')).toBe('10000000000000006cfeffff0d2f4107');
    const warning = server.records.find((record) => record.level === LEVEL.warn);
    expect(warning?.msg).toContain('CRC32');
  });

  it('keeps other connections working when one sends garbage', async () => {
    const server = await startEchoServer();
    const good = await LoopbackClient.connect({ ...server, framing: 'intermediate' });
    await exchange(good, [8]);

    const garbage = await rawSocket(server.port);
    const garbageClosed = readUntilClose(garbage);
    garbage.write(randomBytes(64).fill(0x01, 0, 8));
    await garbageClosed;

    await exchange(good, [8, 40]);
    expect(good.protocol).toBeUndefined();
    good.close();
  });

  it('reports onClose when the client goes away', async () => {
    const server = await startEchoServer();
    const client = await LoopbackClient.connect({ ...server, framing: 'abridged' });
    await exchange(client, [4]);
    client.close();
    await client.closed;
    await waitFor(() => server.closedIds.length === 1);
    expect(server.closedIds).toEqual([server.connections[0].id]);
  });

  it('survives a throwing packet handler', async () => {
    const server = await startEchoServer({
      onConnection: (connection) => ({
        onPacket: (payload) => {
          if (payload[0] === 0) throw new Error('handler failure');
          connection.send(Buffer.concat([REPLY_PREFIX, payload]));
        },
        onClose: () => undefined,
      }),
    });
    const client = await LoopbackClient.connect({ ...server, framing: 'intermediate' });
    client.send(Buffer.alloc(4));
    const payload = Buffer.from('01020304', 'hex');
    client.send(payload);
    expectEcho(await client.receive(), payload);
    expect(server.records.some((record) => record.level === LEVEL.error)).toBe(true);
    client.close();
  });

  it('routes HTTP written one byte at a time', async () => {
    const server = await startEchoServer();
    const socket = await rawSocket(server.port);
    socket.setNoDelay(true);
    const response = readUntilClose(socket);
    const get = Buffer.from('GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    for (const byte of get) {
      socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await response).toString()).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('detects obfuscated2 written one byte at a time', async () => {
    const server = await startEchoServer();
    const socket = await rawSocket(server.port);
    socket.setNoDelay(true);
    const obfuscation = createClientObfuscation('intermediate');
    const payload = randomBytes(8);
    const frame = createFraming('intermediate').encode(payload);
    const stream = Buffer.concat([obfuscation.header, obfuscation.encrypt.update(frame)]);
    const replies = createFraming('intermediate');
    const reply = new Promise<Buffer>((resolve) =>
      socket.on('data', (data: Buffer) => {
        const [first] = replies.push(obfuscation.decrypt.update(data));
        if (first !== undefined) resolve(first);
      }),
    );
    for (const byte of stream) {
      socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expectEcho(await reply, payload);
    expect(server.connections[0].transport).toBe('obfuscated2/intermediate');
    socket.destroy();
  });

  it('closes fuzzed connections without disturbing the server', async () => {
    const server = await startEchoServer({ maxPayloadLength: 1024 });
    const prefixes = ['', 'ef', 'eeeeeeee', 'dddddddd', '2000000000000000', '474554'];
    const sockets: Socket[] = [];
    for (let i = 0; i < 60; i++) {
      const socket = await rawSocket(server.port);
      socket.on('error', () => undefined);
      socket.write(
        Buffer.concat([Buffer.from(prefixes[i % prefixes.length], 'hex'), randomBytes(i * 37)]),
      );
      sockets.push(socket);
    }
    const client = await LoopbackClient.connect({ ...server, framing: 'full' });
    await exchange(client, [8, 900]);
    client.close();
    for (const socket of sockets) socket.destroy();
    // Error level is kept for exceptions that escaped a handler or the decoder.
    expect(server.records.filter((record) => record.level >= LEVEL.error)).toEqual([]);
  });

  it('serves IPv6 loopback', async () => {
    const server = await startEchoServer({ host: '::1' });
    expect(server.host).toBe('::1');
    const client = await LoopbackClient.connect({ ...server, framing: 'full' });
    await exchange(client, [8]);
    expect(server.connections[0].remoteAddress).toMatch(/^\[::1\]:\d+$/);
    client.close();
  });
});

describe('listener over HTTP', () => {
  it('responds 404 JSON to an unknown path', async () => {
    const server = await startEchoServer();
    const response = await httpGet(server.port, '/nothing-here?x=1');
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ error: 'not found', path: '/nothing-here' });
  });

  it('responds 400 to a malformed request', async () => {
    const server = await startEchoServer();
    const socket = await rawSocket(server.port);
    const response = readUntilClose(socket);
    socket.write('GET / HTTP/1.1\r\nHost x\r\n\r\n');
    expect((await response).toString()).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('passes requests to onHttpRequest', async () => {
    const server = await startEchoServer({
      onHttpRequest: (req, res) => {
        if (req.url !== '/__admin/health') return false;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
        return true;
      },
    });
    expect(await httpGet(server.port, '/__admin/health')).toEqual({ status: 200, body: 'ok' });
    expect((await httpGet(server.port, '/__admin/other')).status).toBe(404);
  });

  it('responds 500 when onHttpRequest throws', async () => {
    const server = await startEchoServer({
      onHttpRequest: () => {
        throw new Error('admin failure');
      },
    });
    const response = await httpGet(server.port, '/__admin/health');
    expect(response.status).toBe(500);
    expect(server.records.some((record) => record.level === LEVEL.error)).toBe(true);
  });
});

describe('listener over WebSocket', () => {
  it.each(['/apiws', '/apiws_test', '/apiws_premium'])(
    'echoes the binary subprotocol on %s',
    async (path) => {
      const server = await startEchoServer();
      const client = await LoopbackClient.connect({
        ...server,
        framing: 'intermediate',
        webSocketPath: path,
      });
      expect(client.protocol).toBe('binary');
      await exchange(client);
      expect(server.connections[0].transport).toBe('websocket/obfuscated2/intermediate');
      client.close();
    },
  );

  it('serves the GramJS WebSocket connection', async () => {
    const server = await startEchoServer();
    const connection = new ConnectionTCPObfuscated({
      ip: server.host,
      port: server.port,
      dcId: 2,
      loggers: gramjsLogger,
      socket: PromisedWebSockets,
      testServers: false,
    });
    await connection.connect();
    const payload = randomBytes(64);
    await connection.send(payload);
    expectEcho(Buffer.from(await connection.recv()), payload);
    expect(server.connections[0].transport).toBe('websocket/obfuscated2/abridged');
    await connection.disconnect();
  });

  it('closes a WebSocket that starts without obfuscation', async () => {
    const server = await startEchoServer();
    const webSocket = new WebSocket(`ws://127.0.0.1:${server.port}/apiws`, 'binary');
    await new Promise((resolve) => webSocket.once('open', resolve));
    const closed = new Promise((resolve) => webSocket.once('close', resolve));
    webSocket.send(Buffer.from('eeeeeeee04000000aabbccdd', 'hex'));
    await closed;
    const warning = server.records.find((record) => record.level === LEVEL.warn);
    expect(warning?.msg).toContain('must be obfuscated2');
    expect(server.connections).toHaveLength(0);
  });

  it('rejects an upgrade on another path', async () => {
    const server = await startEchoServer();
    const webSocket = new WebSocket(`ws://127.0.0.1:${server.port}/elsewhere`, 'binary');
    const status = await new Promise<number>((resolve, reject) => {
      webSocket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      webSocket.once('open', () => reject(new Error('upgrade on /elsewhere was accepted')));
      webSocket.once('error', () => undefined);
    });
    expect(status).toBe(404);
  });
});

describe('listener close', () => {
  it('ends every kind of open connection', async () => {
    const server = await startEchoServer();
    const tcp = await LoopbackClient.connect({ ...server, framing: 'intermediate' });
    const webSocket = await LoopbackClient.connect({
      ...server,
      framing: 'abridged',
      webSocketPath: '/apiws',
    });
    await exchange(tcp, [4]);
    await exchange(webSocket, [4]);
    const undetected = await rawSocket(server.port);
    const undetectedClosed = readUntilClose(undetected);
    undetected.write(Buffer.from('0102', 'hex'));
    await waitFor(() => server.listener.connectionCount === 3);

    await server.listener.close();
    await Promise.all([tcp.closed, webSocket.closed, undetectedClosed]);
    expect(server.listener.connectionCount).toBe(0);
    await waitFor(() => server.closedIds.length === 2);
    await expect(rawSocket(server.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

/** Polls a condition that depends on socket events on the other side. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not met after 200 polls');
}
