import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { warmUpModPow } from '../crypto/mod-pow.js';
import { loadRsaKeyFile } from '../crypto/rsa.js';
import { deserialize, serialize } from '../tl/codec.js';
import { defaultRegistry } from '../tl/registry.js';
import { KeyExchange, type KeyExchangeResult, type NewAuthKey } from './key-exchange.js';

// The real GramJS 2.26.22 client: its doAuthentication runs the whole client side of the
// exchange (RSA_PAD, p_q_inner_data, DH) against our KeyExchange through a fake sender.
const require = createRequire(import.meta.url);
const bigInt = require('big-integer');
const { doAuthentication } = require('telegram/network/Authenticator');
const { BinaryReader } = require('telegram/extensions');
const { _serverKeys } = require('telegram/crypto/RSA') as { _serverKeys: Map<string, unknown> };

interface GramJsRequest {
  className: string;
  getBytes(): Buffer;
}

interface GramJsAuthResult {
  authKey: { getKey(): Buffer; keyId: { toString(): string } };
  timeOffset: number;
}

const rsaKey = loadRsaKeyFile();
const view = defaultRegistry().view();
const clock: Clock = { now: () => Date.now() };

function createCapturingLogger() {
  const records: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      records.push(JSON.parse(chunk.toString()));
      callback();
    },
  });
  return { log: pino({ level: 'debug' }, stream), records };
}

/** Creates a GramJS sender whose send() passes each request through our codec to KeyExchange. */
function createFakeSender(exchange: KeyExchange, onResult: (result: KeyExchangeResult) => void) {
  return {
    cpuMicros: 0,
    async send(request: GramJsRequest) {
      const start = process.cpuUsage();
      const decoded = deserialize(request.getBytes(), view);
      const result = exchange.handle(decoded);
      const answerBytes = serialize(result.answer, view);
      const used = process.cpuUsage(start);
      this.cpuMicros += used.user + used.system;
      onResult(result);
      return new BinaryReader(answerBytes).tgReadObject();
    },
  };
}

const gramJsLog = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(() => {
  warmUpModPow();
  _serverKeys.set(rsaKey.fingerprintDecimal, { n: bigInt(rsaKey.n.toString()), e: 65537 });
});

afterAll(() => {
  _serverKeys.delete(rsaKey.fingerprintDecimal);
});

interface ExchangeRun {
  serverKey: NewAuthKey;
  clientResult: GramJsAuthResult;
  records: Array<Record<string, unknown>>;
  /** Server CPU time for decoding, handling and encoding the three requests, in microseconds. */
  cpuMicros: number;
}

/**
 * Runs GramJS's doAuthentication against a new KeyExchange. When the padded key starts with 0x00
 * (1 run in 256), the server sends dh_gen_retry, which GramJS 2.26.22 treats as a failure, so
 * such a run is repeated.
 */
async function runGramJsExchange(): Promise<ExchangeRun & { exchange: KeyExchange }> {
  for (let attempt = 1; ; attempt++) {
    const { log, records } = createCapturingLogger();
    let serverKey: NewAuthKey | undefined;
    let sawRetry = false;
    const exchange = new KeyExchange({ rsaKeys: [rsaKey], clock, isKeyIdTaken: () => false, log });
    const sender = createFakeSender(exchange, (result) => {
      serverKey ??= result.authKey;
      sawRetry ||= result.answer._ === 'dh_gen_retry';
    });
    try {
      const clientResult: GramJsAuthResult = await doAuthentication(sender, gramJsLog);
      if (serverKey === undefined) throw new Error('GramJS finished but the server sent no key');
      return { serverKey, clientResult, records, cpuMicros: sender.cpuMicros, exchange };
    } catch (error) {
      if (!sawRetry || attempt >= 5) throw error;
    }
  }
}

describe('KeyExchange with the GramJS client', () => {
  it('creates the same auth key as GramJS', async () => {
    const { serverKey, clientResult, records, exchange } = await runGramJsExchange();

    const clientKey = clientResult.authKey.getKey();
    expect(clientKey.length).toBe(256);
    expect(clientKey.toString('hex')).toBe(serverKey.authKey.toString('hex'));
    expect(BigInt.asIntN(64, BigInt(clientResult.authKey.keyId.toString()))).toBe(
      serverKey.authKeyId,
    );
    expect(serverKey.expiresIn).toBeUndefined();
    expect(serverKey.dcId).toBeUndefined();
    expect(Math.abs(clientResult.timeOffset)).toBeLessThanOrEqual(1);

    const dhParamsLog = records.find((r) => r.msg === 'key exchange: sent server_DH_params_ok');
    expect(dhParamsLog?.scheme).toBe('RSA_PAD');
    expect(dhParamsLog?.innerData).toBe('p_q_inner_data');
    expect(exchange.isPending).toBe(false);
  });

  it('completes repeated exchanges with distinct keys', async () => {
    const keyIds = new Set<bigint>();
    const cpuMillis: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { serverKey, clientResult, cpuMicros } = await runGramJsExchange();
      expect(clientResult.authKey.getKey().equals(serverKey.authKey)).toBe(true);
      keyIds.add(serverKey.authKeyId);
      cpuMillis.push((cpuMicros / 1000).toFixed(1));
    }
    expect(keyIds.size).toBe(5);
    // Measured, not asserted: the server's CPU time per exchange for decoding, handling and
    // encoding the three requests. The first run includes loading the TL schema.
    console.log(`server CPU time per key exchange, ms: ${cpuMillis.join(', ')}`);
  });

  it('rejects GramJS when the client has another key for the fingerprint', async () => {
    const exchange = new KeyExchange({
      rsaKeys: [rsaKey],
      clock,
      isKeyIdTaken: () => false,
      log: pino({ level: 'silent' }),
    });
    const sender = createFakeSender(exchange, () => {});
    // A different modulus under our fingerprint: GramJS encrypts for the wrong key.
    const otherN = bigInt(rsaKey.n.toString()).subtract(2);
    _serverKeys.set(rsaKey.fingerprintDecimal, { n: otherN, e: 65537 });
    try {
      await expect(doAuthentication(sender, gramJsLog)).rejects.toThrow(
        /fails both the RSA_PAD SHA256 check and the legacy SHA1 check|not below the modulus/,
      );
    } finally {
      _serverKeys.set(rsaKey.fingerprintDecimal, { n: bigInt(rsaKey.n.toString()), e: 65537 });
    }
  });
});
