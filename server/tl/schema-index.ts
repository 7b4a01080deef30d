import type { TlCombinator, TlSchemaData } from './types.js';

/** Lookup tables over one schema: combinators by id, by name and by boxed type. */
export class TlSchemaIndex {
  readonly layer: number;
  readonly byId = new Map<number, TlCombinator>();
  readonly constructorsByName = new Map<string, TlCombinator>();
  readonly methodsByName = new Map<string, TlCombinator>();
  readonly constructorsByType = new Map<string, TlCombinator[]>();

  constructor(readonly data: TlSchemaData) {
    this.layer = data.layer;
    for (const constructor of data.constructors) {
      this.byId.set(constructor.id, constructor);
      this.constructorsByName.set(constructor.name, constructor);
      const sameType = this.constructorsByType.get(constructor.type);
      if (sameType) sameType.push(constructor);
      else this.constructorsByType.set(constructor.type, [constructor]);
    }
    for (const method of data.methods) {
      this.byId.set(method.id, method);
      this.methodsByName.set(method.name, method);
    }
  }
}

/** Checks the shape of schema data read from JSON, so a damaged file fails with its name. */
export function validateSchemaData(data: unknown, origin: string): TlSchemaData {
  const schema = data as Partial<TlSchemaData> | null;
  if (
    typeof schema !== 'object' ||
    schema === null ||
    typeof schema.layer !== 'number' ||
    !Array.isArray(schema.constructors) ||
    !Array.isArray(schema.methods)
  ) {
    throw new Error(
      `invalid TL schema data in ${origin}: expected { layer, source, constructors, methods }; ` +
        'regenerate it with node scripts/import-schemas.mjs',
    );
  }
  return schema as TlSchemaData;
}
