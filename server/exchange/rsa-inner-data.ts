import { createHash, timingSafeEqual } from 'node:crypto';
import { TlReader } from '../binary/tl-reader.js';
import { aesIgeDecrypt } from '../crypto/aes-ige.js';
import { RsaDecryptError, rsaDecryptRaw, type ServerRsaKey } from '../crypto/rsa.js';
import { decodeObject } from '../tl/codec.js';
import type { TlSchemaView } from '../tl/registry.js';
import type { TlObject } from '../tl/types.js';
import { KeyExchangeError } from './key-exchange-error.js';

/**
 * Decryption of req_DH_params.encrypted_data, which carries p_q_inner_data in one of two schemes:
 *
 * RSA_PAD, which GramJS 2.26 uses: the client pads the data to 192 bytes and appends
 * SHA256(temp_key ‖ data_with_padding) to the reversed padded data. It encrypts those 224 bytes
 * with AES-256-IGE under a random temp_key and a zero IV, then RSA-encrypts
 * (temp_key ⊕ SHA256(aes_encrypted)) ‖ aes_encrypted.
 *
 * Legacy, which Telethon 1.x uses: the client RSA-encrypts SHA1(data) ‖ data ‖ random padding,
 * 255 bytes in all.
 */

/** The encryption scheme a client used for its p_q_inner_data. */
export type RsaScheme = 'RSA_PAD' | 'legacy';

const TEMP_KEY_SIZE = 32;
const PADDED_DATA_SIZE = 192;
const SHA1_SIZE = 20;

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * Undoes RSA_PAD on the 256 decrypted bytes. Returns the 192 bytes of padded data, or undefined
 * when the SHA256 check fails, which means the client used another scheme or another key.
 */
export function unwrapRsaPad(decrypted: Buffer): Buffer | undefined {
  const tempKeyXor = decrypted.subarray(0, TEMP_KEY_SIZE);
  const aesEncrypted = decrypted.subarray(TEMP_KEY_SIZE);
  const aesHash = sha256(aesEncrypted);
  const tempKey = Buffer.alloc(TEMP_KEY_SIZE);
  for (let i = 0; i < TEMP_KEY_SIZE; i++) tempKey[i] = tempKeyXor[i] ^ aesHash[i];

  const dataWithHash = aesIgeDecrypt(aesEncrypted, tempKey, Buffer.alloc(32));
  const dataWithPadding = Buffer.from(dataWithHash.subarray(0, PADDED_DATA_SIZE)).reverse();
  const expectedHash = sha256(tempKey, dataWithPadding);
  const hash = dataWithHash.subarray(PADDED_DATA_SIZE);
  return timingSafeEqual(hash, expectedHash) ? dataWithPadding : undefined;
}

function decodeInnerData(data: Buffer, view: TlSchemaView): { inner: TlObject; length: number } {
  const reader = new TlReader(data);
  try {
    const inner = decodeObject(reader, view);
    return { inner, length: reader.offset };
  } catch (error) {
    throw new KeyExchangeError(
      `req_DH_params: the decrypted inner data is not a valid TL object: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Tries the legacy scheme on the 256 decrypted bytes. The encrypted message is 255 bytes, so
 * exactly one leading zero byte is dropped; SHA1(data) may itself start with zeros, which stay.
 * Returns undefined when the first byte is not zero or the SHA1 over the parsed object fails.
 */
function tryLegacy(decrypted: Buffer, view: TlSchemaView): TlObject | undefined {
  if (decrypted[0] !== 0) return undefined;
  const message = decrypted.subarray(1);
  const digest = message.subarray(0, SHA1_SIZE);
  const data = message.subarray(SHA1_SIZE);

  let decoded: { inner: TlObject; length: number };
  try {
    decoded = decodeInnerData(data, view);
  } catch {
    return undefined;
  }
  const actualDigest = createHash('sha1').update(data.subarray(0, decoded.length)).digest();
  return timingSafeEqual(actualDigest, digest) ? decoded.inner : undefined;
}

/**
 * Decrypts encrypted_data with the server key, trying RSA_PAD first and the legacy scheme when
 * the RSA_PAD hash does not match, and returns the decoded inner object.
 * Throws KeyExchangeError when neither scheme yields a valid object.
 */
export function decryptInnerData(
  key: ServerRsaKey,
  encryptedData: Buffer,
  view: TlSchemaView,
): { inner: TlObject; scheme: RsaScheme } {
  let decrypted: Buffer;
  try {
    decrypted = rsaDecryptRaw(key, encryptedData);
  } catch (error) {
    if (!(error instanceof RsaDecryptError)) throw error;
    throw new KeyExchangeError(`req_DH_params: ${error.message}`, { cause: error });
  }

  const dataWithPadding = unwrapRsaPad(decrypted);
  if (dataWithPadding !== undefined) {
    return { inner: decodeInnerData(dataWithPadding, view).inner, scheme: 'RSA_PAD' };
  }

  const legacyInner = tryLegacy(decrypted, view);
  if (legacyInner !== undefined) return { inner: legacyInner, scheme: 'legacy' };

  throw new KeyExchangeError(
    `req_DH_params: encrypted_data fails both the RSA_PAD SHA256 check and the legacy SHA1 ` +
      `check for key ${key.fingerprintHex}; the client encrypted it for another key or altered it`,
  );
}
