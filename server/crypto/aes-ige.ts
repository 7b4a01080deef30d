import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * AES-256 in IGE mode, as MTProto uses it for encrypted messages and the key exchange.
 *
 * The 32-byte IV is iv1 ‖ iv2, where iv1 is the ciphertext block before the first one and iv2
 * is the plaintext block before the first one. With c₋₁ = iv1 and m₋₁ = iv2:
 *   encryption: cᵢ = AES-E(mᵢ ⊕ cᵢ₋₁) ⊕ mᵢ₋₁
 *   decryption: mᵢ = AES-D(cᵢ ⊕ mᵢ₋₁) ⊕ cᵢ₋₁
 * Node has no IGE mode. Encryption runs as one AES-256-CBC call (see aesIgeEncrypt), while
 * decryption chains 16-byte blocks through one AES-256-ECB decipher.
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
 *
 * IGE encryption equals CBC encryption of a rewritten input, which lets OpenSSL chain all the
 * blocks in one call instead of one call per block. Let zᵢ = AES-E(mᵢ ⊕ cᵢ₋₁), so that
 * cᵢ = zᵢ ⊕ mᵢ₋₁. CBC with IV iv1 over xᵢ = mᵢ ⊕ mᵢ₋₂ (with m₋₁ = iv2 and m₋₂ = 0) yields
 * yᵢ = AES-E(xᵢ ⊕ yᵢ₋₁). By induction yᵢ = zᵢ, because xᵢ ⊕ zᵢ₋₁ = mᵢ ⊕ cᵢ₋₁.
 */
export function aesIgeEncrypt(plaintext: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  const output = Buffer.allocUnsafe(plaintext.length);
  aesIgeEncryptInto(plaintext, key, iv, output, 0);
  return output;
}

/** Encrypts like aesIgeEncrypt into target[offset..], which must not overlap the plaintext. */
export function aesIgeEncryptInto(
  plaintext: Uint8Array,
  key: Uint8Array,
  iv: Uint8Array,
  target: Uint8Array,
  offset: number,
): void {
  checkArguments('encrypt', plaintext, key, iv);
  const length = plaintext.length;
  if (length === 0) return;

  const cbcInput = Buffer.allocUnsafe(length);
  cbcInput.set(plaintext.subarray(0, BLOCK_SIZE), 0);
  if (length > BLOCK_SIZE) {
    xorBlockInto(cbcInput, BLOCK_SIZE, plaintext, BLOCK_SIZE, iv, BLOCK_SIZE);
  }
  for (let i = 2 * BLOCK_SIZE; i < length; i++) {
    cbcInput[i] = plaintext[i] ^ plaintext[i - 2 * BLOCK_SIZE];
  }

  // update() of whole blocks returns all of them, and only final() would add the PKCS#7 block,
  // so final() is never called and padding needs no switching off.
  const cbcOutput = createCipheriv('aes-256-cbc', key, iv.subarray(0, BLOCK_SIZE)).update(cbcInput);

  // cᵢ = yᵢ ⊕ mᵢ₋₁, where m₋₁ = iv2.
  for (let i = 0; i < BLOCK_SIZE; i++) {
    target[offset + i] = cbcOutput[i] ^ iv[BLOCK_SIZE + i];
  }
  for (let i = BLOCK_SIZE; i < length; i++) {
    target[offset + i] = cbcOutput[i] ^ plaintext[i - BLOCK_SIZE];
  }
}

/** AES-D input of the block being decrypted; update() copies it, so one buffer serves all calls. */
const decryptInput = Buffer.alloc(BLOCK_SIZE);

/**
 * Decrypts AES-256-IGE `ciphertext`, whose length must be a multiple of 16. Each block's input
 * to AES-D depends on the previous block's output, so no OpenSSL mode can chain it in one call.
 */
export function aesIgeDecrypt(ciphertext: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  checkArguments('decrypt', ciphertext, key, iv);
  const decipher = createDecipheriv('aes-256-ecb', key, null);
  decipher.setAutoPadding(false);

  const output = Buffer.allocUnsafe(ciphertext.length);
  const input = decryptInput;
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
  // With padding off, final() would return nothing, so it is not called.
  return output;
}
