import { createHash, randomBytes } from 'node:crypto';
import { TlReader } from '../server/binary/tl-reader.js';
import { aesIgeDecrypt } from '../server/crypto/aes-ige.js';
import { hashAuthKey } from '../server/crypto/auth-key.js';
import { bytesToBigint, modPowPrime, powGenerator } from '../server/crypto/mod-pow.js';
import { DH_G, DH_PRIME } from '../server/crypto/telegram-prime.js';
import { encryptWithSha1 } from '../server/exchange/dh-inner-data.js';
import { isValidDhPublicValue } from '../server/exchange/dh-params.js';
import {
  computeInitialServerSalt,
  computeNewNonceHash,
  deriveTmpAesKeyIv,
} from '../server/exchange/nonce-derivation.js';
import { openPlainMessage, sealPlainMessage } from '../server/session/encrypted-message.js';
import { decodeObject, deserialize, serialize } from '../server/tl/codec.js';
import { defaultRegistry } from '../server/tl/registry.js';
import type { TlObject } from '../server/tl/types.js';
import type { ClientTransport } from './client-transport.js';
import { TransportErrorReceived, transportErrorCode } from './transport-error-received.js';
import { factorPq } from './pq-factor.js';
import { encryptRsaPad, loadClientRsaKey } from './rsa-pad.js';

/** An auth key made by the exchange, with what the client needs to start encrypted messages. */
export interface ClientAuthKey {
  /** g^ab mod p, 256 big-endian bytes. */
  authKey: Buffer;
  authKeyId: bigint;
  /** new_nonce[0..8] ⊕ server_nonce[0..8], the salt of the first encrypted message. */
  serverSalt: bigint;
  /** server_time of server_DH_inner_data, in Unix seconds. */
  serverTime: number;
}

/** Settings of one key exchange. */
export interface KeyExchangeOptions {
  /** The server's RSA public key as PEM; its fingerprint must be one that resPQ offers. */
  publicKeyPem: string;
  /** DC id for p_q_inner_data_dc. Default 2. */
  dcId?: number;
  /** Makes a temporary key (p_q_inner_data_temp_dc) that lives this many seconds. */
  expiresIn?: number;
  /** Returns the msg_id of the next unencrypted message. */
  nextMsgId(): bigint;
  /** Time to wait for each response, in milliseconds. */
  timeoutMs: number;
}

/** Maximum number of dh_gen_retry responses the client follows before it gives up. */
const MAX_RETRIES = 5;

/** The n of new_nonce_hash<n> that each set_client_DH_params response carries. */
const NEW_NONCE_HASH_NUMBERS = new Map<string, 1 | 2 | 3>([
  ['dh_gen_ok', 1],
  ['dh_gen_retry', 2],
  ['dh_gen_fail', 3],
]);

