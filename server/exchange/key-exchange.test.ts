import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { TlReader } from '../binary/tl-reader.js';
import { aesIgeDecrypt, aesIgeEncrypt } from '../crypto/aes-ige.js';
import { hashAuthKey } from '../crypto/auth-key.js';
import { bigintToBytes, bytesToBigint, modPowPrime, warmUpModPow } from '../crypto/mod-pow.js';
import { loadRsaKeyFile, type ServerRsaKey } from '../crypto/rsa.js';
import { DH_PRIME, DH_PRIME_BIGINT } from '../crypto/telegram-prime.js';
import { decodeObject, serialize } from '../tl/codec.js';
import { defaultRegistry } from '../tl/registry.js';
import type { TlObject } from '../tl/types.js';
import {
  KEY_EXCHANGE_TIMEOUT_MS,
  KeyExchange,
  KeyExchangeError,
  type KeyExchangeDeps,
} from './key-exchange.js';
import { deriveTmpAesKeyIv } from './nonce-derivation.js';

// A small client written in the test from the protocol description, so that the server can be
// driven through paths GramJS never takes: the legacy RSA scheme, temporary keys, dh_gen_retry
// and broken requests. GramJS's own client runs in key-exchange.gramjs.test.ts.
const require = createRequire(import.meta.url);
const bigInt = require('big-integer');
const { Factorizator } = require('telegram/crypto/Factorizator');

const view = defaultRegistry().view();
const rsaKey = loadRsaKeyFile();
const silentLog = pino({ level: 'silent' });

function sha1(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let power = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * power) % modulus;
    power = (power * power) % modulus;
  }
  return result;
}

function rsaEncryptRaw(key: ServerRsaKey, message: Buffer): Buffer {
  return bigintToBytes(modPow(bytesToBigint(message), key.e, key.n));
}

interface RsaPadOptions {
  /** Forces the first byte of the RSA plaintext (temp_key ⊕ SHA256(aes)) to 0x00. */
  leadingZero?: boolean;
  /** Replaces SHA256(temp_key ‖ data_with_padding) with another hash. */
  tamperHash?: boolean;
}

/** Client side of RSA_PAD, as the MTProto documentation describes it. */
function encryptRsaPad(key: ServerRsaKey, data: Buffer, options: RsaPadOptions = {}): Buffer {
  const dataWithPadding = Buffer.concat([data, randomBytes(192 - data.length)]);
  const reversed = Buffer.from(dataWithPadding).reverse();
  for (;;) {
    const tempKey = randomBytes(32);
    let hash = sha256(tempKey, dataWithPadding);
    if (options.tamperHash) hash = sha256(hash);
    const aesEncrypted = aesIgeEncrypt(Buffer.concat([reversed, hash]), tempKey, Buffer.alloc(32));
    const aesHash = sha256(aesEncrypted);
    const tempKeyXor = Buffer.from(tempKey.map((byte, i) => byte ^ aesHash[i]));
    const keyAesEncrypted = Buffer.concat([tempKeyXor, aesEncrypted]);
    if (options.leadingZero && keyAesEncrypted[0] !== 0) continue;
    if (bytesToBigint(keyAesEncrypted) >= key.n) continue;
    return rsaEncryptRaw(key, keyAesEncrypted);
  }
}

/** Client side of the legacy scheme, as Telethon v1 does it: SHA1(data) ‖ data ‖ random, 255 bytes. */
function encryptLegacy(key: ServerRsaKey, data: Buffer, tamperHash = false): Buffer {
  const digest = sha1(data);
  if (tamperHash) digest[19] ^= 1;
  const message = Buffer.concat([digest, data, randomBytes(235 - data.length)]);
  return rsaEncryptRaw(key, message);
}

