import { bigintToBytes, bytesToBigint, modPowPrime, powGenerator } from '../crypto/mod-pow.js';
import { DH_PRIME_BIGINT, DH_PRIME_BYTES } from '../crypto/telegram-prime.js';

/**
 * The server's half of the Diffie-Hellman step, over Telegram's 2048-bit prime p with g = 3.
 * Both public values, g_a and g_b, must lie in [2^1984, p - 2^1984], which also implies
 * 1 < value < p - 1 (https://core.telegram.org/mtproto/auth_key, "DH key exchange complete").
 */

const SAFETY_MARGIN = 1n << 1984n;
const MIN_PUBLIC_VALUE = SAFETY_MARGIN;
const MAX_PUBLIC_VALUE = DH_PRIME_BIGINT - SAFETY_MARGIN;

/** Returns whether a DH public value lies in the range both sides must check. */
export function isValidDhPublicValue(value: bigint): boolean {
  return value >= MIN_PUBLIC_VALUE && value <= MAX_PUBLIC_VALUE;
}

/** The server's secret exponent a and its public value g_a = 3^a mod p as 256 big-endian bytes. */
export interface ServerDhSecret {
  a: Buffer;
  gA: Buffer;
}

/**
 * Draws a random 2048-bit exponent a and computes g_a, drawing again in the unlikely case
 * (about 2^-60) that g_a falls outside the safe range.
 */
export function generateServerDhSecret(randomBytes: (size: number) => Buffer): ServerDhSecret {
  for (;;) {
    const a = randomBytes(DH_PRIME_BYTES);
    const gA = powGenerator(a);
    if (isValidDhPublicValue(bytesToBigint(gA))) return { a, gA };
  }
}

/**
 * Computes auth_key = g_b^a mod p as 256 big-endian bytes, leading zeros kept. It accepts any
 * g_b below 2^2048, including values outside the safe range, because dh_gen_fail also carries
 * a hash of the resulting key.
 */
export function computeAuthKey(gB: bigint, a: Buffer): Buffer {
  const base = gB % DH_PRIME_BIGINT;
  // OpenSSL refuses these bases as DH public values, and their powers are trivial anyway.
  if (base === 0n || base === 1n) return bigintToBytes(base);
  if (base === DH_PRIME_BIGINT - 1n) {
    const isOdd = (a[a.length - 1] & 1) === 1;
    return bigintToBytes(isOdd ? base : 1n);
  }
  return modPowPrime(base, a);
}
