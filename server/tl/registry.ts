import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LazySchema, orderForLayer, TlSchemaView, type TlSchemaSource } from './schema-view.js';
import type { TlSchemaData } from './types.js';

export { TlSchemaView, type TlSchemaLoader, type TlSchemaSource } from './schema-view.js';

const SERVICE_FILE = 'mtproto.json';
const API_FILE = /^api-(\d+)\.json$/;

/** The schemas a registry serves: the MTProto service schema and one or more API layers. */
export interface TlRegistryOptions {
  service: TlSchemaSource;
  api: readonly TlSchemaSource[];
}

/**
 * All known TL schemas and a view per client layer. Schemas given as loaders are parsed on first
 * use, so creating a registry from files reads only the folder listing.
 */
export class TlRegistry {
  /** Available API layers, ascending. */
  readonly layers: readonly number[];
  private readonly service: LazySchema;
  private readonly api: readonly LazySchema[];
  private readonly views = new Map<number, TlSchemaView>();

  constructor(options: TlRegistryOptions) {
    if (options.api.length === 0) {
      throw new Error(
        'TlRegistry needs at least one API schema; run node scripts/import-schemas.mjs',
      );
    }
    this.service = new LazySchema(options.service);
    this.api = options.api.map((source) => new LazySchema(source));
    this.layers = this.api.map((schema) => schema.layer).sort((a, b) => a - b);

    const duplicate = this.layers.find((layer, i) => this.layers[i + 1] === layer);
    if (duplicate !== undefined) {
      throw new Error(`TlRegistry got two API schemas for layer ${duplicate}; pass one per layer`);
    }
  }

  /** Creates a registry over `mtproto.json` and every `api-<layer>.json` in a folder. */
  static fromDirectory(directory: string = findSchemaDirectory()): TlRegistry {
    const api = readdirSync(directory)
      .map((name) => API_FILE.exec(name))
      .filter((match) => match !== null)
      .map((match) => loaderForFile(join(directory, match[0]), Number(match[1])));
    return new TlRegistry({ service: loaderForFile(join(directory, SERVICE_FILE), 0), api });
  }

  /** The newest available API layer. */
  get defaultLayer(): number {
    return this.layers[this.layers.length - 1];
  }

  /** Returns the view for a client layer, creating it on first request. */
  view(layer: number = this.defaultLayer): TlSchemaView {
    if (!Number.isInteger(layer) || layer < 0) {
      throw new RangeError(`invalid TL layer ${layer}; expected a non-negative integer`);
    }
    let view = this.views.get(layer);
    if (view === undefined) {
      view = new TlSchemaView(layer, orderForLayer(this.api, layer), this.service);
      this.views.set(layer, view);
    }
    return view;
  }
}

function loaderForFile(path: string, layer: number): TlSchemaSource {
  return {
    layer,
    load: (): TlSchemaData => JSON.parse(readFileSync(path, 'utf8')) as TlSchemaData,
  };
}

/**
 * Finds the folder of schema JSON files. It is the `schemas/` folder next to this module when
 * running from source, or a copy of it placed next to the compiled module in `dist/server/tl/`.
 * Without such a copy, a compiled module falls back to `<package root>/server/tl/schemas`.
 */
export function findSchemaDirectory(): string {
  const candidates = [
    fileURLToPath(new URL('./schemas/', import.meta.url)),
    fileURLToPath(new URL('../../../server/tl/schemas/', import.meta.url)),
  ];
  const found = candidates.find((directory) => existsSync(join(directory, SERVICE_FILE)));
  if (found === undefined) {
    throw new Error(
      `TL schema folder not found: no ${SERVICE_FILE} in ${candidates.join(' or ')}; ` +
        'run node scripts/import-schemas.mjs, or copy server/tl/schemas into the build',
    );
  }
  return found;
}

let sharedRegistry: TlRegistry | undefined;

/** Returns the process-wide registry over the bundled schema files, created on first call. */
export function defaultRegistry(): TlRegistry {
  sharedRegistry ??= TlRegistry.fromDirectory();
  return sharedRegistry;
}
