import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bigintToBytes, bytesToBigint, modPowPrime, powGenerator } from './mod-pow.js';
import { DH_PRIME_BIGINT } from './telegram-prime.js';

/** Plain square-and-multiply with BigInt, as an independent reference. */
function referenceModPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let power = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * power) % modulus;
    power = (power * power) % modulus;
  }
  return result;
}

describe('modPowPrime', () => {
  it('matches BigInt square-and-multiply for random values', () => {
    for (let i = 0; i < 5; i++) {
      const base = bytesToBigint(randomBytes(255)) + 2n;
      const exponent = bytesToBigint(randomBytes(256));
      const expected = referenceModPow(base, exponent, DH_PRIME_BIGINT);
      expect(bytesToBigint(modPowPrime(base, exponent))).toBe(expected);
    }
  });

  it('pads results to 256 bytes', () => {
    // 3^1 = 3 has one significant byte.
    const result = powGenerator(1n);
    expect(result.length).toBe(256);
    expect(bytesToBigint(result)).toBe(3n);
  });

  it('computes the generator power like modPowPrime(3, e)', () => {
    const exponent = randomBytes(256);
    expect(powGenerator(exponent).equals(modPowPrime(3n, exponent))).toBe(true);
  });
});

describe('bigintToBytes', () => {
  it('round-trips through bytesToBigint', () => {
    const value = bytesToBigint(randomBytes(200));
    expect(bytesToBigint(bigintToBytes(value))).toBe(value);
  });

  it('rejects values longer than the requested length', () => {
    expect(() => bigintToBytes(1n << 64n, 8)).toThrow(RangeError);
  });
});
