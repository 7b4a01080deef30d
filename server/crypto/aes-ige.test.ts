import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesIgeDecrypt, aesIgeEncrypt } from './aes-ige.js';

const require = createRequire(import.meta.url);
// GramJS 2.26.22 client code, built on @cryptography/aes: an implementation independent of ours.
const { IGE: GramJsIge } = require('telegram/crypto/IGE') as {
  IGE: new (
    key: Buffer,
    iv: Buffer,
  ) => {
    encryptIge(plaintext: Buffer): Buffer;
    decryptIge(ciphertext: Buffer): Buffer;
  };
};

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ b[i]));
}

describe('aesIgeEncrypt', () => {
  it('matches a vector derived from FIPS-197', () => {
    // FIPS-197 appendix C.3: AES-256 of P under key 00..1f is C. With a zero IV, IGE gives
    // c0 = E(m0) = C, and choosing m1 = P ⊕ c0 gives c1 = E(P) ⊕ m0 = C ⊕ P.
    const key = Buffer.from(
      '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
      'hex',
    );
    const plain = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const cipher = Buffer.from('8ea2b7ca516745bfeafc49904b496089', 'hex');
    const input = Buffer.concat([plain, xor(plain, cipher)]);

    const output = aesIgeEncrypt(input, key, Buffer.alloc(32));

    expect(output.subarray(0, 16).toString('hex')).toBe(cipher.toString('hex'));
    expect(output.subarray(16, 32).toString('hex')).toBe(xor(cipher, plain).toString('hex'));
  });

  it('uses iv1 as previous ciphertext and iv2 as previous plaintext', () => {
    // One block: c0 = E(m0 ⊕ iv1) ⊕ iv2, so with m0 = P ⊕ iv1 the result is C ⊕ iv2.
    const key = Buffer.from(
      '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
      'hex',
    );
    const plain = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const cipher = Buffer.from('8ea2b7ca516745bfeafc49904b496089', 'hex');
    const iv1 = Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f', 'hex');
    const iv2 = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');

    const output = aesIgeEncrypt(xor(plain, iv1), key, Buffer.concat([iv1, iv2]));

    expect(output.toString('hex')).toBe(xor(cipher, iv2).toString('hex'));
  });

  it('matches GramJS for random inputs', () => {
    for (const blocks of [1, 2, 3, 16, 65]) {
      const key = randomBytes(32);
      const iv = randomBytes(32);
      const plaintext = randomBytes(blocks * 16);

      const ours = aesIgeEncrypt(plaintext, key, iv);
      const theirs = Buffer.from(new GramJsIge(key, iv).encryptIge(plaintext));

      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
    }
  });

  it('returns an empty buffer for empty input', () => {
    expect(aesIgeEncrypt(Buffer.alloc(0), randomBytes(32), randomBytes(32)).length).toBe(0);
  });

  it('rejects lengths that are not whole blocks', () => {
    expect(() => aesIgeEncrypt(Buffer.alloc(17), randomBytes(32), randomBytes(32))).toThrow(
      /data length 17 is not a multiple of 16/,
    );
  });

  it('rejects a wrong key or iv size', () => {
    expect(() => aesIgeEncrypt(Buffer.alloc(16), randomBytes(16), randomBytes(32))).toThrow(
      /key must be 32 bytes, got 16/,
    );
    expect(() => aesIgeEncrypt(Buffer.alloc(16), randomBytes(32), randomBytes(16))).toThrow(
      /iv must be 32 bytes, got 16/,
    );
  });

  it('does not modify its inputs', () => {
    const key = randomBytes(32);
    const iv = randomBytes(32);
    const plaintext = randomBytes(64);
    const copies = [Buffer.from(key), Buffer.from(iv), Buffer.from(plaintext)];

    aesIgeEncrypt(plaintext, key, iv);

    expect(key.equals(copies[0])).toBe(true);
    expect(iv.equals(copies[1])).toBe(true);
    expect(plaintext.equals(copies[2])).toBe(true);
  });
});

describe('aesIgeDecrypt', () => {
  it('decrypts what GramJS encrypts', () => {
    const key = randomBytes(32);
    const iv = randomBytes(32);
    const plaintext = randomBytes(48);
    const ciphertext = Buffer.from(new GramJsIge(key, iv).encryptIge(plaintext));

    expect(aesIgeDecrypt(ciphertext, key, iv).toString('hex')).toBe(plaintext.toString('hex'));
  });

  it('produces what GramJS decrypts', () => {
    const key = randomBytes(32);
    const iv = randomBytes(32);
    const ciphertext = randomBytes(80);

    const ours = aesIgeDecrypt(ciphertext, key, iv);
    const theirs = Buffer.from(new GramJsIge(key, iv).decryptIge(ciphertext));

    expect(ours.toString('hex')).toBe(theirs.toString('hex'));
  });

  it('inverts aesIgeEncrypt', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc
          .integer({ min: 0, max: 40 })
          .chain((blocks) => fc.uint8Array({ minLength: blocks * 16, maxLength: blocks * 16 })),
        (key, iv, plaintext) => {
          const ciphertext = aesIgeEncrypt(plaintext, key, iv);
          expect(aesIgeDecrypt(ciphertext, key, iv).equals(Buffer.from(plaintext))).toBe(true);
        },
      ),
    );
  });

  it('rejects lengths that are not whole blocks', () => {
    expect(() => aesIgeDecrypt(Buffer.alloc(31), randomBytes(32), randomBytes(32))).toThrow(
      /data length 31 is not a multiple of 16/,
    );
  });
});
