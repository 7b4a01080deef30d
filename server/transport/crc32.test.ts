// GramJS's connection modules import each other in a cycle that only loading the root settles.
import 'telegram';
import { randomBytes } from 'node:crypto';
import { crc32 as gramjsCrc32 } from 'telegram/Helpers.js';
import { describe, expect, it } from 'vitest';
import { crc32, tableCrc32 } from './crc32.js';

describe('crc32', () => {
  it('gives the IEEE check value for "123456789"', () => {
    const check = Buffer.from('123456789', 'latin1');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(tableCrc32(check)).toBe(0xcbf43926);
  });

  it('gives 0 for empty input', () => {
    expect(crc32(Buffer.alloc(0))).toBe(0);
    expect(tableCrc32(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with the table version and GramJS on random data', () => {
    for (const size of [1, 3, 64, 1000, 65537]) {
      const data = randomBytes(size);
      const expected = gramjsCrc32(data);
      expect(crc32(data)).toBe(expected);
      expect(tableCrc32(data)).toBe(expected);
    }
  });
});
