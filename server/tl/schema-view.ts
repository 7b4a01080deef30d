import { TlSchemaIndex, validateSchemaData } from './schema-index.js';
import type { TlCombinator, TlSchemaData } from './types.js';

/** A schema given by its layer and a function that loads it, so it is parsed on first use. */
export interface TlSchemaLoader {
  layer: number;
  load(): TlSchemaData;
}

/** Schema data passed in directly, or a loader for it. */
export type TlSchemaSource = TlSchemaData | TlSchemaLoader;

/** One registered schema, indexed the first time a lookup needs it. */
export class LazySchema {
  readonly layer: number;
  private readonly load: () => TlSchemaData;
  private cached: TlSchemaIndex | undefined;

  constructor(source: TlSchemaSource) {
    this.layer = source.layer;
    this.load = 'load' in source ? () => source.load() : () => source;
  }

  get index(): TlSchemaIndex {
    if (this.cached === undefined) {
      const data = validateSchemaData(this.load(), `the layer ${this.layer} schema`);
      if (data.layer !== this.layer) {
        throw new Error(
          `TL schema registered as layer ${this.layer} contains layer ${data.layer}; ` +
            'fix the file name or the source list',
        );
      }
      this.cached = new TlSchemaIndex(data);
    }
    return this.cached;
  }
}

/**
 * Orders API schemas for a client layer by the layer rule: first the schemas at or below the
 * layer, newest first, then the schemas above it, oldest first. The first schema in this order
 * that defines a name gives its definition.
 */
export function orderForLayer(schemas: readonly LazySchema[], layer: number): LazySchema[] {
  const atOrBelow = schemas.filter((s) => s.layer <= layer).sort((a, b) => b.layer - a.layer);
  const above = schemas.filter((s) => s.layer > layer).sort((a, b) => a.layer - b.layer);
  return [...atOrBelow, ...above];
}

/**
 * The schema as one client layer sees it: the API schemas merged by the layer rule (see
 * `orderForLayer`) plus the MTProto service schema.
 *
 * Names: a name resolves to its definition in the newest API schema whose layer is at or below
 * the view's layer, or, when none of those has it, in the oldest API schema that has it. The
 * service schema is searched right after the first API schema in that order, so a service name
 * is found without loading the other API layers. Inside a service combinator the service schema
 * comes first, and inside an API combinator it comes after all API schemas. The order matters
 * for one name: both schemas define a `message` constructor of type `Message`. The chat message
 * of the API wins, except in `msg_container`, whose `%Message` is the service container entry.
 *
 * Ids: lookup accepts an id from any registered schema, because a client may send a request
 * before the server has its layer from `invokeWithLayer`.
 */
export class TlSchemaView {
  private readonly constructorCache = new Map<string, TlCombinator | null>();
  private readonly methodCache = new Map<string, TlCombinator | null>();
  private readonly apiFirst: readonly LazySchema[];
  private readonly serviceFirst: readonly LazySchema[];
  private readonly serviceSecond: readonly LazySchema[];

  constructor(
    readonly layer: number,
    private readonly apiOrder: readonly LazySchema[],
    private readonly service: LazySchema,
  ) {
    this.apiFirst = [...apiOrder, service];
    this.serviceFirst = [service, ...apiOrder];
    this.serviceSecond = [...apiOrder.slice(0, 1), service, ...apiOrder.slice(1)];
  }

  /** Finds a constructor or method by its unsigned 32-bit id in any registered schema. */
  byId(id: number): TlCombinator | undefined {
    const unsigned = id >>> 0;
    const found = this.service.index.byId.get(unsigned);
    if (found) return found;
    for (const schema of this.apiOrder) {
      const combinator = schema.index.byId.get(unsigned);
      if (combinator) return combinator;
    }
    return undefined;
  }

  /**
   * Finds a constructor by name. `context` is the combinator whose parameter names the type, if
   * any, because it changes where the service schema comes in the search order.
   */
  constructorByName(name: string, context?: TlCombinator): TlCombinator | undefined {
    return this.findByName(name, context, this.constructorCache, (i) => i.constructorsByName);
  }

  /** Finds a method by name, by the same rule as `constructorByName`. */
  methodByName(name: string, context?: TlCombinator): TlCombinator | undefined {
    return this.findByName(name, context, this.methodCache, (i) => i.methodsByName);
  }

  /**
   * Lists the constructors of a boxed type from the first schema in lookup order that has the
   * type, for example the one constructor `message` of `%Message` in `msg_container`.
   */
  constructorsOfType(type: string, context?: TlCombinator): readonly TlCombinator[] {
    for (const schema of this.lookupOrder(context)) {
      const constructors = schema.index.constructorsByType.get(type);
      if (constructors) return constructors;
    }
    return [];
  }

  /** Tells whether a combinator comes from the MTProto service schema. */
  isServiceCombinator(combinator: TlCombinator): boolean {
    return this.service.index.byId.get(combinator.id) === combinator;
  }

  private lookupOrder(context: TlCombinator | undefined): readonly LazySchema[] {
    if (context === undefined) return this.serviceSecond;
    return this.isServiceCombinator(context) ? this.serviceFirst : this.apiFirst;
  }

  private findByName(
    name: string,
    context: TlCombinator | undefined,
    cache: Map<string, TlCombinator | null>,
    table: (index: TlSchemaIndex) => Map<string, TlCombinator>,
  ): TlCombinator | undefined {
    const order = this.lookupOrder(context);
    // Only lookups without a context are cached. The others rarely miss the first schema.
    const cacheable = order === this.serviceSecond;
    if (cacheable) {
      const cached = cache.get(name);
      if (cached !== undefined) return cached ?? undefined;
    }
    let found: TlCombinator | undefined;
    for (const schema of order) {
      found = table(schema.index).get(name);
      if (found) break;
    }
    if (cacheable) cache.set(name, found ?? null);
    return found;
  }
}
