import { createHash } from 'node:crypto';
import { TlReader } from '../binary/tl-reader.js';
import { aesIgeDecrypt, aesIgeEncrypt } from '../crypto/aes-ige.js';
import { decodeObject } from '../tl/codec.js';
import type { TlSchemaView } from '../tl/registry.js';
import type { TlObject } from '../tl/types.js';
import { KeyExchangeError } from './key-exchange-error.js';

/**
 * The encrypted envelope of server_DH_inner_data and client_DH_inner_data:
 * AES-256-IGE(SHA1(data) ‖ data ‖ 0..15 random bytes) under the temporary key and IV that both
 * sides derive from new_nonce and server_nonce.
 */

const SHA1_SIZE = 20;

/** Encrypts serialized data as SHA1(data) ‖ data ‖ random padding to a whole AES block. */
export function encryptWithSha1(
  data: Buffer,
  key: Buffer,
  iv: Buffer,
  randomBytes: (size: number) => Buffer,
): Buffer {
  const hash = createHash('sha1').update(data).digest();
  const unpadded = SHA1_SIZE + data.length;
  const padding = randomBytes((16 - (unpadded % 16)) % 16);
  return aesIgeEncrypt(Buffer.concat([hash, data, padding]), key, iv);
}

/** Decrypts set_client_DH_params.encrypted_data and checks the SHA1 over the parsed object. */
export function decryptClientDhInnerData(
  encryptedData: Buffer,
  key: Buffer,
  iv: Buffer,
  view: TlSchemaView,
): TlObject {
  if (encryptedData.length === 0 || encryptedData.length % 16 !== 0) {
    throw new KeyExchangeError(
      `set_client_DH_params.encrypted_data is ${encryptedData.length} bytes; expected a ` +
        'positive multiple of 16',
    );
  }
  const plaintext = aesIgeDecrypt(encryptedData, key, iv);
  const reader = new TlReader(plaintext.subarray(SHA1_SIZE));
  let inner: TlObject;
  try {
    inner = decodeObject(reader, view);
  } catch (error) {
    throw new KeyExchangeError(
      'set_client_DH_params: the decrypted data is not a valid TL object, so it was ' +
        `encrypted with other nonces or altered: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (inner._ !== 'client_DH_inner_data') {
    throw new KeyExchangeError(
      `set_client_DH_params: encrypted_data contains ${inner._}; expected client_DH_inner_data`,
    );
  }

  const parsed = plaintext.subarray(SHA1_SIZE, SHA1_SIZE + reader.offset);
  const hash = createHash('sha1').update(parsed).digest();
  if (!hash.equals(plaintext.subarray(0, SHA1_SIZE))) {
    throw new KeyExchangeError(
      'set_client_DH_params: SHA1 of client_DH_inner_data does not match the hash before it',
    );
  }
  return inner;
}
