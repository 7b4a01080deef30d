// GramJS's connection modules import each other in a cycle that only loading the root settles.
import 'telegram';
import { createCipheriv, randomBytes } from 'node:crypto';
import { ConnectionTCPObfuscated } from 'telegram/network/connection/TCPObfuscated.js';
import { Logger, LogLevel } from 'telegram/extensions/Logger.js';
import { describe, expect, it } from 'vitest';
import type { FramingName } from './framing.js';
import { OBFUSCATED2_HEADER_LENGTH, Obfuscated2 } from './obfuscated2.js';
import { TransportError } from './transport-error.js';

// Computed with Python `cryptography` 48 (AES-256-CTR): init bytes 1..64 with tag eeeeeeee at
// 56..60, the client's intermediate frame for payload 00..07, and the server's frame for deadbeef.
const GOLDEN_HEADER =
  '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20' +
  '2122232425262728292a2b2c2d2e2f30313233343536373833bd9484cec54e3a';
const GOLDEN_CLIENT_FRAME = 'd5004d2a9d4becdf389ce9fd';
const GOLDEN_SERVER_FRAME = 'fc8d187a34bb79a0';

const TAGS: Array<[FramingName, string]> = [
  ['abridged', 'efefefef'],
  ['intermediate', 'eeeeeeee'],
  ['padded-intermediate', 'dddddddd'],
];

interface GramjsObfuscation {
  header: Buffer;
  _encrypt: { encrypt(data: Buffer): Buffer };
  _decrypt: { encrypt(data: Buffer): Buffer };
  initHeader(): Promise<void>;
}

/** Builds a client header with GramJS's own ObfuscatedIO, given any 4-byte tag. */
async function gramjsObfuscation(tag: string): Promise<GramjsObfuscation> {
  class UnusedSocket {}
  const connection = new ConnectionTCPObfuscated({
    ip: '127.0.0.1',
    port: 1,
    dcId: 2,
    loggers: new Logger(LogLevel.NONE),
    socket: UnusedSocket as never,
    testServers: false,
  });
  const ObfuscatedIO = connection.ObfuscatedIO as unknown as new (
    connection: unknown,
  ) => GramjsObfuscation;
  const io = new ObfuscatedIO({
    socket: new UnusedSocket(),
    PacketCodecClass: { obfuscateTag: Buffer.from(tag, 'hex') },
  });
  await io.initHeader();
  return io;
}

/** Builds a client header step by step: random init, tag at 56, encrypted tail. */
function manualHeader(tag: string): { header: Buffer; encrypt(data: Buffer): Buffer } {
  const init = randomBytes(64);
  init[0] = 0x01; // keeps the header clear of every other transport's first bytes
  init.writeUInt32LE(1, 4);
  Buffer.from(tag, 'hex').copy(init, 56);
  const cipher = createCipheriv('aes-256-ctr', init.subarray(8, 40), init.subarray(40, 56));
  const encrypted = cipher.update(init);
  return {
    header: Buffer.concat([init.subarray(0, 56), encrypted.subarray(56)]),
    encrypt: (data) => cipher.update(data),
  };
}

describe('Obfuscated2', () => {
  it('matches the Python golden vector in both directions', () => {
    const obfuscation = Obfuscated2.fromHeader(Buffer.from(GOLDEN_HEADER, 'hex'));
    expect(obfuscation.framing).toBe('intermediate');
    const clientFrame = obfuscation.decrypt(Buffer.from(GOLDEN_CLIENT_FRAME, 'hex'));
    expect(clientFrame.toString('hex')).toBe('080000000001020304050607');
    const serverFrame = obfuscation.encrypt(Buffer.from('04000000deadbeef', 'hex'));
    expect(serverFrame.toString('hex')).toBe(GOLDEN_SERVER_FRAME);
  });

  it.each(TAGS)('reads the %s tag from a GramJS header', async (framing, tag) => {
    const client = await gramjsObfuscation(tag);
    expect(client.header.length).toBe(OBFUSCATED2_HEADER_LENGTH);
    expect(Obfuscated2.fromHeader(client.header).framing).toBe(framing);
  });

  it.each(TAGS)('reads the %s tag from a hand-built header', (framing, tag) => {
    expect(Obfuscated2.fromHeader(manualHeader(tag).header).framing).toBe(framing);
  });

  it('continues the client stream across chunks', async () => {
    const client = await gramjsObfuscation('efefefef');
    const server = Obfuscated2.fromHeader(client.header);
    const chunks = [randomBytes(1), randomBytes(15), randomBytes(17), randomBytes(1000)];
    for (const chunk of chunks) {
      expect(server.decrypt(client._encrypt.encrypt(chunk)).equals(chunk)).toBe(true);
    }
  });

  it('produces a server stream that GramJS decrypts', async () => {
    const client = await gramjsObfuscation('efefefef');
    const server = Obfuscated2.fromHeader(client.header);
    const chunks = [randomBytes(5), randomBytes(16), randomBytes(333)];
    for (const chunk of chunks) {
      expect(client._decrypt.encrypt(server.encrypt(chunk)).equals(chunk)).toBe(true);
    }
  });

  it('rejects an unknown inner tag', () => {
    try {
      Obfuscated2.fromHeader(manualHeader('01020304').header);
      expect.unreachable('fromHeader should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe(-404);
      expect((error as Error).message).toContain('unknown protocol tag 01020304');
    }
  });

  it('rejects a header of the wrong length', () => {
    expect(() => Obfuscated2.fromHeader(randomBytes(63))).toThrow(RangeError);
  });
});
