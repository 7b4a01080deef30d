import { describe, expect, it } from 'vitest';
import { fillRandom } from './random-pool.js';

describe('fillRandom', () => {
  it('writes only the requested range', () => {
    const target = Buffer.alloc(64, 0xaa);
    fillRandom(target, 10, 20);
    expect(target.subarray(0, 10).every((byte) => byte === 0xaa)).toBe(true);
    expect(target.subarray(30).every((byte) => byte === 0xaa)).toBe(true);
    // 20 random bytes all equal to 0xaa would happen with probability 2^-160.
    expect(target.subarray(10, 30).every((byte) => byte === 0xaa)).toBe(false);
  });

  it('never hands out the same bytes twice', () => {
    // 1,000 draws of 27 bytes cross several refills of the 4 KiB pool. Any repeat of a
    // 27-byte string means pooled bytes were reused.
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const target = Buffer.alloc(27);
      fillRandom(target, 0, 27);
      seen.add(target.toString('hex'));
    }
    expect(seen.size).toBe(1000);
  });

  it('fills requests larger than the pool', () => {
    const target = Buffer.alloc(10_000);
    fillRandom(target, 0, 10_000);
    // Each 1 KiB slice is random, so none is all zeros.
    for (let offset = 0; offset < 10_000; offset += 1000) {
      expect(target.subarray(offset, offset + 1000).some((byte) => byte !== 0)).toBe(true);
    }
  });
});
