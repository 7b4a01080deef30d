import { generatePrimeSync } from 'node:crypto';

/** Bits of each prime factor. Telegram's servers use ~31-bit factors, so pq fits in 62 bits. */
const FACTOR_BITS = 31;

/** The pq challenge of resPQ and its two factors, each as minimal big-endian bytes. */
export interface PqChallenge {
  pq: Buffer;
  p: Buffer;
  q: Buffer;
}

function toBigEndian(value: bigint, size: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(value, 0);
  return bytes.subarray(8 - size);
}

/**
 * Generates pq = p·q for two distinct random 31-bit primes p < q. OpenSSL sets the top bits of
 * each prime, so p and q are 4 bytes and pq is 8 bytes, all without leading zero bytes.
 */
export function generatePqChallenge(): PqChallenge {
  let p = generatePrimeSync(FACTOR_BITS, { bigint: true });
  let q = generatePrimeSync(FACTOR_BITS, { bigint: true });
  while (p === q) q = generatePrimeSync(FACTOR_BITS, { bigint: true });
  if (p > q) [p, q] = [q, p];
  return { pq: toBigEndian(p * q, 8), p: toBigEndian(p, 4), q: toBigEndian(q, 4) };
}
