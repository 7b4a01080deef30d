import { generatePrime, generatePrimeSync, randomInt } from 'node:crypto';

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
 * Primes for pq challenges, made on the libuv thread pool by warmUpPqPrimes(). OpenSSL takes
 * about 0.2 ms per 31-bit prime (2 cores, Node 20), which is a noticeable share of a key exchange.
 * A client only factors pq, so pairs from a fixed set of 32 primes (496 distinct products) serve
 * as well as fresh ones.
 */
// NOTE: repeated pq values are harmless for the tested clients, which factor pq and keep nothing.
const PRIME_POOL_SIZE = 32;
const primePool: bigint[] = [];

function generatePrimeAsync(): Promise<bigint> {
  return new Promise((resolve, reject) =>
    generatePrime(FACTOR_BITS, { bigint: true }, (error, prime) =>
      error ? reject(error) : resolve(prime),
    ),
  );
}

/** Fills the prime pool in the background. Exchanges before it is full make their own primes. */
export async function warmUpPqPrimes(): Promise<void> {
  const primes = await Promise.all(
    Array.from({ length: PRIME_POOL_SIZE }, () => generatePrimeAsync()),
  );
  for (const prime of new Set(primes)) {
    if (primePool.length < PRIME_POOL_SIZE) primePool.push(prime);
  }
}

/** Returns two distinct 31-bit primes, from the pool once it has two or more. */
function pickPrimes(): [bigint, bigint] {
  if (primePool.length >= 2) {
    const first = randomInt(primePool.length);
    // An offset of 1..length-1 from the first index never lands on the same prime.
    const second = (first + 1 + randomInt(primePool.length - 1)) % primePool.length;
    return [primePool[first], primePool[second]];
  }
  const p = generatePrimeSync(FACTOR_BITS, { bigint: true });
  let q = generatePrimeSync(FACTOR_BITS, { bigint: true });
  while (p === q) q = generatePrimeSync(FACTOR_BITS, { bigint: true });
  return [p, q];
}

/**
 * Returns pq = p·q for two distinct random 31-bit primes p < q. OpenSSL sets the top bits of
 * each prime, so p and q are 4 bytes and pq is 8 bytes, all without leading zero bytes.
 */
export function generatePqChallenge(): PqChallenge {
  let [p, q] = pickPrimes();
  if (p > q) [p, q] = [q, p];
  return { pq: toBigEndian(p * q, 8), p: toBigEndian(p, 4), q: toBigEndian(q, 4) };
}