function factorPq(pq: Buffer): { p: Buffer; q: Buffer } {
  const factors = Factorizator.factorize(bigInt(pq.toString('hex'), 16));
  const toBytes = (value: { toString(radix: number): string }) =>
    Buffer.from(value.toString(16).padStart(8, '0'), 'hex');
  const [small, large] = [factors.p, factors.q].sort((x, y) => x.compare(y));
  return { p: toBytes(small), q: toBytes(large) };
}

/** Drives one exchange from the client side, one step per method. */
class TestClient {
  readonly nonce = randomBytes(16);
  newNonce = randomBytes(32);
  resPQ!: TlObject;
  p!: Buffer;
  q!: Buffer;
  serverDhInner!: TlObject;
  serverDhInnerHash!: Buffer;
  tmp!: { key: Buffer; iv: Buffer };

  constructor(readonly exchange: KeyExchange) {}

  get serverNonce(): Buffer {
    return this.resPQ.server_nonce as Buffer;
  }

  reqPq(name = 'req_pq_multi'): TlObject {
    this.resPQ = this.exchange.handle({ _: name, nonce: this.nonce }).answer;
    ({ p: this.p, q: this.q } = factorPq(this.resPQ.pq as Buffer));
    return this.resPQ;
  }

  innerData(name = 'p_q_inner_data', extra: Record<string, unknown> = {}): Buffer {
    return serialize(
      {
        _: name,
        pq: this.resPQ.pq,
        p: this.p,
        q: this.q,
        nonce: this.nonce,
        server_nonce: this.serverNonce,
        new_nonce: this.newNonce,
        ...extra,
      },
      view,
    );
  }

  reqDhParamsRequest(encryptedData: Buffer, overrides: Record<string, unknown> = {}): TlObject {
    return {
      _: 'req_DH_params',
      nonce: this.nonce,
      server_nonce: this.serverNonce,
      p: this.p,
      q: this.q,
      public_key_fingerprint: rsaKey.fingerprint,
      encrypted_data: encryptedData,
      ...overrides,
    };
  }

  /** Sends req_DH_params and decrypts server_DH_inner_data from server_DH_params_ok. */
  reqDhParams(encryptedData: Buffer): TlObject {
    const answer = this.exchange.handle(this.reqDhParamsRequest(encryptedData)).answer;
    expect(answer._).toBe('server_DH_params_ok');
    this.tmp = deriveTmpAesKeyIv(this.newNonce, this.serverNonce);
    const plaintext = aesIgeDecrypt(answer.encrypted_answer as Buffer, this.tmp.key, this.tmp.iv);
    const reader = new TlReader(plaintext.subarray(20));
    this.serverDhInner = decodeObject(reader, view);
    this.serverDhInnerHash = sha1(plaintext.subarray(20, 20 + reader.offset));
    expect(plaintext.subarray(0, 20).equals(this.serverDhInnerHash)).toBe(true);
    expect(reader.remaining).toBeLessThan(16);
    return answer;
  }

  setClientDhRequest(gB: Buffer, retryId = 0n, tamper = false): TlObject {
    const inner = serialize(
      {
        _: 'client_DH_inner_data',
        nonce: this.nonce,
        server_nonce: this.serverNonce,
        retry_id: retryId,
        g_b: gB,
      },
      view,
    );
    const hash = sha1(inner);
    if (tamper) hash[0] ^= 1;
    const unpadded = Buffer.concat([hash, inner]);
    const padded = Buffer.concat([unpadded, randomBytes((16 - (unpadded.length % 16)) % 16)]);
    return {
      _: 'set_client_DH_params',
      nonce: this.nonce,
      server_nonce: this.serverNonce,
      encrypted_data: aesIgeEncrypt(padded, this.tmp.key, this.tmp.iv),
    };
  }

