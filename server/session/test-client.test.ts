import { checkPrimeSync, createPublicKey, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashAuthKey } from '../crypto/auth-key.js';
import { MessageDecryptError } from '../crypto/message-key.js';
import { loadRsaKeyFile } from '../crypto/rsa.js';
import { decryptInnerData } from '../exchange/rsa-inner-data.js';
import { serialize } from '../tl/codec.js';
import { defaultRegistry } from '../tl/registry.js';
import { openMessage, sealMessage, ShortPacketError } from './encrypted-message.js';
import { openServerMessage, sealClientMessage } from '../../test-support/client-messages.js';
import { clientMsgIdAt, ClientMsgIds } from '../../test-support/client-msg-ids.js';
import type { ClientFramingName } from '../../test-support/client-transport.js';
import { factorPq } from '../../test-support/pq-factor.js';
import { encryptRsaPad, loadClientRsaKey } from '../../test-support/rsa-pad.js';
import { useMockServer } from '../../test-support/use-mock-server.js';

// Tests of the test client itself: each piece against an independent implementation (the
// server's, or GramJS's key table), then whole connections against the running mock.
const require = createRequire(import.meta.url);
const view = defaultRegistry().view();

function nextPrime(start: bigint): bigint {
  let candidate = start;
  while (!checkPrimeSync(candidate)) candidate += 1n;
  return candidate;
}

