import { createDiffieHellman, type DiffieHellman } from 'node:crypto';
import { DH_G, DH_PRIME, DH_PRIME_BYTES } from './telegram-prime.js';

/**
 * Modular exponentiation modulo Telegram's 2048-bit prime, done by OpenSSL through a node:crypto
 * DiffieHellman object: `setPrivateKey(exponent)` then `computeSecret(base)` is base^exponent mod p.
 *
 * Creating the object costs about 200 ms, because OpenSSL checks the prime, so one instance is
 * built on first use and reused. Call `warmUpModPow()` after start-up to pay that cost early.
 */
let engine: DiffieHellman | undefined;

function getEngine(): DiffieHellman {
  engine ??= createDiffieHellman(DH_PRIME, Buffer.from([DH_G]));
  return engine;
}

/** Builds the OpenSSL engine now, so that the first key exchange does not pay for it. */
export function warmUpModPow(): void {
  getEngine();
}

/** Encodes a non-negative integer as big-endian bytes, left-padded to `length`. */
export function bigintToBytes(value: bigint, length = DH_PRIME_BYTES): Buffer {
  if (value < 0n) throw new RangeError('bigintToBytes takes non-negative values only');
  const hex = value.toString(16);
  if (hex.length > length * 2) {
    throw new RangeError(`value needs ${Math.ceil(hex.length / 2)} bytes, more than ${length}`);
  }
  return Buffer.from(hex.padStart(length * 2, '0'), 'hex');
}

/** Reads big-endian bytes as a non-negative integer. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function toBytes(value: Uint8Array | bigint): Buffer {
  return typeof value === 'bigint' ? bigintToBytes(value) : Buffer.from(value);
}

/**
 * Computes base^exponent mod p for Telegram's prime p, as 256 big-endian bytes.
 * The base must satisfy 1 < base < p - 1, because OpenSSL validates it as a DH public value.
 */
export function modPowPrime(base: Uint8Array | bigint, exponent: Uint8Array | bigint): Buffer {
  const dh = getEngine();
  dh.setPrivateKey(toBytes(exponent));
  return padToPrime(dh.computeSecret(toBytes(base)));
}

/** Computes g^exponent mod p for g = 3, as 256 big-endian bytes. */
export function powGenerator(exponent: Uint8Array | bigint): Buffer {
  const dh = getEngine();
  dh.setPrivateKey(toBytes(exponent));
  // generateKeys() returns the minimal encoding, so a leading zero byte has to be put back.
  return padToPrime(dh.generateKeys());
}

function padToPrime(value: Buffer): Buffer {
  if (value.length === DH_PRIME_BYTES) return value;
  const padded = Buffer.alloc(DH_PRIME_BYTES);
  value.copy(padded, DH_PRIME_BYTES - value.length);
  return padded;
}
