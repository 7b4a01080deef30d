import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * AES-256 in IGE mode, as MTProto uses it for encrypted messages and the key exchange.
 *
 * The 32-byte IV is iv1 ‖ iv2, where iv1 is the ciphertext block before the first one and iv2
 * is the plaintext block before the first one. With c₋₁ = iv1 and m₋₁ = iv2:
 *   encryption: cᵢ = AES-E(mᵢ ⊕ cᵢ₋₁) ⊕ mᵢ₋₁
 *   decryption: mᵢ = AES-D(cᵢ ⊕ mᵢ₋₁) ⊕ cᵢ₋₁
 * Node has no IGE mode, so each call chains 16-byte blocks through one AES-256-ECB cipher.
 */

const BLOCK_SIZE = 16;
const KEY_SIZE = 32;
const IV_SIZE = 32;

function checkArguments(operation: string, data: Uint8Array, key: Uint8Array, iv: Uint8Array) {
  if (key.length !== KEY_SIZE) {
    throw new RangeError(`AES-IGE ${operation}: key must be ${KEY_SIZE} bytes, got ${key.length}`);
  }
  if (iv.length !== IV_SIZE) {
    throw new RangeError(`AES-IGE ${operation}: iv must be ${IV_SIZE} bytes, got ${iv.length}`);
  }
  if (data.length % BLOCK_SIZE !== 0) {
    throw new RangeError(
      `AES-IGE ${operation}: data length ${data.length} is not a multiple of ${BLOCK_SIZE}; ` +
        'pad the plaintext to whole blocks before encrypting',
    );
  }
}

/** Writes a ⊕ b into target[offset..offset+16]. */
function xorBlockInto(
  target: Buffer,
  offset: number,
  a: Uint8Array,
  aOffset: number,
  b: Uint8Array,
  bOffset: number,
): void {
  for (let i = 0; i < BLOCK_SIZE; i++) {
    target[offset + i] = a[aOffset + i] ^ b[bOffset + i];
  }
}

/**
 * Encrypts `plaintext` with AES-256-IGE. The length must be a multiple of 16. The caller pads,
 * because MTProto prescribes different padding rules in different places.
 */
export function aesIgeEncrypt(plaintext: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  checkArguments('encrypt', plaintext, key, iv);
  const cipher = createCipheriv('aes-256-ecb', key, null);
  cipher.setAutoPadding(false);

  const output = Buffer.allocUnsafe(plaintext.length);
  const input = Buffer.allocUnsafe(BLOCK_SIZE);
  let previousCipher: Uint8Array = iv;
  let previousCipherOffset = 0;
  let previousPlain: Uint8Array = iv;
  let previousPlainOffset = BLOCK_SIZE;

  for (let offset = 0; offset < plaintext.length; offset += BLOCK_SIZE) {
    xorBlockInto(input, 0, plaintext, offset, previousCipher, previousCipherOffset);
    const encrypted = cipher.update(input);
    xorBlockInto(output, offset, encrypted, 0, previousPlain, previousPlainOffset);

    previousCipher = output;
    previousCipherOffset = offset;
    previousPlain = plaintext;
    previousPlainOffset = offset;
  }
  cipher.final();
  return output;
}

/** Decrypts AES-256-IGE `ciphertext`, whose length must be a multiple of 16. */
export function aesIgeDecrypt(ciphertext: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  checkArguments('decrypt', ciphertext, key, iv);
  const decipher = createDecipheriv('aes-256-ecb', key, null);
  decipher.setAutoPadding(false);

  const output = Buffer.allocUnsafe(ciphertext.length);
  const input = Buffer.allocUnsafe(BLOCK_SIZE);
  let previousCipher: Uint8Array = iv;
  let previousCipherOffset = 0;
  let previousPlain: Uint8Array = iv;
  let previousPlainOffset = BLOCK_SIZE;

  for (let offset = 0; offset < ciphertext.length; offset += BLOCK_SIZE) {
    xorBlockInto(input, 0, ciphertext, offset, previousPlain, previousPlainOffset);
    const decrypted = decipher.update(input);
    xorBlockInto(output, offset, decrypted, 0, previousCipher, previousCipherOffset);

    previousCipher = ciphertext;
    previousCipherOffset = offset;
    previousPlain = output;
    previousPlainOffset = offset;
  }
  decipher.final();
  return output;
}
