import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CliUsageError, parseCliOptions } from '../server/cli-options.js';
import { systemClock } from '../server/clock.js';
import { DEFAULT_LIMITS, resolveLimits, type ServerLimits } from '../server/limits.js';
import { startMockServer, type MockServer } from '../server/mock-server.js';
import { sealPlainMessage } from '../server/session/encrypted-message.js';
import { serialize } from '../server/tl/codec.js';
import { defaultRegistry } from '../server/tl/registry.js';
import { LoopbackClient } from '../server/transport/testing/loopback-client.js';
import type { TlObject } from '../server/tl/types.js';
import { ClientMsgIds } from '../test-support/client-msg-ids.js';
import { ClientTransport } from '../test-support/client-transport.js';
import { MtprotoClient } from '../test-support/mtproto-client.js';
import { transportErrorCode } from '../test-support/transport-error-received.js';

const view = defaultRegistry().view();
const msgIds = new ClientMsgIds(systemClock);
const running: MockServer[] = [];
const transports: ClientTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function serverWith(limits: Partial<ServerLimits>): Promise<MockServer> {
  const server = await startMockServer({ port: 0, logLevel: 'silent', limits });
  running.push(server);
  return server;
}

async function rawTransport(server: MockServer): Promise<ClientTransport> {
  const transport = await ClientTransport.connect(server.host, server.port);
  transports.push(transport);
  return transport;
}

function client(server: MockServer): Promise<MtprotoClient> {
  return MtprotoClient.connect({
    host: server.host,
    port: server.port,
    publicKeyPem: server.serverKey.publicKeyPem,
  });
}

function sendPlain(transport: ClientTransport, request: TlObject): void {
  transport.send(sealPlainMessage(msgIds.next(), serialize(request, view)));
}

async function expectTransportError(transport: ClientTransport, code: number): Promise<void> {
  const payload = await transport.receive(5000);
  expect(transportErrorCode(payload)).toBe(code);
}

async function expectHealthy(mtproto: MtprotoClient): Promise<void> {
  const config = (await mtproto.invoke({ _: 'help.getConfig' })) as TlObject;
  expect(config._).toBe('config');
}

describe('resolveLimits', () => {
  it('fills in the defaults', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ maxConnections: 5 }).maxConnections).toBe(5);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxConnections %s', (value) => {
    expect(() => resolveLimits({ maxConnections: value })).toThrow(/maxConnections/);
  });

  it('rejects a startMockServer option', async () => {
    await expect(
      startMockServer({ port: 0, logLevel: 'silent', limits: { maxPayloadLength: 2 } }),
    ).rejects.toThrow(/maxPayloadLength: 2/);
  });
});

describe('limit flags', () => {
  it('reads flags and MTMOCK_* variables', () => {
    const options = parseCliOptions(['--max-connections', '5'], { MTMOCK_IDLE_TIMEOUT_MS: '1000' });
    expect(options.limits).toEqual({ maxConnections: 5, idleTimeoutMs: 1000 });
  });

  it('prefers the flag to the variable', () => {
    const options = parseCliOptions(['--max-gzip-output', '7'], { MTMOCK_MAX_GZIP_OUTPUT: '9' });
    expect(options.limits.maxGzipOutput).toBe(7);
  });

  it.each(['0', '-3', '1.5', 'many'])('rejects --handshake-timeout-ms %s', (value) => {
    expect(() => parseCliOptions(['--handshake-timeout-ms', value], {})).toThrow(CliUsageError);
  });

  it('rejects a payload limit below 4', () => {
    // A usage error (exit 2) that names the flag, as for every other bad flag value.
    expect(() => parseCliOptions(['--max-payload-length', '2'], {})).toThrow(
      '--max-payload-length value "2": expected a whole number from 4 to',
    );
  });

  it.each([
    ['--handshake-timeout-ms', '3000000000', 'from 1 to 2147483647'],
    ['--max-connections', '99999999999999999999', 'from 1 to 9007199254740991'],
  ])('rejects %s %s naming the range', (flag, value, range) => {
    // Node's timers fire after 1 ms for a delay above 2^31 - 1, which closed every socket.
    expect(() => parseCliOptions([flag, value], {})).toThrow(range);
  });
});

