import { TlCodecError } from './codec-error.js';
import type { TlSchemaView } from './schema-view.js';
import type { TlType } from './tl-type.js';
import type { TlCombinator } from './types.js';

/** Id of the boxed `Vector t` constructor. */
export const VECTOR_ID = 0x1cb5c415;
export const BOOL_TRUE_ID = 0x997275b5;
export const BOOL_FALSE_ID = 0xbc799737;

/**
 * Maximum nesting of objects and vectors, in both directions. It is far above the nesting of
 * ordinary requests and responses (an estimate), and it stops hostile or cyclic values before
 * the stack runs out.
 */
export const MAX_DEPTH = 64;

/**
 * Resolves a bare type (`future_salt`, `%Message`) to its constructor. `context` is the
 * combinator whose parameter has the type. It decides which schema is searched first.
 */
export function resolveBareType(
  view: TlSchemaView,
  type: Extract<TlType, { kind: 'bare' | 'bareOfType' }>,
  context: TlCombinator | undefined,
): TlCombinator {
  const where = context ? ` in ${context.name}` : '';
  if (type.kind === 'bare') {
    const constructor = view.constructorByName(type.name, context);
    if (constructor === undefined) {
      throw new TlCodecError(
        'SCHEMA_TYPE_INVALID',
        `bare type ${type.name}${where} is not a constructor in layer ${view.layer}; fix the schema`,
      );
    }
    return constructor;
  }

  const constructors = view.constructorsOfType(type.name, context);
  if (constructors.length !== 1) {
    throw new TlCodecError(
      'SCHEMA_TYPE_INVALID',
      `%${type.name}${where} needs a type with exactly one constructor, but layer ${view.layer} ` +
        `has ${constructors.length}; fix the schema`,
    );
  }
  return constructors[0];
}
