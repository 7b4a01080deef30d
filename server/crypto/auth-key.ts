import { createHash } from 'node:crypto';

/** Size of an MTProto auth key in bytes: g^ab mod p for the 2048-bit prime, zero-padded. */
export const AUTH_KEY_SIZE = 256;

/** The two values MTProto derives from SHA1(auth_key). */
export interface AuthKeyHashes {
  /** The 64 low-order bits of SHA1(auth_key): bytes 12..20 read as a signed little-endian long. */
  authKeyId: bigint;
  /** auth_key_aux_hash: the 64 high-order bits, bytes 0..8 of SHA1(auth_key). */
  auxHash: Buffer;
}

/**
 * Computes auth_key_id and auth_key_aux_hash from a 256-byte auth key. The key must keep its
 * leading zero bytes, because the hash covers all 256 bytes.
 */
export function hashAuthKey(authKey: Uint8Array): AuthKeyHashes {
  if (authKey.length !== AUTH_KEY_SIZE) {
    throw new RangeError(`auth key must be ${AUTH_KEY_SIZE} bytes, got ${authKey.length}`);
  }
  const hash = createHash('sha1').update(authKey).digest();
  return { authKeyId: hash.readBigInt64LE(12), auxHash: hash.subarray(0, 8) };
}
