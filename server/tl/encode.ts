import type { TlWriter } from '../binary/tl-writer.js';
import {
  BOOL_FALSE_ID,
  BOOL_TRUE_ID,
  MAX_DEPTH,
  resolveBareType,
  VECTOR_ID,
} from './codec-common.js';
import { TlCodecError } from './codec-error.js';
import type { TlSchemaView } from './schema-view.js';
import { formatTlType, parsedParams, parseTlType, type TlType } from './tl-type.js';
import type { TlCombinator, TlObject } from './types.js';

const ANY = { kind: 'any' } as const;
const INT_MIN = -0x80000000;
const UINT_MAX = 0xffffffff;

/** Position of a value, for error messages: `config.dc_options` or `the value`. */
type Location = string;

/**
 * Encodes a boxed object: the id of the constructor or method named by `value._` in the view,
 * then its fields. The view's definition decides the wire format, so one value shape can serve
 * many layers:
 * - Fields that the definition lacks are ignored.
 * - A missing required field of a scalar type is written as zero (0, 0n, '', an empty Buffer,
 *   false, an empty vector, zero-filled int128/int256).
 * - A missing required field of an object type raises `ENCODE_VALUE_INVALID`.
 *
 * Flags words are computed from the optional fields present, and any `flags` value in the
 * object is ignored. A field is present when it is neither `undefined` nor `null`, and a
 * `flags.N?true` field when it is `true`. When fields share a bit, each of them is written, as
 * zero if missing.
 */
export function encodeObject(writer: TlWriter, value: TlObject, view: TlSchemaView): void {
  writeValue(writer, view, ANY, value, undefined, 'the value', 0);
}

/** Encodes one value of a TL type given as text, such as a method's return type `Vector<User>`. */
export function encodeValue(
  writer: TlWriter,
  type: string,
  value: unknown,
  view: TlSchemaView,
): void {
  writeValue(writer, view, parseTlType(type), value, undefined, 'the value', 0);
}

function writeValue(
  writer: TlWriter,
  view: TlSchemaView,
  type: TlType,
  value: unknown,
  context: TlCombinator | undefined,
  location: Location,
  depth: number,
): void {
  switch (type.kind) {
    case 'int':
      writer.int(expectInt(value, location));
      return;
    case 'flags':
      writer.uint(expectInt(value, location));
      return;
    case 'long':
      writer.long(expectLong(value, location));
      return;
    case 'double':
      if (typeof value !== 'number') throw invalid(location, 'a number (double)', value);
      writer.double(value);
      return;
    case 'int128':
    case 'int256':
      writer.raw(expectFixedBytes(value, type.kind === 'int128' ? 16 : 32, location));
      return;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw invalid(location, 'a Buffer (bytes)', value);
      writer.bytes(value);
      return;
    case 'string':
      if (typeof value === 'string') writer.string(value);
      else if (value instanceof Uint8Array) writer.bytes(value);
      else throw invalid(location, 'a string', value);
      return;
    case 'true':
      return;
    case 'bool':
      writer.uint(expectBool(value, location) ? BOOL_TRUE_ID : BOOL_FALSE_ID);
      return;
    case 'vector':
      writeVector(writer, view, type, value, context, location, depth + 1);
      return;
    case 'any':
      if (typeof value === 'boolean') {
        writer.uint(value ? BOOL_TRUE_ID : BOOL_FALSE_ID);
        return;
      }
      writeBoxed(writer, view, type, value, context, location, depth + 1);
      return;
    case 'boxed':
      writeBoxed(writer, view, type, value, context, location, depth + 1);
      return;
    case 'bare':
    case 'bareOfType': {
      const constructor = resolveBareType(view, type, context);
      const object = expectObject(value, location, constructor.name);
      if (object._ !== undefined && object._ !== constructor.name) {
        throw new TlCodecError(
          'ENCODE_VALUE_INVALID',
          `${location} must be a bare ${constructor.name}, got _ = ${JSON.stringify(object._)}`,
        );
      }
      writeFields(writer, view, constructor, object, depth + 1);
      return;
    }
  }
}

function writeBoxed(
  writer: TlWriter,
  view: TlSchemaView,
  type: Extract<TlType, { kind: 'any' | 'boxed' }>,
  value: unknown,
  context: TlCombinator | undefined,
  location: Location,
  depth: number,
): void {
  const expected = type.kind === 'boxed' ? type.name : 'object';
  const object = expectObject(value, location, expected);
  if (typeof object._ !== 'string') {
    throw invalid(location, `a TL object with a string _ naming its ${expected}`, object._);
  }

  const combinator =
    view.constructorByName(object._, context) ??
    (type.kind === 'any' ? view.methodByName(object._, context) : undefined);
  if (combinator === undefined) {
    throw new TlCodecError(
      'ENCODE_NAME_INVALID',
      `${location}: no ${type.kind === 'any' ? 'constructor or method' : 'constructor'} named ` +
        `${object._} in layer ${view.layer}; check the name against the schema`,
    );
  }
  if (type.kind === 'boxed' && combinator.type !== type.name) {
    throw new TlCodecError(
      'ENCODE_VALUE_INVALID',
      `${location} must be a ${type.name}, but ${object._} is a ${combinator.type}`,
      combinator.id,
    );
  }
  writer.uint(combinator.id);
  writeFields(writer, view, combinator, object, depth);
}