  /**
   * Picks a random b and returns g_b and the auth key this client derives from it. Unless asked
   * for one, keys that start with a zero byte are skipped: the server sends
   * dh_gen_retry for those, which only the tests of that case expect.
   */
  makeDhHalf(leadingZero = false): { gB: Buffer; authKey: Buffer } {
    for (;;) {
      const b = randomBytes(256);
      const authKey = modPowPrime(this.serverDhInner.g_a as Buffer, b);
      if ((authKey[0] === 0) === leadingZero) return { gB: modPowPrime(3n, b), authKey };
    }
  }
}

interface Harness {
  exchange: KeyExchange;
  client: TestClient;
  clock: { now: () => number; advance(ms: number): void };
}

function createHarness(overrides: Partial<KeyExchangeDeps> = {}): Harness {
  let now = 1_700_000_000_000;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const exchange = new KeyExchange({
    rsaKeys: [rsaKey],
    clock,
    isKeyIdTaken: () => false,
    log: silentLog,
    view,
    ...overrides,
  });
  return { exchange, client: new TestClient(exchange), clock };
}

function newNonceHash(newNonce: Buffer, n: number, authKey: Buffer): Buffer {
  return sha1(newNonce, Buffer.from([n]), sha1(authKey).subarray(0, 8)).subarray(4, 20);
}

beforeAll(() => {
  warmUpModPow();
});

describe('KeyExchange resPQ', () => {
  it('echoes the nonce and offers the key fingerprints', () => {
    const { client } = createHarness();
    const resPQ = client.reqPq();

    expect(resPQ._).toBe('resPQ');
    expect((resPQ.nonce as Buffer).equals(client.nonce)).toBe(true);
    expect((resPQ.server_nonce as Buffer).length).toBe(16);
    expect(resPQ.server_public_key_fingerprints).toEqual([rsaKey.fingerprint]);
    expect(bytesToBigint(client.p) * bytesToBigint(client.q)).toBe(
      bytesToBigint(resPQ.pq as Buffer),
    );
  });

  it('takes server_nonce from the injected random source', () => {
    const fixed = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const { client } = createHarness({ randomBytes: (size) => Buffer.alloc(size, fixed) });
    expect((client.reqPq().server_nonce as Buffer).equals(fixed)).toBe(true);
  });

  it('answers a repeated req_pq with the same resPQ', () => {
    const { exchange, client } = createHarness();
    const first = client.reqPq('req_pq');
    const second = exchange.handle({ _: 'req_pq', nonce: client.nonce }).answer;

    expect(second).toBe(first);
  });

  it('starts over on a req_pq_multi with a new nonce', () => {
    const { exchange, client } = createHarness();
    client.reqPq();
    const other = exchange.handle({ _: 'req_pq_multi', nonce: randomBytes(16) }).answer;

    expect((other.server_nonce as Buffer).equals(client.serverNonce)).toBe(false);
  });
});

