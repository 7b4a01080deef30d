import type { TlReader } from '../binary/tl-reader.js';
import {
  BOOL_FALSE_ID,
  BOOL_TRUE_ID,
  MAX_DEPTH,
  resolveBareType,
  VECTOR_ID,
} from './codec-common.js';
import { formatTlId, TlCodecError } from './codec-error.js';
import type { TlSchemaView } from './schema-view.js';
import { formatTlType, parsedParams, parseTlType, type TlType } from './tl-type.js';
import type { TlCombinator, TlObject } from './types.js';

/**
 * Key of the constructor id that a decoded method call arrived with. A method's name can map to
 * another id in the client's layer, and the dispatcher compares the two.
 */
export const RECEIVED_ID = Symbol('tl.receivedId');

/** Returns the constructor id a decoded method call arrived with, if it was decoded. */
export function receivedIdOf(value: TlObject): number | undefined {
  return (value as unknown as Record<symbol, number | undefined>)[RECEIVED_ID];
}

const ANY = { kind: 'any' } as const;

/**
 * Decodes a boxed object: its id, then its fields. The id may belong to a constructor or to a
 * method, and decoded method calls get `_` = the method name too. Malformed input raises
 * `TlCodecError` or, when the data runs out, `TlReadError`.
 */
export function decodeObject(reader: TlReader, view: TlSchemaView): TlObject {
  return readBoxed(reader, view, ANY, undefined, 0) as TlObject;
}

/** Decodes one value of a TL type given as text, such as `Vector<long>` or `%Message`. */
export function decodeValue(reader: TlReader, type: string, view: TlSchemaView): unknown {
  return readValue(reader, view, parseTlType(type), undefined, 0);
}

function readValue(
  reader: TlReader,
  view: TlSchemaView,
  type: TlType,
  context: TlCombinator | undefined,
  depth: number,
): unknown {
  switch (type.kind) {
    case 'int':
      return reader.int();
    case 'long':
      return reader.long();
    case 'double':
      return reader.double();
    // Copies, so that decoded values stay valid when the caller reuses its receive buffer.
    case 'int128':
      return Buffer.from(reader.raw(16));
    case 'int256':
      return Buffer.from(reader.raw(32));
    case 'bytes':
      return Buffer.from(reader.bytes());
    case 'string':
      return reader.string();
    case 'flags':
      return reader.uint();
    case 'true':
      return true;
    case 'bool':
      return readBool(reader);
    case 'vector':
      return readVector(reader, view, type, context, depth + 1);
    case 'any':
    case 'boxed':
      return readBoxed(reader, view, type, context, depth);
    case 'bare':
    case 'bareOfType':
      return readFields(reader, view, resolveBareType(view, type, context), depth + 1);
  }
}

function readBool(reader: TlReader): boolean {
  const offset = reader.offset;
  const id = reader.uint();
  if (id === BOOL_TRUE_ID) return true;
  if (id === BOOL_FALSE_ID) return false;
  throw new TlCodecError(
    'INPUT_CONSTRUCTOR_INVALID',
    `expected Bool (boolTrue#997275b5 or boolFalse#bc799737) at offset ${offset}, ` +
      `got id ${formatTlId(id)}`,
    id,
  );
}

function readBoxed(
  reader: TlReader,
  view: TlSchemaView,
  type: Extract<TlType, { kind: 'any' | 'boxed' }>,
  context: TlCombinator | undefined,
  depth: number,
): TlObject {
  const offset = reader.offset;
  const id = reader.uint();
  const combinator = view.byId(id);

  if (type.kind === 'any') {
    if (combinator === undefined) {
      throw new TlCodecError(
        'INPUT_METHOD_INVALID',
        `unknown constructor or method id ${formatTlId(id)} at offset ${offset} ` +
          `(layer ${view.layer} and all other known layers)`,
        id,
      );
    }
  } else if (combinator === undefined || combinator.kind !== 'constructor') {
    throw new TlCodecError(
      'INPUT_CONSTRUCTOR_INVALID',
      `unknown constructor id ${formatTlId(id)} at offset ${offset}, where a ${type.name}` +
        `${context ? ` for ${context.name}` : ''} was expected`,
      id,
    );
  } else if (combinator.type !== type.name) {
    throw new TlCodecError(
      'INPUT_CONSTRUCTOR_INVALID',
      `constructor ${combinator.name}#${formatTlId(id)} at offset ${offset} has type ` +
        `${combinator.type}, but ${type.name} was expected`,
      id,
    );
  }
  return readFields(reader, view, combinator, depth + 1);
}

