import { constants, createPrivateKey, privateDecrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { systemClock } from '../server/clock.js';
import {
  bytesToBigint,
  modPowPrime,
  powGenerator,
  warmUpModPow,
} from '../server/crypto/mod-pow.js';
import { loadRsaKeyFile } from '../server/crypto/rsa.js';
import { DH_PRIME_BIGINT } from '../server/crypto/telegram-prime.js';
import { KeyExchange } from '../server/exchange/key-exchange.js';
import { warmUpPqPrimes } from '../server/exchange/pq.js';
import { openPlainMessage, sealPlainMessage } from '../server/session/encrypted-message.js';
import { deserialize, serialize } from '../server/tl/codec.js';
import { defaultRegistry } from '../server/tl/registry.js';
import { exchangeAuthKey } from '../test-support/client-key-exchange.js';
import type { ClientTransport } from '../test-support/client-transport.js';

const EXCHANGES = 100;
const view = defaultRegistry().view();

/**
 * A stand-in for ClientTransport that hands each request straight to a KeyExchange and adds up
 * the time of the server's synchronous work: decode, handle, encode.
 */
class InProcessTransport {
  serverMs = 0;
  private readonly responses: Buffer[] = [];
  private msgId = 1n << 62n;

  constructor(private readonly exchange: KeyExchange) {}

  send(payload: Buffer): void {
    const started = performance.now();
    const request = deserialize(openPlainMessage(payload).body, view);
    const { answer } = this.exchange.handle(request);
    this.msgId += 4n;
    this.responses.push(sealPlainMessage(this.msgId + 1n, serialize(answer, view)));
    this.serverMs += performance.now() - started;
  }

  receive(): Promise<Buffer> {
    const response = this.responses.shift();
    if (response === undefined) throw new Error('the exchange sent no response');
    return Promise.resolve(response);
  }
}

/**
 * Server time per key exchange, against one RSA decryption and two 2048-bit modular
 * exponentiations timed with the same OpenSSL calls in this process.
 */
export async function measureKeyExchangeCpu(): Promise<{ serverMs: number; primitivesMs: number }> {
  const rsaKey = loadRsaKeyFile();
  // The server builds the OpenSSL DH engine and the pool of pq primes in its start-up warm-up,
  // so the benchmark does too.
  warmUpModPow();
  await warmUpPqPrimes();
  let serverMs = 0;
  let nextMsgId = 1n << 62n;
  // The first exchange, untimed, loads the TL schema and warms up the JIT.
  for (let run = -1; run < EXCHANGES; run++) {
    const exchange = new KeyExchange({
      rsaKeys: [rsaKey],
      clock: systemClock,
      isKeyIdTaken: () => false,
      log: pino({ level: 'silent' }),
    });
    const transport = new InProcessTransport(exchange);
    await exchangeAuthKey(transport as unknown as ClientTransport, {
      publicKeyPem: rsaKey.publicKeyPem,
      nextMsgId: () => (nextMsgId += 4n),
      timeoutMs: 1000,
    });
    if (run >= 0) serverMs += transport.serverMs;
  }

  const privateKey = createPrivateKey(
    readFileSync(new URL('../../../fixtures/rsa-key.pem', import.meta.url)),
  );
  const started = performance.now();
  for (let run = 0; run < EXCHANGES; run++) {
    const block = randomBytes(256);
    block[0] = 0;
    privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block);
    const a = randomBytes(256);
    const gA = powGenerator(a);
    modPowPrime(bytesToBigint(gA) % DH_PRIME_BIGINT, a);
  }
  const primitivesMs = performance.now() - started;
  return { serverMs: serverMs / EXCHANGES, primitivesMs: primitivesMs / EXCHANGES };
}