describe('KeyExchange full runs', () => {
  it('accepts RSA_PAD whose RSA plaintext starts with 0x00', () => {
    const { client } = createHarness();
    client.reqPq();
    client.reqDhParams(encryptRsaPad(rsaKey, client.innerData(), { leadingZero: true }));

    expect(client.serverDhInner._).toBe('server_DH_inner_data');
  });

  it('fills server_DH_inner_data', () => {
    const { client, clock } = createHarness();
    client.reqPq();
    client.reqDhParams(encryptRsaPad(rsaKey, client.innerData()));
    const inner = client.serverDhInner;
    const gA = bytesToBigint(inner.g_a as Buffer);

    expect((inner.nonce as Buffer).equals(client.nonce)).toBe(true);
    expect((inner.server_nonce as Buffer).equals(client.serverNonce)).toBe(true);
    expect(inner.g).toBe(3);
    expect((inner.dh_prime as Buffer).equals(DH_PRIME)).toBe(true);
    expect((inner.g_a as Buffer).length).toBe(256);
    expect(gA >= 1n << 1984n).toBe(true);
    expect(gA <= DH_PRIME_BIGINT - (1n << 1984n)).toBe(true);
    expect(inner.server_time).toBe(Math.floor(clock.now() / 1000));
  });

  it('completes with the legacy RSA scheme and returns the key and salt', () => {
    const { client } = createHarness();
    client.reqPq();
    client.reqDhParams(encryptLegacy(rsaKey, client.innerData()));
    const { gB, authKey } = client.makeDhHalf();

    const result = client.exchange.handle(client.setClientDhRequest(gB));

    expect(result.answer._).toBe('dh_gen_ok');
    expect(
      (result.answer.new_nonce_hash1 as Buffer).equals(newNonceHash(client.newNonce, 1, authKey)),
    ).toBe(true);
    expect(result.authKey?.authKey.equals(authKey)).toBe(true);
    expect(result.authKey?.authKeyId).toBe(hashAuthKey(authKey).authKeyId);
    const saltBytes = Buffer.from(
      client.newNonce.subarray(0, 8).map((b, i) => b ^ client.serverNonce[i]),
    );
    expect(result.authKey?.serverSalt).toBe(saltBytes.readBigInt64LE(0));
  });

  it('accepts legacy data whose SHA1 starts with 0x00', () => {
    const { client } = createHarness();
    client.reqPq();
    let data = client.innerData();
    while (sha1(data)[0] !== 0) {
      client.newNonce = randomBytes(32);
      data = client.innerData();
    }
    client.reqDhParams(encryptLegacy(rsaKey, data));
    const { gB, authKey } = client.makeDhHalf();

    const result = client.exchange.handle(client.setClientDhRequest(gB));

    expect(result.authKey?.authKey.equals(authKey)).toBe(true);
  });

  it('reports dc and expires_in of p_q_inner_data_temp_dc', () => {
    const { client } = createHarness();
    client.reqPq();
    const data = client.innerData('p_q_inner_data_temp_dc', { dc: -10002, expires_in: 3600 });
    client.reqDhParams(encryptRsaPad(rsaKey, data));
    const { gB } = client.makeDhHalf();

    const { authKey } = client.exchange.handle(client.setClientDhRequest(gB));

    expect(authKey?.dcId).toBe(-10002);
    expect(authKey?.expiresIn).toBe(3600);
  });

  it('reports dc of p_q_inner_data_dc and expires_in of p_q_inner_data_temp', () => {
    for (const [name, extra, dcId, expiresIn] of [
      ['p_q_inner_data_dc', { dc: 2 }, 2, undefined],
      ['p_q_inner_data_temp', { expires_in: 60 }, undefined, 60],
    ] as const) {
      const { client } = createHarness();
      client.reqPq();
      client.reqDhParams(encryptRsaPad(rsaKey, client.innerData(name, extra)));
      const { gB } = client.makeDhHalf();

      const { authKey } = client.exchange.handle(client.setClientDhRequest(gB));

      expect(authKey?.dcId).toBe(dcId);
      expect(authKey?.expiresIn).toBe(expiresIn);
    }
  });

  it('answers a re-sent req_DH_params with the same answer', () => {
    const { exchange, client } = createHarness();
    client.reqPq();
    const request = client.reqDhParamsRequest(encryptRsaPad(rsaKey, client.innerData()));

    const first = exchange.handle(request).answer;
    const second = exchange.handle(request).answer;

    expect(second).toBe(first);
  });
});

