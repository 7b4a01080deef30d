import { checkPrimeSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatePqChallenge, warmUpPqPrimes } from './pq.js';

describe('generatePqChallenge', () => {
  it('returns two distinct primes p < q whose product is pq', async () => {
    // The first round runs before the prime pool exists, the second draws from it.
    for (let i = 0; i < 40; i++) {
      if (i === 20) await warmUpPqPrimes();
      const { pq, p, q } = generatePqChallenge();
      const pValue = p.readUInt32BE(0);
      const qValue = q.readUInt32BE(0);

      expect(checkPrimeSync(BigInt(pValue))).toBe(true);
      expect(checkPrimeSync(BigInt(qValue))).toBe(true);
      expect(pValue).toBeLessThan(qValue);
      expect(BigInt(pValue) * BigInt(qValue)).toBe(pq.readBigUInt64BE(0));
    }
  });

  it('varies pq when drawing from the pool', async () => {
    await warmUpPqPrimes();
    const products = new Set<string>();
    for (let i = 0; i < 50; i++) products.add(generatePqChallenge().pq.toString('hex'));
    // 50 draws of 496 possible products repeat some, but far from all.
    expect(products.size).toBeGreaterThan(30);
  });

  it('uses 4-byte factors and an 8-byte pq', () => {
    for (let i = 0; i < 20; i++) {
      const { pq, p, q } = generatePqChallenge();

      expect(p.length).toBe(4);
      expect(q.length).toBe(4);
      expect(pq.length).toBe(8);
      expect(p[0]).not.toBe(0);
      expect(q[0]).not.toBe(0);
      expect(pq[0]).not.toBe(0);
      // pq must stay a positive signed 64-bit value for clients that read it as such.
      expect(pq[0]).toBeLessThan(0x80);
    }
  });
});
