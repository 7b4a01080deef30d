import { createServer, Socket, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGramJsClient, type GramJsTransport } from '../server/adapters/gramjs.js';
import { createTeleprotoClient } from '../server/adapters/teleproto.js';
import { startMockServer, type MockServer } from '../server/mock-server.js';
import { targetOf } from './support/fixture-accounts.js';

let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent' });
});

afterAll(async () => {
  await server?.stop();
});

/** Connects a client and returns the remote ports of the sockets that got setNoDelay(true). */
async function noDelayPorts(connect: () => Promise<{ destroy(): Promise<void> }>) {
  const ports: Array<number | undefined> = [];
  const original = Socket.prototype.setNoDelay;
  const setNoDelay = vi.spyOn(Socket.prototype, 'setNoDelay').mockImplementation(function (
    this: Socket,
    noDelay?: boolean,
  ) {
    if (noDelay === true) ports.push(this.remotePort);
    return original.call(this, noDelay);
  });
  try {
    const client = await connect();
    await client.destroy();
    return ports;
  } finally {
    setNoDelay.mockRestore();
  }
}

describe('GramJS adapter sockets', () => {
  // With Nagle's algorithm on, the request after an RPC error can wait for a delayed ACK,
  // because the client sends its msgs_ack for the error in a frame of its own.
  it.each<GramJsTransport>(['tcp-full', 'tcp-abridged', 'tcp-obfuscated'])(
    'turns Nagle off over %s',
    async (transport) => {
      const ports = await noDelayPorts(async () => {
        const client = createGramJsClient(targetOf(server), { transport });
        await client.connect();
        return client;
      });
      expect(ports).toContain(server.port);
    },
  );

  it('turns Nagle off for teleproto', async () => {
    const ports = await noDelayPorts(async () => {
      const client = createTeleprotoClient(targetOf(server));
      await client.connect();
      return client;
    });
    expect(ports).toContain(server.port);
  });
});

/** Returns a loopback port that nothing listens on, found by listening and closing again. */
async function closedPort(): Promise<number> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  await new Promise((resolve) => listener.close(resolve));
  return port;
}

describe('GramJS adapter connect', () => {
  // GramJS itself resolves connect() with false, and the next request then never settles.
  it('rejects when no mock listens', async () => {
    const port = await closedPort();
    const client = createGramJsClient({ ...targetOf(server), port }, { connectionRetries: 1 });
    try {
      await expect(client.connect()).rejects.toThrow(
        `telegram could not connect to the mock at 127.0.0.1:${port} after 1 attempt;`,
      );
    } finally {
      await client.destroy();
    }
  });
});