function readFields(
  reader: TlReader,
  view: TlSchemaView,
  combinator: TlCombinator,
  depth: number,
): TlObject {
  checkDepth(depth, reader);
  const object: TlObject = { _: combinator.name };
  if (combinator.kind === 'method') {
    Object.defineProperty(object, RECEIVED_ID, { value: combinator.id, enumerable: false });
  }
  const flagWords = new Map<string, number>();

  for (const param of parsedParams(combinator)) {
    if (param.condition) {
      const word = flagWords.get(param.condition.flags) ?? 0;
      const present = ((word >>> param.condition.bit) & 1) === 1;
      if (param.type.kind === 'true') {
        object[param.name] = present;
        continue;
      }
      if (!present) continue;
    } else if (param.type.kind === 'flags') {
      // Flags words only mark which fields follow, so they are not kept in the object.
      flagWords.set(param.name, reader.uint());
      continue;
    }
    object[param.name] = readValue(reader, view, param.type, combinator, depth);
  }
  return object;
}

function readVector(
  reader: TlReader,
  view: TlSchemaView,
  type: Extract<TlType, { kind: 'vector' }>,
  context: TlCombinator | undefined,
  depth: number,
): unknown[] {
  checkDepth(depth, reader);
  if (type.boxed) {
    const offset = reader.offset;
    const id = reader.uint();
    if (id !== VECTOR_ID) {
      throw new TlCodecError(
        'INPUT_CONSTRUCTOR_INVALID',
        `expected vector id 1cb5c415 for ${formatTlType(type)} at offset ${offset}, ` +
          `got ${formatTlId(id)}`,
        id,
      );
    }
  }

  const offset = reader.offset;
  const count = reader.int();
  // Check the count against the bytes left before allocating or looping, because the count
  // comes from the network.
  const itemSize = Math.max(1, minWireSize(type.item, view, context, 0));
  if (count < 0 || count * itemSize > reader.remaining) {
    throw new TlCodecError(
      'INPUT_FETCH_ERROR',
      `invalid vector count ${count} at offset ${offset}: ${formatTlType(type)} items need at ` +
        `least ${itemSize} bytes each, and ${reader.remaining} bytes remain`,
    );
  }

  const items: unknown[] = [];
  for (let i = 0; i < count; i++) {
    items.push(readValue(reader, view, type.item, context, depth));
  }
  return items;
}

/**
 * Returns the fewest bytes a value of the type can take, to bound vector counts.
 * NOTE: an item that can take zero bytes (bare `true`, a bare constructor with no fields) counts
 * as one byte, so such a vector may not be longer than the bytes left. No current schema has one.
 */
function minWireSize(
  type: TlType,
  view: TlSchemaView,
  context: TlCombinator | undefined,
  depth: number,
): number {
  switch (type.kind) {
    case 'long':
    case 'double':
      return 8;
    case 'int128':
      return 16;
    case 'int256':
      return 32;
    case 'true':
      return 0;
    case 'vector':
      return type.boxed ? 8 : 4;
    case 'bare':
    case 'bareOfType': {
      if (depth >= 4) return 0;
      const combinator = resolveBareType(view, type, context);
      let size = 0;
      for (const param of parsedParams(combinator)) {
        if (!param.condition) size += minWireSize(param.type, view, combinator, depth + 1);
      }
      return size;
    }
    default:
      // int, flags, bytes, string, Bool and boxed objects all take at least 4 bytes.
      return 4;
  }
}

function checkDepth(depth: number, reader: TlReader): void {
  if (depth > MAX_DEPTH) {
    throw new TlCodecError(
      'INPUT_FETCH_ERROR',
      `TL data nests deeper than ${MAX_DEPTH} objects and vectors at offset ${reader.offset}`,
    );
  }
}
