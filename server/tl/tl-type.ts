import { TlCodecError } from './codec-error.js';
import type { TlCombinator } from './types.js';

/** A parsed TL type expression, as the codec uses it. */
export type TlType =
  | { kind: 'int' | 'long' | 'double' | 'int128' | 'int256' | 'bytes' | 'string' }
  /** `Bool`, mapped to a JS boolean. */
  | { kind: 'bool' }
  /** Bare `true`, which takes no bytes. */
  | { kind: 'true' }
  /** `#`, a 32-bit flags word. */
  | { kind: 'flags' }
  /** `Vector<T>` (boxed, with the vector id) or `vector<T>` (bare). */
  | { kind: 'vector'; boxed: boolean; item: TlType }
  /** `Object` or `!X`: any boxed constructor or method call. */
  | { kind: 'any' }
  /** A boxed type such as `InputPeer` or `help.Config`. */
  | { kind: 'boxed'; name: string }
  /** A bare constructor named directly, such as `future_salt`. */
  | { kind: 'bare'; name: string }
  /** `%Type`: the only constructor of a boxed type, written bare. */
  | { kind: 'bareOfType'; name: string };

/** A combinator parameter with its type parsed. */
export interface TlParsedParam {
  name: string;
  type: TlType;
  /** For `flags.N?T`: the flags parameter and bit that make this parameter present. */
  condition?: { flags: string; bit: number };
}

const PRIMITIVES: Record<string, TlType> = {
  int: { kind: 'int' },
  long: { kind: 'long' },
  double: { kind: 'double' },
  int128: { kind: 'int128' },
  int256: { kind: 'int256' },
  bytes: { kind: 'bytes' },
  string: { kind: 'string' },
  Bool: { kind: 'bool' },
  true: { kind: 'true' },
  '#': { kind: 'flags' },
  Object: { kind: 'any' },
};

const typeCache = new Map<string, TlType>();
const paramCache = new WeakMap<TlCombinator, TlParsedParam[]>();

/** Parses a TL type expression such as `Vector<long>`, `%Message` or `!X`, with a cache. */
export function parseTlType(expression: string): TlType {
  let type = typeCache.get(expression);
  if (type === undefined) {
    type = parseUncached(expression);
    typeCache.set(expression, type);
  }
  return type;
}

function parseUncached(expression: string): TlType {
  const primitive = PRIMITIVES[expression];
  if (primitive) return primitive;

  const vector = /^([Vv])ector<(.+)>$/.exec(expression);
  if (vector) {
    return { kind: 'vector', boxed: vector[1] === 'V', item: parseTlType(vector[2]) };
  }
  if (/^![A-Za-z_][\w.]*$/.test(expression)) return { kind: 'any' };
  if (/^%[\w.]+$/.test(expression)) return { kind: 'bareOfType', name: expression.slice(1) };

  const name = /^(?:[a-z_]\w*\.)?([A-Za-z_])\w*$/.exec(expression);
  if (name) {
    // The first letter after the namespace decides: upper case is a boxed type, lower case a
    // bare constructor.
    const boxed = name[1] >= 'A' && name[1] <= 'Z';
    return boxed ? { kind: 'boxed', name: expression } : { kind: 'bare', name: expression };
  }
  throw new TlCodecError('SCHEMA_TYPE_INVALID', `unsupported TL type expression "${expression}"`);
}

/** Returns the parameters of a combinator with parsed types, cached per combinator. */
export function parsedParams(combinator: TlCombinator): TlParsedParam[] {
  let params = paramCache.get(combinator);
  if (params === undefined) {
    params = combinator.params.map((param, index) => parseParam(combinator, index));
    paramCache.set(combinator, params);
  }
  return params;
}

function parseParam(combinator: TlCombinator, index: number): TlParsedParam {
  const { name, type: typeText } = combinator.params[index];
  const conditional = /^(\w+)\.(\d+)\?(.+)$/.exec(typeText);
  if (!conditional) return { name, type: parseTlType(typeText) };

  const [, flags, bitText, inner] = conditional;
  const bit = Number(bitText);
  const flagsIndex = combinator.params.findIndex((param) => param.name === flags);
  if (
    bit > 31 ||
    flagsIndex === -1 ||
    flagsIndex > index ||
    combinator.params[flagsIndex].type !== '#'
  ) {
    throw new TlCodecError(
      'SCHEMA_TYPE_INVALID',
      `parameter ${name} of ${combinator.name} uses "${typeText}", but no "${flags}:#" ` +
        'parameter precedes it or the bit is above 31; fix the schema',
    );
  }
  return { name, type: parseTlType(inner), condition: { flags, bit } };
}

/** Writes a parsed type back in TL notation, for error messages. */
export function formatTlType(type: TlType): string {
  switch (type.kind) {
    case 'bool':
      return 'Bool';
    case 'flags':
      return '#';
    case 'any':
      return 'Object';
    case 'vector':
      return `${type.boxed ? 'Vector' : 'vector'}<${formatTlType(type.item)}>`;
    case 'boxed':
    case 'bare':
      return type.name;
    case 'bareOfType':
      return `%${type.name}`;
    default:
      return type.kind;
  }
}
