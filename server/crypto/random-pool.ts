import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for message padding, taken from a pool that one randomFillSync call refills.
 * Every encrypted message needs 12 or more random bytes, and a call into OpenSSL per message
 * costs more than the copy. Each pooled byte is handed out once.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let nextUnused = POOL_SIZE;

/** Fills target[offset..offset+length] with cryptographically strong random bytes. */
export function fillRandom(target: Uint8Array, offset: number, length: number): void {
  if (length > POOL_SIZE) {
    randomFillSync(target, offset, length);
    return;
  }
  if (nextUnused + length > POOL_SIZE) {
    randomFillSync(pool);
    nextUnused = 0;
  }
  target.set(pool.subarray(nextUnused, nextUnused + length), offset);
  nextUnused += length;
}
