import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bigintToBytes, bytesToBigint } from '../crypto/mod-pow.js';
import { DH_PRIME_BIGINT } from '../crypto/telegram-prime.js';
import { computeAuthKey, generateServerDhSecret, isValidDhPublicValue } from './dh-params.js';

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

const low = 1n << 1984n;
const high = DH_PRIME_BIGINT - low;

describe('isValidDhPublicValue', () => {
  it('accepts the bounds 2^1984 and p - 2^1984', () => {
    expect(isValidDhPublicValue(low)).toBe(true);
    expect(isValidDhPublicValue(high)).toBe(true);
  });

  it('rejects values just outside the bounds and the trivial values', () => {
    for (const value of [low - 1n, high + 1n, 0n, 1n, 2n, DH_PRIME_BIGINT - 1n, DH_PRIME_BIGINT]) {
      expect(isValidDhPublicValue(value)).toBe(false);
    }
  });
});

describe('generateServerDhSecret', () => {
  it('returns g_a = 3^a mod p for the injected exponent', () => {
    const exponent = randomBytes(256);
    const { a, gA } = generateServerDhSecret(() => Buffer.from(exponent));

    expect(a.equals(exponent)).toBe(true);
    expect(gA.length).toBe(256);
    expect(bytesToBigint(gA)).toBe(referenceModPow(3n, bytesToBigint(exponent), DH_PRIME_BIGINT));
  });

  it('draws again when g_a is outside the safe range', () => {
    // 3^1 = 3 is far below 2^1984, so the first draw must be discarded.
    const draws = [bigintToBytes(1n), randomBytes(256)];
    let calls = 0;
    const { a, gA } = generateServerDhSecret(() => draws[calls++]);

    expect(calls).toBe(2);
    expect(a.equals(draws[1])).toBe(true);
    expect(isValidDhPublicValue(bytesToBigint(gA))).toBe(true);
  });
});

describe('computeAuthKey', () => {
  it('matches BigInt modular exponentiation and keeps 256 bytes', () => {
    const a = randomBytes(256);
    const gB = bytesToBigint(randomBytes(255));
    const key = computeAuthKey(gB, a);

    expect(key.length).toBe(256);
    expect(bytesToBigint(key)).toBe(referenceModPow(gB, bytesToBigint(a), DH_PRIME_BIGINT));
  });

  it('handles the values OpenSSL refuses as DH public values', () => {
    const evenA = Buffer.concat([randomBytes(255), Buffer.from([2])]);
    const oddA = Buffer.concat([randomBytes(255), Buffer.from([3])]);
    const pMinus1 = DH_PRIME_BIGINT - 1n;
    const cases: Array<[bigint, Buffer]> = [
      [0n, oddA],
      [1n, oddA],
      [pMinus1, evenA],
      [pMinus1, oddA],
      [DH_PRIME_BIGINT, oddA],
      [DH_PRIME_BIGINT + 1n, evenA],
      [(1n << 2048n) - 1n, oddA],
    ];
    for (const [gB, a] of cases) {
      const expected = referenceModPow(gB, bytesToBigint(a), DH_PRIME_BIGINT);
      expect(bytesToBigint(computeAuthKey(gB, a))).toBe(expected);
      expect(computeAuthKey(gB, a).length).toBe(256);
    }
  });
});