describe('KeyExchange dh_gen_retry and dh_gen_fail', () => {
  it('sends dh_gen_retry on a key id collision, then accepts the retry', () => {
    const takenIds: bigint[] = [];
    const { client } = createHarness({
      isKeyIdTaken: (id) => {
        takenIds.push(id);
        return takenIds.length === 1;
      },
    });
    client.reqPq();
    client.reqDhParams(encryptRsaPad(rsaKey, client.innerData()));
    const first = client.makeDhHalf();

    const retry = client.exchange.handle(client.setClientDhRequest(first.gB));

    expect(retry.answer._).toBe('dh_gen_retry');
    expect(retry.authKey).toBeUndefined();
    expect(
      (retry.answer.new_nonce_hash2 as Buffer).equals(
        newNonceHash(client.newNonce, 2, first.authKey),
      ),
    ).toBe(true);

    const second = client.makeDhHalf();
    const retryId = sha1(first.authKey).readBigInt64LE(0);
    const ok = client.exchange.handle(client.setClientDhRequest(second.gB, retryId));

    expect(ok.answer._).toBe('dh_gen_ok');
    expect(ok.authKey?.authKey.equals(second.authKey)).toBe(true);
    expect(takenIds).toEqual([hashAuthKey(first.authKey).authKeyId, ok.authKey?.authKeyId]);
  });

  it('retries a key with a leading zero', () => {
    const { client } = createHarness();
    client.reqPq();
    client.reqDhParams(encryptRsaPad(rsaKey, client.innerData()));
    const first = client.makeDhHalf(true);

    const retry = client.exchange.handle(client.setClientDhRequest(first.gB));

    // GramJS, mtcute, @mtproto/core and Telethon hash the key without its leading zero bytes.
    let start = 0;
    while (first.authKey[start] === 0) start++;
    const minimalKey = first.authKey.subarray(start);
    expect(retry.answer._).toBe('dh_gen_retry');
    expect(retry.authKey).toBeUndefined();
    expect(
      (retry.answer.new_nonce_hash2 as Buffer).equals(newNonceHash(client.newNonce, 2, minimalKey)),
    ).toBe(true);

    const second = client.makeDhHalf();
    const retryId = sha1(minimalKey).readBigInt64LE(0);
    const ok = client.exchange.handle(client.setClientDhRequest(second.gB, retryId));
    expect(ok.answer._).toBe('dh_gen_ok');
    expect(ok.authKey?.authKey.equals(second.authKey)).toBe(true);
  });

  it('accepts the padded key aux hash as retry_id after a leading-zero retry', () => {
    const { client } = createHarness();
    client.reqPq();
    client.reqDhParams(encryptRsaPad(rsaKey, client.innerData()));
    const first = client.makeDhHalf(true);
    expect(client.exchange.handle(client.setClientDhRequest(first.gB)).answer._).toBe(
      'dh_gen_retry',
    );

    const retryId = sha1(first.authKey).readBigInt64LE(0);
    const second = client.makeDhHalf();
    const ok = client.exchange.handle(client.setClientDhRequest(second.gB, retryId));
    expect(ok.answer._).toBe('dh_gen_ok');
  });

  it('rejects a retry that carries retry_id 0', () => {
    let calls = 0;
    const { client } = createHarness({ isKeyIdTaken: () => ++calls === 1 });
    client.reqPq();
    client.reqDhParams(encryptRsaPad(rsaKey, client.innerData()));
    client.exchange.handle(client.setClientDhRequest(client.makeDhHalf().gB));

    expect(() =>
      client.exchange.handle(client.setClientDhRequest(client.makeDhHalf().gB, 0n)),
    ).toThrow(/retry_id is 0; expected -?\d+/);
  });

  it('rejects a nonzero retry_id on the first attempt', () => {
    const { client } = createHarness();
    client.reqPq();
    client.reqDhParams(encryptRsaPad(rsaKey, client.innerData()));

    expect(() =>
      client.exchange.handle(client.setClientDhRequest(client.makeDhHalf().gB, 5n)),
    ).toThrow(/retry_id is 5; expected 0/);
  });

  it('gives up after repeated collisions', () => {
    const { client } = createHarness({ isKeyIdTaken: () => true });
    client.reqPq();
    client.reqDhParams(encryptRsaPad(rsaKey, client.innerData()));
    let retryId = 0n;
    const run = () => {
      const half = client.makeDhHalf();
      const { answer } = client.exchange.handle(client.setClientDhRequest(half.gB, retryId));
      retryId = sha1(half.authKey).readBigInt64LE(0);
      return answer._;
    };

    for (let i = 0; i < 5; i++) expect(run()).toBe('dh_gen_retry');
    expect(run).toThrow(/collided with an existing key 6 times/);
  });

  it('sends dh_gen_fail for g_b = 1 with the hash of the trivial key', () => {
    const { client } = createHarness();
    client.reqPq();
    client.reqDhParams(encryptRsaPad(rsaKey, client.innerData()));

    const { answer, authKey } = client.exchange.handle(client.setClientDhRequest(Buffer.from([1])));

    expect(answer._).toBe('dh_gen_fail');
    expect(authKey).toBeUndefined();
    const trivialKey = bigintToBytes(1n);
    expect(
      (answer.new_nonce_hash3 as Buffer).equals(newNonceHash(client.newNonce, 3, trivialKey)),
    ).toBe(true);
  });

  it('sends dh_gen_fail for g_b outside [2^1984, p - 2^1984] and ends the exchange', () => {
    const outOfRange = [
      2n,
      (1n << 1984n) - 1n,
      DH_PRIME_BIGINT - (1n << 1984n) + 1n,
      DH_PRIME_BIGINT - 1n,
      DH_PRIME_BIGINT,
      (1n << 2048n) - 1n,
    ];
    for (const value of outOfRange) {
      const { client } = createHarness();
      client.reqPq();
      client.reqDhParams(encryptRsaPad(rsaKey, client.innerData()));
      const request = client.setClientDhRequest(bigintToBytes(value));

      expect(client.exchange.handle(request).answer._).toBe('dh_gen_fail');
      expect(() => client.exchange.handle(request)).toThrow(/before server_DH_params_ok/);
    }
  });

  it('accepts g_b at both ends of the safe range', () => {
    for (const value of [1n << 1984n, DH_PRIME_BIGINT - (1n << 1984n)]) {
      const { client } = createHarness();
      client.reqPq();
      client.reqDhParams(encryptRsaPad(rsaKey, client.innerData()));

      const { answer } = client.exchange.handle(client.setClientDhRequest(bigintToBytes(value)));

      expect(answer._).toBe('dh_gen_ok');
    }
  });
});

