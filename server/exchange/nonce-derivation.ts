import { createHash } from 'node:crypto';

/**
 * Values the key exchange derives from its nonces (https://core.telegram.org/mtproto/auth_key).
 * Nonces are raw bytes: nonce and server_nonce 16, new_nonce 32.
 */

function sha1(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * Derives the temporary AES-256-IGE key and IV that encrypt server_DH_inner_data and
 * client_DH_inner_data:
 *   key = SHA1(new_nonce ‖ server_nonce) ‖ SHA1(server_nonce ‖ new_nonce)[0..12]
 *   iv  = SHA1(server_nonce ‖ new_nonce)[12..20] ‖ SHA1(new_nonce ‖ new_nonce) ‖ new_nonce[0..4]
 */
export function deriveTmpAesKeyIv(
  newNonce: Uint8Array,
  serverNonce: Uint8Array,
): { key: Buffer; iv: Buffer } {
  const newServer = sha1(newNonce, serverNonce);
  const serverNew = sha1(serverNonce, newNonce);
  const newNew = sha1(newNonce, newNonce);
  return {
    key: Buffer.concat([newServer, serverNew.subarray(0, 12)]),
    iv: Buffer.concat([serverNew.subarray(12, 20), newNew, newNonce.subarray(0, 4)]),
  };
}

/**
 * Computes new_nonce_hash1, 2 or 3 of dh_gen_ok, dh_gen_retry and dh_gen_fail:
 * SHA1(new_nonce ‖ byte n ‖ auth_key_aux_hash)[4..20].
 */
export function computeNewNonceHash(
  newNonce: Uint8Array,
  n: 1 | 2 | 3,
  auxHash: Uint8Array,
): Buffer {
  return sha1(newNonce, Uint8Array.of(n), auxHash).subarray(4, 20);
}

/** Computes the first server_salt: new_nonce[0..8] ⊕ server_nonce[0..8], read as a little-endian long. */
export function computeInitialServerSalt(newNonce: Uint8Array, serverNonce: Uint8Array): bigint {
  const salt = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) salt[i] = newNonce[i] ^ serverNonce[i];
  return salt.readBigInt64LE(0);
}
