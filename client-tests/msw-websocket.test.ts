import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setupServer } from 'msw/node';
import { WebSocket as UndiciWebSocket } from 'undici';
import { connectWs } from '@fuman/net';
import {
  BaseTelegramClient,
  IntermediatePacketCodec,
  MemoryStorage,
  ObfuscatedPacketCodec,
  type TelegramTransport,
} from '@mtcute/node';
import { addPublicKey, NodeCryptoProvider } from '@mtcute/node/utils.js';
import { createMswHandlers, type MswMock } from '../server/msw.js';
import { createFraming } from '../server/transport/create-framing.js';
import { createClientObfuscation } from '../server/transport/testing/loopback-client.js';

// Node 20 has no global WebSocket (Node 22 and later do), and msw can only intercept the global
// class, so the test installs undici's standard WebSocket before msw patches it.
const originalWebSocket = globalThis.WebSocket;
if (originalWebSocket === undefined) {
  globalThis.WebSocket = UndiciWebSocket as unknown as typeof WebSocket;
}

const REQ_PQ_MULTI = 0xbe7e8ef1;
const RES_PQ = 0x05162463;

let mock: MswMock;
let mswServer: ReturnType<typeof setupServer>;

beforeAll(() => {
  mock = createMswHandlers({ logLevel: 'silent', urls: ['wss://mtmock.test/apiws'] });
  mswServer = setupServer(...mock.handlers);
  mswServer.listen({ onUnhandledRequest: 'error' });
});

afterEach(() => {
  mock.closeConnections();
});

afterAll(() => {
  mswServer.close();
  if (originalWebSocket === undefined) {
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
  }
});

/**
 * mtcute's web transport, rebuilt on @fuman/net's connectWs: the global WebSocket with
 * subprotocol `binary` and obfuscated intermediate framing. Like mtcute's own, it ignores the
 * DC's address and dials the web endpoint.
 */
const globalWebSocketTransport: TelegramTransport = {
  connect: () =>
    connectWs({
      url: 'wss://venus.web.telegram.org/apiws',
      implementation: globalThis.WebSocket,
      protocols: 'binary',
    }),
  packetCodec: () => new ObfuscatedPacketCodec(new IntermediatePacketCodec()),
};

function createMtcuteClient(): BaseTelegramClient {
  const dc = { id: 2, ipAddress: '127.0.0.1', port: 443 };
  return new BaseTelegramClient({
    apiId: 1,
    apiHash: 'mtmock',
    storage: new MemoryStorage(),
    logLevel: 0,
    disableUpdates: true,
    network: { floodControl: false },
    defaultDcs: { main: dc, media: { ...dc, mediaOnly: true } },
    transport: globalWebSocketTransport,
  });
}

describe('msw adapter with mtcute 0.30.3 on the global WebSocket', () => {
  it('completes the key exchange and receives config', async () => {
    await addPublicKey(new NodeCryptoProvider(), mock.engine.serverKey.publicKeyPem, false);
    const keysBefore = mock.engine.keys.size;
    const client = createMtcuteClient();
    try {
      await client.connect();
      const config = await client.call({ _: 'help.getConfig' });

      expect(config._).toBe('config');
      expect(config.thisDc).toBe(2);
      expect(Math.abs(config.date - Date.now() / 1000)).toBeLessThan(60);
      // The auth key lives in the in-process engine, so the handshake really went through it.
      expect(mock.engine.keys.size).toBe(keysBefore + 1);
    } finally {
      await client.destroy();
    }
  });

  it('signs in with a login code', async () => {
    await addPublicKey(new NodeCryptoProvider(), mock.engine.serverKey.publicKeyPem, false);
    const client = createMtcuteClient();
    // Dave (fixtures/default.json) has no 2FA password and the fixed login code 12345.
    const phoneNumber = '15550000004';
    try {
      await client.connect();
      const sent = await client.call({
        _: 'auth.sendCode',
        phoneNumber,
        apiId: 1,
        apiHash: 'mtmock',
        settings: { _: 'codeSettings' },
      });
      expect(sent._).toBe('auth.sentCode');
      if (sent._ !== 'auth.sentCode') return;

      const authorization = await client.call({
        _: 'auth.signIn',
        phoneNumber,
        phoneCodeHash: sent.phoneCodeHash,
        phoneCode: '12345',
      });
      expect(authorization._).toBe('auth.authorization');
      if (authorization._ !== 'auth.authorization') return;
      expect(authorization.user._).toBe('user');
      expect(authorization.user.id).toBe(1004);
    } finally {
      await client.destroy();
    }
  });
});

describe('msw adapter with a bare global WebSocket', () => {
  /** Opens a global WebSocket and resolves once it is open. */
  async function open(url: string): Promise<WebSocket> {
    const socket = new WebSocket(url, 'binary');
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`${url} failed to open`)), {
        once: true,
      });
    });
    return socket;
  }

  /** Resolves with the data of the socket's next message. */
  function nextMessage(socket: WebSocket): Promise<unknown> {
    return new Promise((resolve) =>
      socket.addEventListener('message', (event) => resolve(event.data), { once: true }),
    );
  }

  it('delivers resPQ as a Blob by default', async () => {
    const socket = await open('wss://pluto.web.telegram.org/apiws_test');
    try {
      expect(socket.protocol).toBe('binary');
      expect(socket.binaryType).toBe('blob');

      const nonce = randomBytes(16);
      const body = Buffer.alloc(20);
      body.writeUInt32LE(REQ_PQ_MULTI, 0);
      nonce.copy(body, 4);
      // An unencrypted message: auth_key_id 0, msg_id (unix time << 32), length, body.
      const message = Buffer.alloc(20 + body.length);
      message.writeBigUInt64LE(BigInt(Math.floor(Date.now() / 1000)) << 32n, 8);
      message.writeUInt32LE(body.length, 16);
      body.copy(message, 20);

      const obfuscation = createClientObfuscation('intermediate');
      const framing = createFraming('intermediate');
      const answer = nextMessage(socket);
      socket.send(obfuscation.header);
      socket.send(obfuscation.encrypt.update(framing.encode(message)));

      const data = await answer;
      expect(data).toBeInstanceOf(Blob);
      const bytes = Buffer.from(await (data as Blob).arrayBuffer());
      const [payload] = framing.push(obfuscation.decrypt.update(bytes));
      expect(payload.readBigUInt64LE(0)).toBe(0n);
      expect(payload.readUInt32LE(20)).toBe(RES_PQ);
      expect(payload.subarray(24, 40).equals(nonce)).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('closes on text at an extra URL', async () => {
    const socket = await open('wss://mtmock.test/apiws');
    const closed = new Promise<{ code: number }>((resolve) =>
      socket.addEventListener('close', (event) => resolve(event), { once: true }),
    );
    socket.send('not MTProto');
    const event = await closed;
    expect(event.code).toBe(1003);
  });
});
