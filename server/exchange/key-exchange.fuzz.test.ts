import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../fuzz/fuzz-settings.js';
import { factorPq } from '../../test-support/pq-factor.js';
import { encryptRsaPad, loadClientRsaKey } from '../../test-support/rsa-pad.js';
import { systemClock } from '../clock.js';
import { bytesToBigint } from '../crypto/mod-pow.js';
import { loadRsaKeyFile } from '../crypto/rsa.js';
import { serialize } from '../tl/codec.js';
import { defaultRegistry } from '../tl/registry.js';
import type { TlObject } from '../tl/types.js';
import { KeyExchange, KeyExchangeError } from './key-exchange.js';

const view = defaultRegistry().view();
const rsaKey = loadRsaKeyFile();
const clientKey = loadClientRsaKey(rsaKey.publicKeyPem);

function newExchange(): KeyExchange {
  return new KeyExchange({
    rsaKeys: [rsaKey],
    clock: systemClock,
    isKeyIdTaken: () => false,
    log: pino({ level: 'silent' }),
  });
}

/** Runs a step and returns the error, which must be a KeyExchangeError, or undefined. */
function stepError(exchange: KeyExchange, request: TlObject): unknown {
  try {
    exchange.handle(request);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(KeyExchangeError);
    return error;
  }
}

function minimalBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

/** Starts an exchange and returns the fields a correct req_DH_params needs. */
function startExchange(exchange: KeyExchange) {
  const nonce = randomBytes(16);
  const resPq = exchange.handle({ _: 'req_pq_multi', nonce }).answer;
  const pq = resPq.pq as Buffer;
  const { p, q } = factorPq(bytesToBigint(pq));
  return {
    nonce,
    serverNonce: resPq.server_nonce as Buffer,
    pq,
    p: minimalBytes(p),
    q: minimalBytes(q),
  };
}

const bytes = (minLength: number, maxLength: number) =>
  fc.uint8Array({ minLength, maxLength }).map((array) => Buffer.from(array));

describe('key exchange fuzzing', () => {
  it('req_pq_multi with any nonce gets resPQ or KeyExchangeError', () => {
    fc.assert(
      fc.property(bytes(0, 40), (nonce) => {
        const error = stepError(newExchange(), { _: 'req_pq_multi', nonce });
        if (nonce.length === 16) expect(error).toBeUndefined();
        else expect(error).toBeDefined();
      }),
      fuzzParameters(),
    );
  });

  it('req_DH_params with random fields raises KeyExchangeError', () => {
    fc.assert(
      fc.property(
        bytes(0, 20),
        bytes(0, 12),
        bytes(0, 12),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        bytes(0, 300),
        fc.boolean(),
        (serverNonce, p, q, fingerprint, encryptedData, keepNonces) => {
          const exchange = newExchange();
          const started = startExchange(exchange);
          const error = stepError(exchange, {
            _: 'req_DH_params',
            nonce: started.nonce,
            server_nonce: keepNonces ? started.serverNonce : serverNonce,
            p,
            q,
            public_key_fingerprint: fingerprint,
            encrypted_data: encryptedData,
          });
          expect(error).toBeDefined();
        },
      ),
      fuzzParameters(100),
    );
  });

  it('req_DH_params with random encrypted_data raises KeyExchangeError', () => {
    fc.assert(
      fc.property(bytes(0, 512), (encryptedData) => {
        const exchange = newExchange();
        const started = startExchange(exchange);
        const error = stepError(exchange, {
          _: 'req_DH_params',
          nonce: started.nonce,
          server_nonce: started.serverNonce,
          p: started.p,
          q: started.q,
          public_key_fingerprint: rsaKey.fingerprint,
          encrypted_data: encryptedData,
        });
        expect(error).toBeDefined();
      }),
      fuzzParameters(100),
    );
  });

  it('set_client_DH_params with random encrypted_data raises KeyExchangeError', () => {
    fc.assert(
      fc.property(bytes(0, 400), fc.boolean(), (encryptedData, blockAligned) => {
        const exchange = newExchange();
        const started = startExchange(exchange);
        const inner = serialize(
          {
            _: 'p_q_inner_data_dc',
            pq: started.pq,
            p: started.p,
            q: started.q,
            nonce: started.nonce,
            server_nonce: started.serverNonce,
            new_nonce: randomBytes(32),
            dc: 2,
          },
          view,
        );
        const dhParams = exchange.handle({
          _: 'req_DH_params',
          nonce: started.nonce,
          server_nonce: started.serverNonce,
          p: started.p,
          q: started.q,
          public_key_fingerprint: rsaKey.fingerprint,
          encrypted_data: encryptRsaPad(clientKey, inner),
        }).answer;
        expect(dhParams._).toBe('server_DH_params_ok');

        const data = blockAligned
          ? encryptedData.subarray(0, encryptedData.length - (encryptedData.length % 16))
          : encryptedData;
        const error = stepError(exchange, {
          _: 'set_client_DH_params',
          nonce: started.nonce,
          server_nonce: started.serverNonce,
          encrypted_data: data,
        });
        expect(error).toBeDefined();
      }),
      fuzzParameters(30),
    );
  });
});
