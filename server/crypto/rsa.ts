import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TlWriter } from '../binary/tl-writer.js';
import { bytesToBigint } from './mod-pow.js';

/**
 * The server's RSA keys for the auth key exchange: loading, the MTProto key fingerprint, and the
 * raw (unpadded) private-key operation that both client encryption schemes need.
 */

/** Modulus size in bytes. Clients encrypt exactly 256 bytes, so only 2048-bit keys work. */
export const RSA_KEY_SIZE = 256;

/** A loaded server RSA key and the forms of its fingerprint that clients and logs use. */
export interface ServerRsaKey {
  privateKey: KeyObject;
  /** Public modulus. */
  n: bigint;
  /** Public exponent, 65537 for the fixture key. */
  e: bigint;
  /** Fingerprint as a signed 64-bit value, as resPQ carries it. */
  fingerprint: bigint;
  /** Signed decimal fingerprint, the key of GramJS's `_serverKeys` map. */
  fingerprintDecimal: string;
  /** Unsigned fingerprint as 16 lower-case hex digits, the form used in logs and errors. */
  fingerprintHex: string;
  /** Public key as PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`), for registering in clients. */
  publicKeyPem: string;
}

/** Raised when an encrypted block cannot be decrypted with the key. */
export class RsaDecryptError extends Error {
  override readonly name = 'RsaDecryptError';
}

/** Encodes a positive integer as minimal big-endian bytes, with no leading zero byte. */
function toMinimalBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

/**
 * Computes the MTProto fingerprint of an RSA public key: the 64 low-order bits of
 * SHA1(n ‖ e), where n and e are minimal big-endian numbers each serialized as TL `bytes`
 * (the bare `rsa_public_key n:string e:string`). Bytes 12..20 of the hash are read as a signed
 * little-endian long.
 */
export function computeRsaFingerprint(n: bigint, e: bigint): bigint {
  const serialized = new TlWriter().bytes(toMinimalBytes(n)).bytes(toMinimalBytes(e)).finish();
  return createHash('sha1').update(serialized).digest().readBigInt64LE(12);
}

function base64UrlToBigint(value: string | undefined, field: string): bigint {
  if (!value) throw new Error(`RSA key has no '${field}' component`);
  return bytesToBigint(Buffer.from(value, 'base64url'));
}

/**
 * Loads a PEM RSA private key (PKCS#1 or PKCS#8) and computes its public values and fingerprint.
 * Throws when the key is not RSA or its modulus is not 2048 bits.
 */
export function loadRsaKey(pem: string | Buffer): ServerRsaKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`key type is ${privateKey.asymmetricKeyType}, not rsa; use an RSA private key`);
  }
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const n = base64UrlToBigint(jwk.n, 'n');
  const e = base64UrlToBigint(jwk.e, 'e');
  const bits = n.toString(2).length;
  if (bits !== RSA_KEY_SIZE * 8) {
    throw new Error(
      `RSA key has a ${bits}-bit modulus, but MTProto clients only encrypt to 2048-bit keys; ` +
        'generate one with scripts/generate-rsa-key.mjs',
    );
  }

  const fingerprint = computeRsaFingerprint(n, e);
  return {
    privateKey,
    n,
    e,
    fingerprint,
    fingerprintDecimal: fingerprint.toString(),
    fingerprintHex: BigInt.asUintN(64, fingerprint).toString(16).padStart(16, '0'),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
  };
}

/**
 * Returns the path of the bundled test key `fixtures/rsa-key.pem`, which sits two folders up
 * from this module in the source tree and three folders up from the build under `dist/`.
 */
export function defaultRsaKeyPath(): string {
  const candidates = ['../../fixtures/rsa-key.pem', '../../../fixtures/rsa-key.pem'].map((path) =>
    fileURLToPath(new URL(path, import.meta.url)),
  );
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      `RSA key fixture not found at ${candidates.join(' or ')}; ` +
        'run node scripts/generate-rsa-key.mjs or pass a key path',
    );
  }
  return found;
}

/** Reads and loads a PEM RSA private key file, by default the bundled test key. */
export function loadRsaKeyFile(path: string = defaultRsaKeyPath()): ServerRsaKey {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read RSA key file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return loadRsaKey(pem);
}

/**
 * Computes encrypted^d mod n with no padding and returns all 256 bytes, leading zeros included.
 * Throws RsaDecryptError when the block is not 256 bytes or its value is not below n.
 */
export function rsaDecryptRaw(key: ServerRsaKey, encrypted: Uint8Array): Buffer {
  if (encrypted.length !== RSA_KEY_SIZE) {
    throw new RsaDecryptError(
      `RSA-encrypted data is ${encrypted.length} bytes; expected exactly ${RSA_KEY_SIZE}`,
    );
  }
  // OpenSSL also rejects this, but with a message that does not say which value was wrong.
  if (bytesToBigint(encrypted) >= key.n) {
    throw new RsaDecryptError(
      `RSA-encrypted data is not below the modulus of key ${key.fingerprintHex}`,
    );
  }
  let decrypted: Buffer;
  try {
    decrypted = privateDecrypt(
      { key: key.privateKey, padding: constants.RSA_NO_PADDING },
      encrypted,
    );
  } catch (error) {
    throw new RsaDecryptError(
      `RSA decryption with key ${key.fingerprintHex} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (decrypted.length === RSA_KEY_SIZE) return decrypted;
  const padded = Buffer.alloc(RSA_KEY_SIZE);
  decrypted.copy(padded, RSA_KEY_SIZE - decrypted.length);
  return padded;
}
