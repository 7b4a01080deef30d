import {
  constants,
  createHash,
  createPublicKey,
  publicEncrypt,
  randomBytes as cryptoRandomBytes,
  type KeyObject,
} from 'node:crypto';
import { aesIgeEncrypt } from '../server/crypto/aes-ige.js';
import { bytesToBigint } from '../server/crypto/mod-pow.js';
import { computeRsaFingerprint } from '../server/crypto/rsa.js';

/** The server's RSA public key as the client uses it. */
export interface ClientRsaKey {
  keyObject: KeyObject;
  n: bigint;
  e: bigint;
  /** MTProto fingerprint as resPQ lists it: a signed 64-bit value. */
  fingerprint: bigint;
}

/** Largest p_q_inner_data that RSA_PAD can carry, in bytes. */
const MAX_DATA_SIZE = 144;
const PADDED_DATA_SIZE = 192;
const TEMP_KEY_SIZE = 32;

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** Loads a PEM RSA public key (PKCS#1 or SPKI) and computes its MTProto fingerprint. */
export function loadClientRsaKey(pem: string): ClientRsaKey {
  const keyObject = createPublicKey(pem);
  const jwk = keyObject.export({ format: 'jwk' });
  if (jwk.n === undefined || jwk.e === undefined) {
    throw new Error(`key type is ${keyObject.asymmetricKeyType}, not rsa; pass an RSA public key`);
  }
  const n = bytesToBigint(Buffer.from(jwk.n, 'base64url'));
  const e = bytesToBigint(Buffer.from(jwk.e, 'base64url'));
  return { keyObject, n, e, fingerprint: computeRsaFingerprint(n, e) };
}

/**
 * Encrypts p_q_inner_data with RSA_PAD: the data is padded to 192 bytes, reversed and followed by
 * SHA256(temp_key ‖ padded data). That block is AES-256-IGE encrypted under a random temp_key
 * with a zero IV. The RSA input is (temp_key ⊕ SHA256(aes block)) ‖ aes block, drawn again
 * while it is not below the modulus.
 */
export function encryptRsaPad(
  key: ClientRsaKey,
  data: Buffer,
  randomBytes: (size: number) => Buffer = cryptoRandomBytes,
): Buffer {
  if (data.length > MAX_DATA_SIZE) {
    throw new RangeError(`RSA_PAD carries at most ${MAX_DATA_SIZE} bytes, got ${data.length}`);
  }
  const dataWithPadding = Buffer.concat([data, randomBytes(PADDED_DATA_SIZE - data.length)]);
  const reversed = Buffer.from(dataWithPadding).reverse();
  for (;;) {
    const tempKey = randomBytes(TEMP_KEY_SIZE);
    const dataWithHash = Buffer.concat([reversed, sha256(tempKey, dataWithPadding)]);
    const aesEncrypted = aesIgeEncrypt(dataWithHash, tempKey, Buffer.alloc(32));
    const aesHash = sha256(aesEncrypted);
    const tempKeyXor = Buffer.alloc(TEMP_KEY_SIZE);
    for (let i = 0; i < TEMP_KEY_SIZE; i++) tempKeyXor[i] = tempKey[i] ^ aesHash[i];
    const keyAesEncrypted = Buffer.concat([tempKeyXor, aesEncrypted]);
    if (bytesToBigint(keyAesEncrypted) >= key.n) continue;
    return publicEncrypt(
      { key: key.keyObject, padding: constants.RSA_NO_PADDING },
      keyAesEncrypted,
    );
  }
}
