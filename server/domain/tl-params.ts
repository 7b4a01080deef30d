import type { TlObject } from '../tl/types.js';

/**
 * Typed access to the parameters of a decoded TL request. The TL decoder already enforces the
 * schema, so a wrong type here means that the decoder or the dispatcher has a bug, and these
 * functions throw a TypeError (an internal error) instead of an RPC error.
 */

function wrongType(params: TlObject, name: string, expected: string): TypeError {
  const value = params[name];
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return new TypeError(
    `${params._}: parameter ${name} must be ${expected}, got ${actual}. ` +
      'The TL decoder should have produced it; check the schema entry for this method.',
  );
}

/** Reads a `string` parameter. */
export function stringParam(params: TlObject, name: string): string {
  const value = params[name];
  if (typeof value !== 'string') throw wrongType(params, name, 'a string');
  return value;
}

/** Reads a `flags.N?string` parameter. */
export function optionalStringParam(params: TlObject, name: string): string | undefined {
  return params[name] === undefined ? undefined : stringParam(params, name);
}

/** Reads a `bytes` parameter as a Buffer. */
export function bytesParam(params: TlObject, name: string): Buffer {
  const value = params[name];
  if (!(value instanceof Uint8Array)) throw wrongType(params, name, 'a Buffer');
  return Buffer.isBuffer(value) ? value : Buffer.from(value);
}

/** Reads a `flags.N?bytes` parameter. */
export function optionalBytesParam(params: TlObject, name: string): Buffer | undefined {
  return params[name] === undefined ? undefined : bytesParam(params, name);
}

/** Reads a `long` parameter. */
export function longParam(params: TlObject, name: string): bigint {
  const value = params[name];
  if (typeof value !== 'bigint') throw wrongType(params, name, 'a bigint');
  return value;
}

/** Reads an `int` parameter. */
export function intParam(params: TlObject, name: string): number {
  const value = params[name];
  if (typeof value !== 'number') throw wrongType(params, name, 'a number');
  return value;
}

/** Reads a boxed TL object parameter. */
export function objectParam(params: TlObject, name: string): TlObject {
  const value = params[name] as TlObject | undefined;
  if (typeof value !== 'object' || value === null || typeof value._ !== 'string') {
    throw wrongType(params, name, 'a TL object');
  }
  return value;
}

/** Reads a `flags.N?Type` object parameter. */
export function optionalObjectParam(params: TlObject, name: string): TlObject | undefined {
  return params[name] === undefined ? undefined : objectParam(params, name);
}
