/**
 * Shapes of schema data and of decoded TL values. A schema is data (generated JSON under
 * `server/tl/schemas/`), never hand-written code per constructor.
 */

/** One parameter of a combinator, with its type exactly as the TL source spells it. */
export interface TlParam {
  name: string;
  /** For example `int`, `flags.0?string`, `Vector<long>`, `#`, `!X`, `%Message`. */
  type: string;
}

/** A constructor or a method, as `name#id params = Type`. */
export interface TlCombinator {
  /** Unsigned 32-bit constructor id. */
  id: number;
  /** Predicate or method name, with namespace: `auth.authorization`, `auth.signIn`. */
  name: string;
  params: TlParam[];
  /** Result type: the boxed type for a constructor, the return type for a method. */
  type: string;
  kind: 'constructor' | 'method';
}

export interface TlSchemaData {
  /** API layer, or 0 for the MTProto service schema. */
  layer: number;
  /** Origin of the data, for example `telegram@2.26.22 tl/apiTl.js`. */
  source: string;
  constructors: TlCombinator[];
  methods: TlCombinator[];
}

/**
 * A decoded TL value. `_` is the constructor or method name. Field types: int and double are
 * `number`, long is `bigint`, int128/int256/bytes are `Buffer`, string is `string`, Bool and
 * `flags.N?true` are `boolean`, vectors are arrays, and nested objects are `TlObject`.
 * The `flags:#` fields are not stored: the encoder derives them from the optional fields present.
 */
export interface TlObject {
  _: string;
  [field: string]: unknown;
}