describe('factorPq', () => {
  it('splits products of two 31-bit primes', () => {
    const factor = fc.integer({ min: 2 ** 30, max: 2 ** 31 - 1 }).map((n) => nextPrime(BigInt(n)));
    fc.assert(
      fc.property(factor, factor, (a, b) => {
        fc.pre(a !== b);
        const expected = a < b ? { p: a, q: b } : { p: b, q: a };
        expect(factorPq(a * b)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('splits the auth key docs example', () => {
    expect(factorPq(0x17ed48941a08f981n)).toEqual({ p: 0x494c553bn, q: 0x53911073n });
  });

  it('rejects a prime', () => {
    expect(() => factorPq(1_000_003n)).toThrow(/found no factor/);
  });
});

describe('loadClientRsaKey', () => {
  const gramJsKeys: Map<string, { n: { toString(radix: number): string } }> =
    require('telegram/crypto/RSA')._serverKeys;

  it.each([...gramJsKeys.keys()])('computes GramJS fingerprint %s', (listed) => {
    const hexModulus = gramJsKeys.get(listed)!.n.toString(16);
    const n = Buffer.from(
      hexModulus.padStart(hexModulus.length + (hexModulus.length % 2), '0'),
      'hex',
    );
    const pem = createPublicKey({
      key: { kty: 'RSA', n: n.toString('base64url'), e: 'AQAB' },
      format: 'jwk',
    }).export({ type: 'pkcs1', format: 'pem' });
    expect(loadClientRsaKey(pem.toString()).fingerprint).toBe(BigInt(listed));
  });
});

describe('encryptRsaPad', () => {
  const serverKey = loadRsaKeyFile();
  const clientKey = loadClientRsaKey(serverKey.publicKeyPem);

  it('matches the server key fingerprint', () => {
    expect(clientKey.fingerprint).toBe(serverKey.fingerprint);
  });

  it('encrypts what the server decrypts', () => {
    const inner = {
      _: 'p_q_inner_data_dc',
      pq: Buffer.from('17ed48941a08f981', 'hex'),
      p: Buffer.from('494c553b', 'hex'),
      q: Buffer.from('53911073', 'hex'),
      nonce: randomBytes(16),
      server_nonce: randomBytes(16),
      new_nonce: randomBytes(32),
      dc: 2,
    };
    const encrypted = encryptRsaPad(clientKey, serialize(inner, view));

    expect(encrypted).toHaveLength(256);
    const decrypted = decryptInnerData(serverKey, encrypted, view);
    expect(decrypted.scheme).toBe('RSA_PAD');
    expect(decrypted.inner).toEqual(inner);
  });

  it('rejects data longer than 144 bytes', () => {
    expect(() => encryptRsaPad(clientKey, Buffer.alloc(145))).toThrow(/at most 144 bytes/);
  });
});

describe('client message encryption', () => {
  const authKey = randomBytes(256);
  const { authKeyId } = hashAuthKey(authKey);
  const fields = {
    salt: -5n,
    sessionId: 0x1122334455667788n,
    msgId: clientMsgIdAt(1_700_000_000_250),
    seqNo: 7,
    body: serialize({ _: 'ping', ping_id: 99n }, view),
  };

  it('seals messages that the server opens', () => {
    const packet = sealClientMessage(authKey, authKeyId, fields);
    expect(openMessage(authKey, packet)).toEqual(fields);
  });

  it.each([24, 25, 39])('rejects a %i-byte packet naming its length', (length) => {
    expect(() => openMessage(authKey, randomBytes(length))).toThrow(ShortPacketError);
    expect(() => openMessage(authKey, randomBytes(length))).toThrow(
      `encrypted packet of ${length} bytes is too short`,
    );
  });

  it('opens messages that the server seals', () => {
    const packet = sealMessage(authKey, authKeyId, { ...fields, msgId: fields.msgId | 1n });
    expect(openServerMessage(authKey, authKeyId, packet)).toEqual({
      ...fields,
      msgId: fields.msgId | 1n,
    });
  });

  it('rejects the client direction', () => {
    const packet = sealClientMessage(authKey, authKeyId, fields);
    expect(() => openServerMessage(authKey, authKeyId, packet)).toThrow(MessageDecryptError);
  });

  it('rejects another auth_key_id', () => {
    const packet = sealMessage(authKey, authKeyId + 1n, fields);
    expect(() => openServerMessage(authKey, authKeyId, packet)).toThrow(/auth_key_id/);
  });
});

describe('ClientMsgIds', () => {
  it('increases while the clock stands still', () => {
    const ids = new ClientMsgIds({ now: () => 1_700_000_000_000 });
    let previous = 0n;
    for (let i = 0; i < 50; i++) {
      const msgId = ids.next();
      expect(msgId % 4n).toBe(0n);
      expect(msgId).toBeGreaterThan(previous);
      previous = msgId;
    }
  });

  it('puts Unix time in the high bits', () => {
    expect(clientMsgIdAt(1_700_000_000_500) >> 32n).toBe(1_700_000_000n);
    expect(clientMsgIdAt(1_700_000_000_000) & 0xffffffffn).not.toBe(0n);
  });
});

describe('MtprotoClient against the mock', () => {
  const mock = useMockServer();
  const framings: ClientFramingName[] = ['intermediate', 'abridged', 'full'];

  it.each(framings)('creates a stored key over %s', async (framing) => {
    const before = Math.floor(Date.now() / 1000);
    const client = await mock.connect({ framing });
    const after = Math.ceil(Date.now() / 1000);

    const record = mock.server.keys.get(client.authKey.authKeyId);
    expect(record?.authKey.equals(client.authKey.authKey)).toBe(true);
    expect(record?.expiresAt).toBeUndefined();
    expect(record?.salts.isValid(client.authKey.serverSalt)).toBe(true);
    expect(client.authKey.serverTime).toBeGreaterThanOrEqual(before);
    expect(client.authKey.serverTime).toBeLessThanOrEqual(after);
    expect(await client.invoke({ _: 'help.getNearestDc' })).toMatchObject({
      _: 'nearestDc',
      this_dc: 2,
    });
  });

  it('creates a temporary key with expiresIn', async () => {
    const client = await mock.connect({ expiresIn: 3600 });
    const record = mock.server.keys.get(client.authKey.authKeyId);
    expect(record).toBeDefined();
    expect(record!.expiresAt! - record!.createdAt).toBe(3_600_000);
  });

  it('reuses an auth key on a second connection', async () => {
    const first = await mock.connect();
    const keyCount = mock.server.keys.size;
    const second = await mock.connect({ authKey: first.authKey });

    expect(mock.server.keys.size).toBe(keyCount);
    expect(await second.invoke({ _: 'help.getNearestDc' })).toMatchObject({ _: 'nearestDc' });
  });

  it('invoke follows bad_server_salt', async () => {
    const client = await mock.connect();
    client.salt = 0n;

    expect(await client.invoke({ _: 'help.getNearestDc' })).toMatchObject({ _: 'nearestDc' });
    const badSalt = client.history.find((message) => message.object._ === 'bad_server_salt');
    expect(badSalt?.object.new_server_salt).toBe(client.salt);
    expect(client.salt).not.toBe(0n);
  });
});