describe('KeyExchange failures', () => {
  function afterResPq(overrides: Partial<KeyExchangeDeps> = {}): Harness {
    const harness = createHarness(overrides);
    harness.client.reqPq();
    return harness;
  }

  function afterDhParams(): Harness {
    const harness = afterResPq();
    harness.client.reqDhParams(encryptRsaPad(rsaKey, harness.client.innerData()));
    return harness;
  }

  it('rejects req_DH_params with another nonce', () => {
    const { exchange, client } = afterResPq();
    const data = encryptRsaPad(rsaKey, client.innerData());

    expect(() =>
      exchange.handle(client.reqDhParamsRequest(data, { nonce: randomBytes(16) })),
    ).toThrow(/req_DH_params\.nonce differs/);
  });

  it('rejects req_DH_params with another server_nonce', () => {
    const { exchange, client } = afterResPq();
    const data = encryptRsaPad(rsaKey, client.innerData());
    const request = client.reqDhParamsRequest(data, { server_nonce: randomBytes(16) });

    expect(() => exchange.handle(request)).toThrow(/req_DH_params\.server_nonce differs/);
  });

  it('rejects a fingerprint resPQ did not offer', () => {
    const { exchange, client } = afterResPq();
    const data = encryptRsaPad(rsaKey, client.innerData());
    const request = client.reqDhParamsRequest(data, { public_key_fingerprint: 12345n });

    expect(() => exchange.handle(request)).toThrow(
      new RegExp(`fingerprint 3039 is not one that resPQ offered \\(${rsaKey.fingerprintHex}\\)`),
    );
  });

  it('rejects p and q in the wrong order', () => {
    const { exchange, client } = afterResPq();
    const data = encryptRsaPad(rsaKey, client.innerData());
    const request = client.reqDhParamsRequest(data, { p: client.q, q: client.p });

    expect(() => exchange.handle(request)).toThrow(/p must be the smaller factor/);
  });

  it('rejects p with a leading zero byte', () => {
    const { exchange, client } = afterResPq();
    const data = encryptRsaPad(rsaKey, client.innerData());
    const request = client.reqDhParamsRequest(data, {
      p: Buffer.concat([Buffer.alloc(1), client.p]),
    });

    expect(() => exchange.handle(request)).toThrow(/big-endian without leading zero bytes/);
  });

  it('rejects p and q that are not the factors', () => {
    const { exchange, client } = afterResPq();
    const data = encryptRsaPad(rsaKey, client.innerData());
    const request = client.reqDhParamsRequest(data, { p: Buffer.from([0, 0, 0, 7]) });

    expect(() => exchange.handle(request)).toThrow(/they are not the prime factors of pq/);
  });

  it('rejects RSA_PAD data with a wrong SHA256', () => {
    const { exchange, client } = afterResPq();
    const data = encryptRsaPad(rsaKey, client.innerData(), { tamperHash: true });

    expect(() => exchange.handle(client.reqDhParamsRequest(data))).toThrow(
      /fails both the RSA_PAD SHA256 check and the legacy SHA1 check/,
    );
  });

  it('rejects legacy data with a wrong SHA1', () => {
    const { exchange, client } = afterResPq();
    const data = encryptLegacy(rsaKey, client.innerData(), true);

    expect(() => exchange.handle(client.reqDhParamsRequest(data))).toThrow(
      /fails both the RSA_PAD SHA256 check and the legacy SHA1 check/,
    );
  });

  it('rejects encrypted_data that is not below the modulus', () => {
    const { exchange, client } = afterResPq();
    const request = client.reqDhParamsRequest(Buffer.alloc(256, 0xff));

    expect(() => exchange.handle(request)).toThrow(/not below the modulus/);
  });

  it('rejects encrypted_data that is not 256 bytes', () => {
    const { exchange, client } = afterResPq();
    const request = client.reqDhParamsRequest(randomBytes(255));

    expect(() => exchange.handle(request)).toThrow(/255 bytes; expected exactly 256/);
  });

  it('rejects inner data whose fields differ from the request', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ nonce: randomBytes(16) }, /p_q_inner_data\.nonce differs/],
      [{ server_nonce: randomBytes(16) }, /p_q_inner_data\.server_nonce differs/],
      [{ pq: Buffer.from('17ed48941a08f981', 'hex') }, /p_q_inner_data\.pq differs/],
    ];
    for (const [extra, message] of cases) {
      const { exchange, client } = afterResPq();
      const data = encryptRsaPad(rsaKey, client.innerData('p_q_inner_data', extra));

      expect(() => exchange.handle(client.reqDhParamsRequest(data))).toThrow(message);
    }
  });

  it('rejects inner data of another type', () => {
    const { exchange, client } = afterResPq();
    const other = serialize({ _: 'req_pq_multi', nonce: client.nonce }, view);

    expect(() => exchange.handle(client.reqDhParamsRequest(encryptRsaPad(rsaKey, other)))).toThrow(
      /encrypted_data contains req_pq_multi/,
    );
  });

  it('rejects a temporary key without a positive lifetime', () => {
    const { exchange, client } = afterResPq();
    const data = encryptRsaPad(rsaKey, client.innerData('p_q_inner_data_temp', { expires_in: 0 }));

    expect(() => exchange.handle(client.reqDhParamsRequest(data))).toThrow(
      /expires_in is 0; a temporary key needs a positive lifetime/,
    );
  });

  it('rejects set_client_DH_params with a wrong SHA1', () => {
    const { exchange, client } = afterDhParams();
    const request = client.setClientDhRequest(client.makeDhHalf().gB, 0n, true);

    expect(() => exchange.handle(request)).toThrow(/SHA1 of client_DH_inner_data does not match/);
  });

  it('rejects set_client_DH_params encrypted with other keys', () => {
    const { exchange, client } = afterDhParams();
    client.tmp = { key: randomBytes(32), iv: randomBytes(32) };
    const request = client.setClientDhRequest(client.makeDhHalf().gB);

    expect(() => exchange.handle(request)).toThrow(KeyExchangeError);
  });

  it('rejects set_client_DH_params with another nonce', () => {
    const { exchange, client } = afterDhParams();
    const request = {
      ...client.setClientDhRequest(client.makeDhHalf().gB),
      nonce: randomBytes(16),
    };

    expect(() => exchange.handle(request)).toThrow(/set_client_DH_params\.nonce differs/);
  });

  it('rejects steps out of order', () => {
    const { exchange, client } = createHarness();
    const setClient = {
      _: 'set_client_DH_params',
      nonce: client.nonce,
      server_nonce: randomBytes(16),
      encrypted_data: randomBytes(48),
    };
    expect(() => exchange.handle(setClient)).toThrow(/before server_DH_params_ok/);

    const reqDh = { _: 'req_DH_params', nonce: client.nonce, encrypted_data: randomBytes(256) };
    expect(() => exchange.handle(reqDh)).toThrow(/req_DH_params arrived before resPQ/);

    expect(() => exchange.handle({ _: 'ping', ping_id: 1n })).toThrow(
      /ping is not a key-exchange request/,
    );
  });

  it('rejects a second req_DH_params with other data', () => {
    const { exchange, client } = afterDhParams();
    const request = client.reqDhParamsRequest(encryptRsaPad(rsaKey, client.innerData()));

    expect(() => exchange.handle(request)).toThrow(/arrived again with different encrypted_data/);
  });

  it('forgets the exchange after a failure', () => {
    const { exchange, client } = afterResPq();
    const good = client.reqDhParamsRequest(encryptRsaPad(rsaKey, client.innerData()));
    expect(() => exchange.handle({ ...good, nonce: randomBytes(16) })).toThrow(KeyExchangeError);

    expect(() => exchange.handle(good)).toThrow(/before resPQ/);
  });

  it('times out after resPQ', () => {
    const { exchange, client, clock } = afterResPq();
    clock.advance(KEY_EXCHANGE_TIMEOUT_MS + 1);
    const request = client.reqDhParamsRequest(encryptRsaPad(rsaKey, client.innerData()));

    expect(() => exchange.handle(request)).toThrow(/timed out, start again with req_pq_multi/);
  });
});

describe('KeyExchange.isPending', () => {
  it('is true from resPQ until the exchange ends', () => {
    expect(createHarness().exchange.isPending).toBe(false);
    const finished = afterResPqHarness();
    const failed = afterResPqHarness();
    const timedOut = afterResPqHarness();
    expect(finished.exchange.isPending).toBe(true);
    expect(failed.exchange.isPending).toBe(true);
    expect(timedOut.exchange.isPending).toBe(true);

    finished.client.reqDhParams(encryptRsaPad(rsaKey, finished.client.innerData()));
    expect(finished.exchange.isPending).toBe(true);
    finished.exchange.handle(finished.client.setClientDhRequest(finished.client.makeDhHalf().gB));
    expect(finished.exchange.isPending).toBe(false);

    expect(() => failed.exchange.handle({ _: 'ping', ping_id: 1n })).toThrow(KeyExchangeError);
    expect(failed.exchange.isPending).toBe(false);

    timedOut.clock.advance(KEY_EXCHANGE_TIMEOUT_MS + 1);
    expect(timedOut.exchange.isPending).toBe(false);
  });

  function afterResPqHarness(): Harness {
    const harness = createHarness();
    harness.client.reqPq();
    return harness;
  }
});
