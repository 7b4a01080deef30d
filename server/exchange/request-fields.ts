import type { TlObject } from '../tl/types.js';
import { KeyExchangeError } from './key-exchange-error.js';

/**
 * Typed access to the fields of decoded key-exchange objects. The TL decoder already produces
 * these types; the checks keep a hand-built or mismatched object from passing as valid.
 */

/** Returns a binary field (int128, int256 or bytes), checking its size when one is given. */
export function bufferField(object: TlObject, field: string, size?: number): Buffer {
  const value = object[field];
  if (!Buffer.isBuffer(value)) {
    throw new KeyExchangeError(`${object._}.${field} is missing or not binary data`);
  }
  if (size !== undefined && value.length !== size) {
    throw new KeyExchangeError(
      `${object._}.${field} is ${value.length} bytes; expected exactly ${size}`,
    );
  }
  return value;
}

/** Returns a `long` field. */
export function longField(object: TlObject, field: string): bigint {
  const value = object[field];
  if (typeof value !== 'bigint') {
    throw new KeyExchangeError(`${object._}.${field} is missing or not a long`);
  }
  return value;
}

/** Returns an `int` field. */
export function intField(object: TlObject, field: string): number {
  const value = object[field];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new KeyExchangeError(`${object._}.${field} is missing or not an int`);
  }
  return value;
}
