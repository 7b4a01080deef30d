import { createHash, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { unixSeconds, type Clock } from '../clock.js';
import { hashAuthKey } from '../crypto/auth-key.js';
import { bytesToBigint } from '../crypto/mod-pow.js';
import type { ServerRsaKey } from '../crypto/rsa.js';
import { DH_G, DH_PRIME, DH_PRIME_BYTES } from '../crypto/telegram-prime.js';
import { formatKeyId, type Logger } from '../logger.js';
import { serialize } from '../tl/codec.js';
import { defaultRegistry, type TlSchemaView } from '../tl/registry.js';
import type { TlObject } from '../tl/types.js';
import { decryptClientDhInnerData, encryptWithSha1 } from './dh-inner-data.js';
import { computeAuthKey, generateServerDhSecret, isValidDhPublicValue } from './dh-params.js';
import { KeyExchangeError } from './key-exchange-error.js';
import {
  computeInitialServerSalt,
  computeNewNonceHash,
  deriveTmpAesKeyIv,
} from './nonce-derivation.js';
import { generatePqChallenge, type PqChallenge } from './pq.js';
import { checkFactors, checkInnerData, checkNonces, NONCE_SIZE } from './request-checks.js';
import { bufferField, longField } from './request-fields.js';
import { decryptInnerData } from './rsa-inner-data.js';

export { KeyExchangeError } from './key-exchange-error.js';

/** Time after resPQ within which the client must finish the exchange, in milliseconds. */
export const KEY_EXCHANGE_TIMEOUT_MS = 10 * 60 * 1000;

/** Maximum number of dh_gen_retry messages one exchange sends before it gives up. */
const MAX_DH_RETRIES = 5;

/** Dependencies of a key exchange, supplied by the server. */
export interface KeyExchangeDeps {
  /** Keys whose fingerprints resPQ offers; the client picks one. */
  rsaKeys: ServerRsaKey[];
  /** Source of server_time and of the exchange timeout. */
  clock: Clock;
  /** Random source for server_nonce, the DH exponent and padding; node:crypto by default. */
  randomBytes?: (size: number) => Buffer;
  /** Returns whether an auth key with this id already exists; a collision gets dh_gen_retry. */
  isKeyIdTaken(authKeyId: bigint): boolean;
  log: Logger;
  /** TL schema view for the service constructors; the bundled schemas by default. */
  view?: TlSchemaView;
}

/** An auth key created by a finished exchange. */
export interface NewAuthKey {
  authKeyId: bigint;
  /** g^ab mod p as 256 big-endian bytes, leading zeros kept. */
  authKey: Buffer;
  /** First server salt: new_nonce[0..8] ⊕ server_nonce[0..8] as a little-endian long. */
  serverSalt: bigint;
  /** Lifetime in seconds of a temporary key (p_q_inner_data_temp*); absent for permanent keys. */
  expiresIn?: number;
  /** The `dc` field of p_q_inner_data_dc and _temp_dc. */
  dcId?: number;
}

/** Result of one key-exchange request: the message to send and, with dh_gen_ok, the new key. */
export interface KeyExchangeResult {
  answer: TlObject;
  authKey?: NewAuthKey;
}

interface PqSentState {
  step: 'pq-sent';
  startedAt: number;
  nonce: Buffer;
  serverNonce: Buffer;
  challenge: PqChallenge;
  answer: TlObject;
}

interface DhSentState {
  step: 'dh-sent';
  startedAt: number;
  nonce: Buffer;
  serverNonce: Buffer;
  newNonce: Buffer;
  a: Buffer;
  tmpAesKey: Buffer;
  tmpAesIv: Buffer;
  expiresIn?: number;
  dcId?: number;
  /** The client's encrypted_data, to recognize a re-sent req_DH_params. */
  encryptedData: Buffer;
  answer: TlObject;
  /** The retry_id the next set_client_DH_params must carry: 0, then the last aux hash. */
  expectedRetryId: bigint;
  /** A second accepted retry_id: the padded key's aux hash after a leading-zero retry. */
  alternateRetryId?: bigint;
  retries: number;
}

type ExchangeState = { step: 'idle' } | PqSentState | DhSentState;

/**
 * The server side of the auth key exchange for one connection
 * (https://core.telegram.org/mtproto/auth_key): req_pq_multi, req_DH_params and
 * set_client_DH_params in order. Any failed check raises KeyExchangeError and resets the
 * exchange; the caller then sends transport error -404.
 *
 * CPU cost per exchange: one RSA private-key operation and two 2048-bit modular exponentiations.
 */
export class KeyExchange {
  private state: ExchangeState = { step: 'idle' };
  private readonly randomBytes: (size: number) => Buffer;
  private readonly view: TlSchemaView;

  constructor(private readonly deps: KeyExchangeDeps) {
    if (deps.rsaKeys.length === 0) {
      throw new Error('KeyExchange needs at least one RSA key; load fixtures/rsa-key.pem');
    }
    this.randomBytes = deps.randomBytes ?? cryptoRandomBytes;
    this.view = deps.view ?? defaultRegistry().view();
  }

  /** Whether resPQ was sent and the exchange has neither finished, failed nor timed out. */
  get isPending(): boolean {
    return this.state.step !== 'idle' && !this.isTimedOut();
  }

  /**
   * Processes one decoded request and returns the message to send unencrypted. After dh_gen_ok
   * the result also carries the new auth key, and the exchange is ready for a new req_pq_multi.
   */
  handle(request: TlObject): KeyExchangeResult {
    try {
      switch (request._) {
        case 'req_pq_multi':
        case 'req_pq':
          return { answer: this.handleReqPq(request) };
        case 'req_DH_params':
          return { answer: this.handleReqDhParams(request) };
        case 'set_client_DH_params':
          return this.handleSetClientDhParams(request);
        default:
          throw new KeyExchangeError(
            `${request._} is not a key-exchange request; expected req_pq_multi, req_DH_params ` +
              'or set_client_DH_params',
          );
      }
    } catch (error) {
      this.reset();
      throw error;
    }
  }

  /** Forgets the exchange state, for example when the connection closes. */
  reset(): void {
    this.state = { step: 'idle' };
  }

  private isTimedOut(): boolean {
    if (this.state.step === 'idle') return false;
    return this.deps.clock.now() - this.state.startedAt > KEY_EXCHANGE_TIMEOUT_MS;
  }

  private handleReqPq(request: TlObject): TlObject {
    const nonce = bufferField(request, 'nonce', NONCE_SIZE);
    // Clients may send req_pq twice, so the same nonce gets the same resPQ.
    if (this.state.step === 'pq-sent' && this.state.nonce.equals(nonce) && !this.isTimedOut()) {
      return this.state.answer;
    }

    const serverNonce = this.randomBytes(NONCE_SIZE);
    const challenge = generatePqChallenge();
    const answer: TlObject = {
      _: 'resPQ',
      nonce,
      server_nonce: serverNonce,
      pq: challenge.pq,
      server_public_key_fingerprints: this.deps.rsaKeys.map((key) => key.fingerprint),
    };
    this.state = {
      step: 'pq-sent',
      startedAt: this.deps.clock.now(),
      nonce,
      serverNonce,
      challenge,
      answer,
    };
    this.deps.log.debug({ request: request._ }, 'key exchange: sent resPQ');
    return answer;
  }

  private handleReqDhParams(request: TlObject): TlObject {
    const state = this.state;
    const encryptedData = bufferField(request, 'encrypted_data');
    if (state.step === 'dh-sent' && state.encryptedData.equals(encryptedData)) {
      this.checkNotTimedOut(request);
      return state.answer;
    }
    if (state.step === 'dh-sent') {
      throw new KeyExchangeError(
        'req_DH_params arrived again with different encrypted_data; the next step is ' +
          'set_client_DH_params, or req_pq_multi to start over',
      );
    }
    if (state.step !== 'pq-sent') {
      throw new KeyExchangeError('req_DH_params arrived before resPQ; send req_pq_multi first');
    }
    this.checkNotTimedOut(request);
    checkNonces(request, state);
    checkFactors(request, state.challenge);

    const fingerprint = longField(request, 'public_key_fingerprint');
    const key = this.deps.rsaKeys.find((candidate) => candidate.fingerprint === fingerprint);
    if (key === undefined) {
      const offered = this.deps.rsaKeys.map((candidate) => candidate.fingerprintHex).join(', ');
      throw new KeyExchangeError(
        `req_DH_params: public_key_fingerprint ${BigInt.asUintN(64, fingerprint).toString(16)} ` +
          `is not one that resPQ offered (${offered}); register the mock's public key in the client`,
      );
    }

    const { inner, scheme } = decryptInnerData(key, encryptedData, this.view);
    const innerFields = checkInnerData(inner, state);
    const { key: tmpAesKey, iv: tmpAesIv } = deriveTmpAesKeyIv(
      innerFields.newNonce,
      state.serverNonce,
    );
    const { a, gA } = generateServerDhSecret(this.randomBytes);

    const innerAnswer = serialize(
      {
        _: 'server_DH_inner_data',
        nonce: state.nonce,
        server_nonce: state.serverNonce,
        g: DH_G,
        dh_prime: DH_PRIME,
        g_a: gA,
        server_time: unixSeconds(this.deps.clock),
      },
      this.view,
    );
    const answer: TlObject = {
      _: 'server_DH_params_ok',
      nonce: state.nonce,
      server_nonce: state.serverNonce,
      encrypted_answer: encryptWithSha1(innerAnswer, tmpAesKey, tmpAesIv, this.randomBytes),
    };

    this.state = {
      step: 'dh-sent',
      startedAt: state.startedAt,
      nonce: state.nonce,
      serverNonce: state.serverNonce,
      newNonce: innerFields.newNonce,
      a,
      tmpAesKey,
      tmpAesIv,
      expiresIn: innerFields.expiresIn,
      dcId: innerFields.dcId,
      encryptedData,
      answer,
      expectedRetryId: 0n,
      retries: 0,
    };
    this.deps.log.debug(
      { scheme, innerData: inner._, dcId: innerFields.dcId, expiresIn: innerFields.expiresIn },
      'key exchange: sent server_DH_params_ok',
    );
    return answer;
  }

  private handleSetClientDhParams(request: TlObject): KeyExchangeResult {
    const state = this.state;
    if (state.step !== 'dh-sent') {
      throw new KeyExchangeError(
        `set_client_DH_params arrived before server_DH_params_ok; send req_pq_multi and ` +
          'req_DH_params first',
      );
    }
    this.checkNotTimedOut(request);
    checkNonces(request, state);

    const inner = decryptClientDhInnerData(
      bufferField(request, 'encrypted_data'),
      state.tmpAesKey,
      state.tmpAesIv,
      this.view,
    );
    checkNonces(inner, state);
    const retryId = longField(inner, 'retry_id');
    if (retryId !== state.expectedRetryId && retryId !== state.alternateRetryId) {
      throw new KeyExchangeError(
        `client_DH_inner_data.retry_id is ${retryId}; expected ${state.expectedRetryId}, ` +
          'which is 0 on the first attempt and the previous auth_key_aux_hash after dh_gen_retry',
      );
    }
    const gBBytes = bufferField(inner, 'g_b');
    if (gBBytes.length > DH_PRIME_BYTES) {
      throw new KeyExchangeError(
        `client_DH_inner_data.g_b is ${gBBytes.length} bytes; a value modulo the 2048-bit ` +
          `prime has at most ${DH_PRIME_BYTES}`,
      );
    }
    const gB = bytesToBigint(gBBytes);
    const authKey = computeAuthKey(gB, state.a);
    const { authKeyId, auxHash } = hashAuthKey(authKey);
    const base = { nonce: state.nonce, server_nonce: state.serverNonce };

    if (!isValidDhPublicValue(gB)) {
      this.reset();
      this.deps.log.warn('key exchange: g_b is outside [2^1984, p - 2^1984]; sent dh_gen_fail');
      const newNonceHash3 = computeNewNonceHash(state.newNonce, 3, auxHash);
      return { answer: { _: 'dh_gen_fail', ...base, new_nonce_hash3: newNonceHash3 } };
    }

    if (authKey[0] === 0) {
      return this.retryLeadingZeroKey(state, authKey, auxHash, base);
    }

    if (this.deps.isKeyIdTaken(authKeyId)) {
      if (state.retries >= MAX_DH_RETRIES) {
        throw new KeyExchangeError(
          `auth_key_id collided with an existing key ${MAX_DH_RETRIES + 1} times in a row; ` +
            'start the exchange again with req_pq_multi',
        );
      }
      state.expectedRetryId = auxHash.readBigInt64LE(0);
      state.retries += 1;
      this.deps.log.info(
        { authKeyId: formatKeyId(authKeyId), retries: state.retries },
        'key exchange: auth_key_id is taken; sent dh_gen_retry',
      );
      const newNonceHash2 = computeNewNonceHash(state.newNonce, 2, auxHash);
      return { answer: { _: 'dh_gen_retry', ...base, new_nonce_hash2: newNonceHash2 } };
    }

    this.reset();
    this.deps.log.debug({ authKeyId: formatKeyId(authKeyId) }, 'key exchange: sent dh_gen_ok');
    const newNonceHash1 = computeNewNonceHash(state.newNonce, 1, auxHash);
    return {
      answer: { _: 'dh_gen_ok', ...base, new_nonce_hash1: newNonceHash1 },
      authKey: {
        authKeyId,
        authKey,
        serverSalt: computeInitialServerSalt(state.newNonce, state.serverNonce),
        expiresIn: state.expiresIn,
        dcId: state.dcId,
      },
    };
  }

  /**
   * Sends dh_gen_retry for an auth key whose first byte is zero. GramJS, teleproto, mtcute,
   * @mtproto/core and Telethon keep g^ab in its minimal encoding, so they hash a 255-byte key and
   * would reject dh_gen_ok for the padded one; @mtproto/core would even hang. The retry's hash
   * uses the minimal key, which those clients check, and they retry with a fresh g_b.
   * NOTE: a client that pads the key, as the spec says, fails this retry and has to restart the
   * exchange; about 1 exchange in 256 takes this path.
   */
  private retryLeadingZeroKey(
    state: DhSentState,
    authKey: Buffer,
    paddedAuxHash: Buffer,
    base: { nonce: Buffer; server_nonce: Buffer },
  ): KeyExchangeResult {
    if (state.retries >= MAX_DH_RETRIES) {
      throw new KeyExchangeError(
        `auth key started with a zero byte ${MAX_DH_RETRIES + 1} times in a row; ` +
          'start the exchange again with req_pq_multi',
      );
    }
    let start = 0;
    while (start < authKey.length - 1 && authKey[start] === 0) start++;
    const minimalAuxHash = createHash('sha1')
      .update(authKey.subarray(start))
      .digest()
      .subarray(0, 8);
    state.expectedRetryId = minimalAuxHash.readBigInt64LE(0);
    state.alternateRetryId = paddedAuxHash.readBigInt64LE(0);
    state.retries += 1;
    this.deps.log.info(
      { retries: state.retries },
      'key exchange: auth key starts with a zero byte; sent dh_gen_retry',
    );
    const newNonceHash2 = computeNewNonceHash(state.newNonce, 2, minimalAuxHash);
    return { answer: { _: 'dh_gen_retry', ...base, new_nonce_hash2: newNonceHash2 } };
  }

  private checkNotTimedOut(request: TlObject): void {
    if (this.isTimedOut()) {
      throw new KeyExchangeError(
        `${request._} arrived more than ${KEY_EXCHANGE_TIMEOUT_MS / 1000} s after resPQ; ` +
          'the exchange timed out, start again with req_pq_multi',
      );
    }
  }
}