function sha1(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** Encodes a positive integer as big-endian bytes with no leading zero byte, as pq, p and q travel. */
function toMinimalBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

function expectEqualBytes(actual: unknown, expected: Buffer, field: string): void {
  if (Buffer.isBuffer(actual) && actual.equals(expected)) return;
  const actualText = Buffer.isBuffer(actual)
    ? actual.subarray(0, 16).toString('hex')
    : String(actual);
  throw new Error(
    `key exchange: ${field} is ${actualText}, expected ${expected.subarray(0, 16).toString('hex')}`,
  );
}

function expectConstructor(response: TlObject, name: string): void {
  if (response._ !== name) throw new Error(`key exchange: expected ${name}, got ${response._}`);
}

/** Sends one unencrypted request and resolves with the decoded response. */
type PlainRequest = (body: TlObject) => Promise<TlObject>;

/** Nonces of one exchange, as raw bytes: nonce and server_nonce 16, new_nonce 32. */
interface ExchangeNonces {
  nonce: Buffer;
  serverNonce: Buffer;
  newNonce: Buffer;
}

/**
 * Runs the client side of the auth key exchange (https://core.telegram.org/mtproto/auth_key):
 * req_pq_multi, req_DH_params with p_q_inner_data_dc in RSA_PAD, and set_client_DH_params.
 * It checks every nonce, hash and range that the protocol requires a client to check, and throws
 * on the first failure or when the server responds with a transport error.
 */
export async function exchangeAuthKey(
  transport: ClientTransport,
  options: KeyExchangeOptions,
): Promise<ClientAuthKey> {
  const view = defaultRegistry().view();
  const request: PlainRequest = async (body) => {
    transport.send(sealPlainMessage(options.nextMsgId(), serialize(body, view)));
    const payload = await transport.receive(options.timeoutMs);
    const code = transportErrorCode(payload);
    if (code !== undefined) throw new TransportErrorReceived(code, `response to ${body._}`);
    if (payload.readBigInt64LE(0) !== 0n) {
      throw new Error(
        `key exchange: the response to ${body._} is encrypted; expected auth_key_id 0`,
      );
    }
    return deserialize(openPlainMessage(payload).body, view);
  };

  const rsaKey = loadClientRsaKey(options.publicKeyPem);
  const nonce = randomBytes(16);
  const resPq = await request({ _: 'req_pq_multi', nonce });
  expectConstructor(resPq, 'resPQ');
  expectEqualBytes(resPq.nonce, nonce, 'nonce');
  const fingerprints = resPq.server_public_key_fingerprints as bigint[];
  if (!fingerprints.includes(rsaKey.fingerprint)) {
    throw new Error(
      `key exchange: resPQ offers fingerprints ${fingerprints.join(', ')}, not ` +
        `${rsaKey.fingerprint} of the given public key`,
    );
  }

  const nonces = { nonce, serverNonce: resPq.server_nonce as Buffer, newNonce: randomBytes(32) };
  const pq = resPq.pq as Buffer;
  const { p, q } = factorPq(bytesToBigint(pq));
  const factors = { pq, p: toMinimalBytes(p), q: toMinimalBytes(q) };
  const innerData: TlObject = {
    _: options.expiresIn === undefined ? 'p_q_inner_data_dc' : 'p_q_inner_data_temp_dc',
    ...factors,
    nonce,
    server_nonce: nonces.serverNonce,
    new_nonce: nonces.newNonce,
    dc: options.dcId ?? 2,
    expires_in: options.expiresIn,
  };
  const dhParams = await request({
    _: 'req_DH_params',
    nonce,
    server_nonce: nonces.serverNonce,
    p: factors.p,
    q: factors.q,
    public_key_fingerprint: rsaKey.fingerprint,
    encrypted_data: encryptRsaPad(rsaKey, serialize(innerData, view)),
  });
  return finishExchange(request, nonces, dhParams);
}

/**
 * Checks server_DH_params_ok, then sends set_client_DH_params until dh_gen_ok, following
 * dh_gen_retry with the previous auth_key_aux_hash as retry_id.
 */
async function finishExchange(
  request: PlainRequest,
  nonces: ExchangeNonces,
  dhParams: TlObject,
): Promise<ClientAuthKey> {
  const { nonce, serverNonce, newNonce } = nonces;
  expectConstructor(dhParams, 'server_DH_params_ok');
  expectEqualBytes(dhParams.nonce, nonce, 'nonce');
  expectEqualBytes(dhParams.server_nonce, serverNonce, 'server_nonce');
  const tmp = deriveTmpAesKeyIv(newNonce, serverNonce);
  const serverInner = decryptServerDhInnerData(dhParams.encrypted_answer as Buffer, tmp);
  expectEqualBytes(serverInner.nonce, nonce, 'server_DH_inner_data.nonce');
  expectEqualBytes(serverInner.server_nonce, serverNonce, 'server_DH_inner_data.server_nonce');
  if (serverInner.g !== DH_G) throw new Error(`key exchange: g is ${serverInner.g}, expected 3`);
  expectEqualBytes(serverInner.dh_prime, DH_PRIME, "dh_prime (Telegram's 2048-bit prime)");
  const gA = serverInner.g_a as Buffer;
  if (!isValidDhPublicValue(bytesToBigint(gA))) {
    throw new Error('key exchange: g_a is outside [2^1984, p - 2^1984]');
  }

  let retryId = 0n;
  for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
    const { b, gB } = generateClientDhSecret();
    const clientInner = serialize(
      { _: 'client_DH_inner_data', nonce, server_nonce: serverNonce, retry_id: retryId, g_b: gB },
      defaultRegistry().view(),
    );
    const response = await request({
      _: 'set_client_DH_params',
      nonce,
      server_nonce: serverNonce,
      encrypted_data: encryptWithSha1(clientInner, tmp.key, tmp.iv, randomBytes),
    });
    expectEqualBytes(response.nonce, nonce, 'nonce');
    expectEqualBytes(response.server_nonce, serverNonce, 'server_nonce');

    const authKey = modPowPrime(gA, b);
    const { authKeyId } = hashAuthKey(authKey);
    // The mock sends dh_gen_retry for a key with a leading zero byte and hashes it the way
    // most clients do, without the zero bytes; this client follows that retry.
    const auxHash =
      response._ === 'dh_gen_retry' && authKey[0] === 0
        ? createHash('sha1').update(stripLeadingZeros(authKey)).digest().subarray(0, 8)
        : hashAuthKey(authKey).auxHash;
    const hashNumber = NEW_NONCE_HASH_NUMBERS.get(response._);
    if (hashNumber === undefined) {
      throw new Error(`key exchange: unexpected response ${response._} to set_client_DH_params`);
    }
    const expectedHash = computeNewNonceHash(newNonce, hashNumber, auxHash);
    expectEqualBytes(response[`new_nonce_hash${hashNumber}`], expectedHash, response._);

    if (response._ === 'dh_gen_fail') throw new Error('key exchange: the server sent dh_gen_fail');
    if (response._ === 'dh_gen_ok') {
      return {
        authKey,
        authKeyId,
        serverSalt: computeInitialServerSalt(newNonce, serverNonce),
        serverTime: serverInner.server_time as number,
      };
    }
    retryId = auxHash.readBigInt64LE(0);
  }
  throw new Error(`key exchange: the server sent dh_gen_retry ${MAX_RETRIES + 1} times`);
}

/** Decrypts server_DH_params_ok.encrypted_answer and checks the SHA1 over the parsed object. */
function decryptServerDhInnerData(encrypted: Buffer, tmp: { key: Buffer; iv: Buffer }): TlObject {
  const plaintext = aesIgeDecrypt(encrypted, tmp.key, tmp.iv);
  const reader = new TlReader(plaintext.subarray(20));
  const inner = decodeObject(reader, defaultRegistry().view());
  expectConstructor(inner, 'server_DH_inner_data');
  const parsed = plaintext.subarray(20, 20 + reader.offset);
  expectEqualBytes(plaintext.subarray(0, 20), sha1(parsed), 'SHA1 of server_DH_inner_data');
  return inner;
}

/** Draws the client's secret exponent b and g_b = 3^b mod p, again while g_b is out of range. */
function generateClientDhSecret(): { b: Buffer; gB: Buffer } {
  for (;;) {
    const b = randomBytes(256);
    const gB = powGenerator(b);
    if (isValidDhPublicValue(bytesToBigint(gB))) return { b, gB };
  }
}

function stripLeadingZeros(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}
