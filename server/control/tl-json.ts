import { resolveBareType } from '../tl/codec-common.js';
import type { TlSchemaView } from '../tl/schema-view.js';
import { parsedParams, parseTlType, type TlType } from '../tl/tl-type.js';
import type { TlCombinator, TlObject } from '../tl/types.js';
import { toLogValue } from '../rpc/log-params.js';
import { ControlInputError } from './control-input-error.js';

// JSON forms of TL values in stubs, predicates and the journal: long as a decimal string or a
// safe integer, bytes/int128/int256 as "hex:…" or "base64:…" (a plain string is UTF-8 text for
// bytes), Bool and flags.N?true as booleans, vectors as arrays, objects as {"_": name, …}.

/** Bytes longer than this appear in the journal as their length only. */
const MAX_JOURNAL_HEX_BYTES = 256;

export interface FromJsonOptions {
  /** Reject fields that the layer's definition lacks; used when a stub is created. */
  strict?: boolean;
}

/**
 * Converts a JSON value to the TL value shape that the encoder takes (bigint for long, Buffer
 * for bytes), following `type` in the schema view. Throws ControlInputError naming the path.
 */
export function tlFromJson(
  value: unknown,
  type: string,
  view: TlSchemaView,
  path: string,
  options: FromJsonOptions = {},
): unknown {
  return convert(value, parseTlType(type), view, undefined, path, options, 0);
}

const MAX_DEPTH = 32;

function convert(
  value: unknown,
  type: TlType,
  view: TlSchemaView,
  context: TlCombinator | undefined,
  path: string,
  options: FromJsonOptions,
  depth: number,
): unknown {
  if (depth > MAX_DEPTH) throw new ControlInputError(`${path} nests too deep`, path);
  switch (type.kind) {
    case 'int':
    case 'flags':
    case 'double':
      if (typeof value !== 'number') throw expected(path, `a number (${type.kind})`, value);
      return value;
    case 'long':
      return parseLong(value, path);
    case 'int128':
    case 'int256':
    case 'bytes':
      return parseBytes(value, path, type.kind === 'bytes');
    case 'string':
      if (typeof value !== 'string') throw expected(path, 'a string', value);
      return value;
    case 'bool':
    case 'true':
      if (typeof value !== 'boolean') throw expected(path, 'true or false', value);
      return value;
    case 'vector':
      if (!Array.isArray(value)) throw expected(path, 'an array', value);
      return value.map((item, i) =>
        convert(item, type.item, view, context, `${path}[${i}]`, options, depth + 1),
      );
    case 'any':
      if (typeof value === 'boolean') return value;
      return convertObject(value, undefined, view, context, path, options, depth);
    case 'boxed':
      return convertObject(value, type.name, view, context, path, options, depth);
    case 'bare':
    case 'bareOfType': {
      const combinator = resolveBareType(view, type, context);
      return convertFields(value, combinator, view, path, options, depth);
    }
  }
}

function convertObject(
  value: unknown,
  boxedType: string | undefined,
  view: TlSchemaView,
  context: TlCombinator | undefined,
  path: string,
  options: FromJsonOptions,
  depth: number,
): TlObject {
  if (!isPlainObject(value) || typeof value._ !== 'string') {
    throw expected(
      path,
      `a TL object with "_" naming a constructor of ${boxedType ?? 'Object'}`,
      value,
    );
  }
  const name = value._;
  const combinator =
    view.constructorByName(name, context) ??
    (boxedType === undefined ? view.methodByName(name, context) : undefined);
  if (combinator === undefined) {
    throw new ControlInputError(
      `${path}._: no constructor named ${name} in layer ${view.layer}; check the name`,
      `${path}._`,
    );
  }
  if (boxedType !== undefined && combinator.type !== boxedType) {
    throw new ControlInputError(
      `${path}: ${name} is a ${combinator.type}, but a ${boxedType} is expected here`,
      `${path}._`,
    );
  }
  return convertFields(value, combinator, view, path, options, depth);
}

function convertFields(
  value: unknown,
  combinator: TlCombinator,
  view: TlSchemaView,
  path: string,
  options: FromJsonOptions,
  depth: number,
): TlObject {
  if (!isPlainObject(value)) throw expected(path, `a ${combinator.name} object`, value);
  const params = parsedParams(combinator);
  const result: TlObject = { _: combinator.name };
  for (const param of params) {
    const item = value[param.name];
    if (param.type.kind === 'flags' || item === undefined || item === null) continue;
    result[param.name] = convert(
      item,
      param.type,
      view,
      combinator,
      `${path}.${param.name}`,
      options,
      depth + 1,
    );
  }
  if (options.strict) {
    const known = new Set(params.map((param) => param.name));
    const unknown = Object.keys(value).find((key) => key !== '_' && !known.has(key));
    if (unknown !== undefined) {
      throw new ControlInputError(
        `${path}.${unknown}: ${combinator.name} has no field ${unknown} in layer ${view.layer}; ` +
          `its fields are ${[...known].join(', ') || '(none)'}`,
        `${path}.${unknown}`,
      );
    }
  }
  return result;
}

function parseLong(value: unknown, path: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    const parsed = BigInt(value);
    if (parsed >= -(1n << 63n) && parsed < 1n << 64n) return parsed;
  }
  throw expected(path, 'a long as a decimal string or a safe integer', value);
}

/** Parses `hex:…` or `base64:…`; for `bytes` fields a plain string is UTF-8 text. */
export function parseBytes(value: unknown, path: string, allowText: boolean): Buffer {
  if (typeof value === 'string') {
    if (value.startsWith('hex:')) {
      const hex = value.slice(4);
      if (/^([0-9a-fA-F]{2})*$/.test(hex)) return Buffer.from(hex, 'hex');
      throw expected(path, 'an even number of hex digits after "hex:"', value);
    }
    if (value.startsWith('base64:')) return Buffer.from(value.slice(7), 'base64');
    if (allowText) return Buffer.from(value, 'utf8');
  }
  throw expected(path, 'bytes as "hex:…" or "base64:…"', value);
}

/**
 * Converts a decoded TL value to its JSON form for predicate matching: bigints become decimal
 * strings and byte buffers `hex:…`. Nothing is redacted, because stubs may match any field.
 */
export function toMatchValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`;
  if (depth > MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => toMatchValue(item, depth + 1));
  if (isPlainObject(value)) {
    const plain: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) plain[key] = toMatchValue(item, depth + 1);
    return plain;
  }
  return value;
}

/**
 * Converts decoded parameters to the journal's JSON form: like `toMatchValue`, but secret
 * fields are redacted by `toLogValue` and bytes above 256 bytes appear as their length.
 */
export function toJournalValue(value: unknown): unknown {
  return toLogValue(bytesToHex(value, 0));
}

function bytesToHex(value: unknown, depth: number): unknown {
  if (value instanceof Uint8Array) {
    if (value.length > MAX_JOURNAL_HEX_BYTES) return Buffer.from(value);
    return `hex:${Buffer.from(value).toString('hex')}`;
  }
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => bytesToHex(item, depth + 1));
  if (isPlainObject(value)) {
    const plain: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) plain[key] = bytesToHex(item, depth + 1);
    return plain;
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

function expected(path: string, what: string, value: unknown): ControlInputError {
  return new ControlInputError(`${path} must be ${what}, got ${describe(value)}`, path);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
