/** mtmock's programmatic API: start the mock in-process and reach its parts. */
export { startMockServer, type MockServer, type MockServerOptions } from './mock-server.js';
export {
  createMockEngine,
  type MockEngine,
  type MockEngineOptions,
  type ServerKeyInfo,
} from './engine.js';
export { RpcError } from './rpc/rpc-error.js';
export type { Clock } from './clock.js';
