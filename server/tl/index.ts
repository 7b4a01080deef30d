export * from './codec.js';
export * from './registry.js';
export type { TlCombinator, TlObject, TlParam, TlSchemaData } from './types.js';