function writeFields(
  writer: TlWriter,
  view: TlSchemaView,
  combinator: TlCombinator,
  object: TlObject,
  depth: number,
): void {
  if (depth > MAX_DEPTH) {
    throw new TlCodecError(
      'ENCODE_VALUE_INVALID',
      `${combinator.name} nests deeper than ${MAX_DEPTH} objects and vectors; ` +
        'check the value for a cycle',
    );
  }
  const params = parsedParams(combinator);

  // A flags word sets a field's bit when that field is present. Fields sharing a bit are then
  // all written, so a missing sibling falls back to its zero value below.
  const flagWords = new Map<string, number>();
  for (const param of params) {
    if (param.condition && isPresent(object[param.name], param.type)) {
      const word = flagWords.get(param.condition.flags) ?? 0;
      flagWords.set(param.condition.flags, (word | (1 << param.condition.bit)) >>> 0);
    }
  }

  for (const param of params) {
    const location = `${combinator.name}.${param.name}`;
    if (param.condition) {
      const word = flagWords.get(param.condition.flags) ?? 0;
      if (((word >>> param.condition.bit) & 1) === 0) continue;
    } else if (param.type.kind === 'flags') {
      writer.uint(flagWords.get(param.name) ?? 0);
      continue;
    }

    const value = object[param.name];
    if (value === undefined || value === null) {
      writeZero(writer, param.type, location);
    } else {
      writeValue(writer, view, param.type, value, combinator, location, depth);
    }
  }
}

function isPresent(value: unknown, type: TlType): boolean {
  if (type.kind === 'true') return value === true;
  return value !== undefined && value !== null;
}

function writeVector(
  writer: TlWriter,
  view: TlSchemaView,
  type: Extract<TlType, { kind: 'vector' }>,
  value: unknown,
  context: TlCombinator | undefined,
  location: Location,
  depth: number,
): void {
  if (!Array.isArray(value)) throw invalid(location, `an array (${formatTlType(type)})`, value);
  if (depth > MAX_DEPTH) {
    throw new TlCodecError(
      'ENCODE_VALUE_INVALID',
      `${location} nests deeper than ${MAX_DEPTH} objects and vectors; check it for a cycle`,
    );
  }
  if (type.boxed) writer.uint(VECTOR_ID);
  writer.int(value.length);
  for (let i = 0; i < value.length; i++) {
    writeValue(writer, view, type.item, value[i], context, `${location}[${i}]`, depth);
  }
}

/** Writes the zero value of a scalar type for a missing field, or raises for object types. */
function writeZero(writer: TlWriter, type: TlType, location: Location): void {
  switch (type.kind) {
    case 'int':
    case 'flags':
      writer.int(0);
      return;
    case 'long':
      writer.long(0n);
      return;
    case 'double':
      writer.double(0);
      return;
    case 'int128':
      writer.raw(Buffer.alloc(16));
      return;
    case 'int256':
      writer.raw(Buffer.alloc(32));
      return;
    case 'bytes':
    case 'string':
      writer.bytes(Buffer.alloc(0));
      return;
    case 'bool':
      writer.uint(BOOL_FALSE_ID);
      return;
    case 'true':
      return;
    case 'vector':
      if (type.boxed) writer.uint(VECTOR_ID);
      writer.int(0);
      return;
    default:
      throw new TlCodecError(
        'ENCODE_VALUE_INVALID',
        `missing required field ${location} of type ${formatTlType(type)}; set it in the value`,
      );
  }
}

function expectInt(value: unknown, location: Location): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalid(location, 'an integer number (int)', value);
  }
  if (value < INT_MIN || value > UINT_MAX) {
    throw invalid(location, `an int between ${INT_MIN} and ${UINT_MAX}`, value);
  }
  return value;
}

function expectLong(value: unknown, location: Location): bigint {
  if (typeof value === 'bigint') {
    if (value < -(1n << 63n) || value >= 1n << 64n) {
      throw invalid(location, 'a bigint that fits in 64 bits (long)', value);
    }
    return value;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw invalid(location, 'a bigint or a safe integer number (long)', value);
}

function expectFixedBytes(value: unknown, length: number, location: Location): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw invalid(location, `a Buffer of exactly ${length} bytes (int${length * 8})`, value);
  }
  return value;
}

function expectBool(value: unknown, location: Location): boolean {
  if (typeof value === 'boolean') return value;
  const name = (value as TlObject | null)?._;
  if (name === 'boolTrue') return true;
  if (name === 'boolFalse') return false;
  throw invalid(location, 'a boolean (Bool)', value);
}

function expectObject(value: unknown, location: Location, expected: string): TlObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(location, `a TL object (${expected})`, value);
  }
  return value as TlObject;
}

function invalid(location: Location, expected: string, value: unknown): TlCodecError {
  return new TlCodecError(
    'ENCODE_VALUE_INVALID',
    `${location} must be ${expected}, got ${describeValue(value)}`,
  );
}

function describeValue(value: unknown): string {
  if (value instanceof Uint8Array) return `a ${value.length}-byte buffer`;
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object' && value !== null) {
    const name = (value as { _?: unknown })._;
    return typeof name === 'string' ? `a ${name} object` : 'an object without _';
  }
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
}