describe('limits', () => {
  it('maxConnections answers -429 and keeps the others', async () => {
    const server = await serverWith({ maxConnections: 2 });
    const first = await client(server);
    const second = await client(server);

    const third = await rawTransport(server);
    sendPlain(third, { _: 'req_pq_multi', nonce: randomBytes(16) });
    await expectTransportError(third, -429);
    await third.closed;

    const health = await fetch(`http://${server.host}:${server.port}/__admin/health`);
    expect(health.status).toBe(200);
    await expectHealthy(first);
    await first.close();
    await second.close();
  });

  it('maxPayloadLength closes an oversized frame with -404', async () => {
    const server = await serverWith({ maxPayloadLength: 1024 });
    const transport = await rawTransport(server);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(2048);
    transport.sendBytes(header);

    await expectTransportError(transport, -404);
    await transport.closed;
  });

  it('maxContainerMessages rejects a larger container', async () => {
    const server = await serverWith({ maxContainerMessages: 4 });
    const mtproto = await client(server);
    await expectHealthy(mtproto);
    const pings = (count: number) =>
      Array.from({ length: count }, (_, index) => ({
        body: { _: 'ping', ping_id: BigInt(index) },
      }));

    const allowed = mtproto.buildContainer(pings(4));
    mtproto.sendRaw({ body: allowed.body, contentRelated: false });
    for (const inner of allowed.messages) {
      expect((await mtproto.waitForResponse(inner.msgId)).object._).toBe('pong');
    }

    const tooLarge = mtproto.buildContainer(pings(5));
    const sent = mtproto.sendRaw({ body: tooLarge.body, contentRelated: false });
    const notification = (await mtproto.waitForResponse(sent.msgId)).object;
    expect(notification._).toBe('bad_msg_notification');
    expect(notification.error_code).toBe(64);
    await mtproto.close();
  });

  it('maxHandshakesPerConnection answers -429', async () => {
    const server = await serverWith({ maxHandshakesPerConnection: 2 });
    const transport = await rawTransport(server);
    for (let attempt = 0; attempt < 2; attempt++) {
      sendPlain(transport, { _: 'req_pq_multi', nonce: randomBytes(16) });
      expect(transportErrorCode(await transport.receive(5000))).toBeUndefined();
    }
    sendPlain(transport, { _: 'req_pq_multi', nonce: randomBytes(16) });

    await expectTransportError(transport, -429);
    await transport.closed;
  });

  it('maxPendingHandshakes answers -429 until one ends', async () => {
    const server = await serverWith({ maxPendingHandshakes: 2 });
    const pending = [await rawTransport(server), await rawTransport(server)];
    for (const transport of pending) {
      sendPlain(transport, { _: 'req_pq_multi', nonce: randomBytes(16) });
      expect(transportErrorCode(await transport.receive(5000))).toBeUndefined();
    }
    const refused = await rawTransport(server);
    sendPlain(refused, { _: 'req_pq_multi', nonce: randomBytes(16) });
    await expectTransportError(refused, -429);

    await pending[0].close();
    const mtproto = await client(server);
    await expectHealthy(mtproto);
    await mtproto.close();
  });

  it('handshakeTimeoutMs closes a stalled key exchange with -404', async () => {
    const server = await serverWith({ handshakeTimeoutMs: 200 });
    const healthy = await client(server);
    const stalled = await rawTransport(server);
    sendPlain(stalled, { _: 'req_pq_multi', nonce: randomBytes(16) });
    expect(transportErrorCode(await stalled.receive(5000))).toBeUndefined();

    await expectTransportError(stalled, -404);
    await stalled.closed;
    await expectHealthy(healthy);
    await healthy.close();
  });

  it('handshakeTimeoutMs destroys a socket that never sends its transport', async () => {
    const server = await serverWith({ handshakeTimeoutMs: 200 });
    const socket = connect({ host: server.host, port: server.port });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    // Three bytes are too few to tell obfuscated2 from the full transport.
    socket.write(Buffer.from([0x01, 0x02, 0x03]));

    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('idleTimeoutMs closes an idle connection', async () => {
    const server = await serverWith({ idleTimeoutMs: 200 });
    const mtproto = await client(server);

    await mtproto.closed;
    expect(mtproto.transport.isClosed).toBe(true);
  });

  it('idleTimeoutMs closes an idle WebSocket', async () => {
    const server = await serverWith({ idleTimeoutMs: 200 });
    const webSocket = await LoopbackClient.connect({
      host: server.host,
      port: server.port,
      framing: 'intermediate',
      webSocketPath: '/apiws',
    });
    expect(webSocket.protocol).toBe('binary');

    await webSocket.closed;
  });
});
