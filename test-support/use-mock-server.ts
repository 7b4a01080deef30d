import { afterAll, afterEach, beforeAll } from 'vitest';
import { startMockServer, type MockServer, type MockServerOptions } from '../server/mock-server.js';
import { MtprotoClient, type MtprotoClientOptions } from './mtproto-client.js';

/** A mock server for one test file and a way to connect test clients to it. */
export interface MockServerFixture {
  /** The running server, available inside tests and hooks. */
  readonly server: MockServer;
  /** Connects a client over loopback and closes it after the current test. */
  connect(options?: Partial<MtprotoClientOptions>): Promise<MtprotoClient>;
}

/**
 * Registers vitest hooks that start a silent mock server on a free loopback port before the
 * file's tests, close the clients after each test and stop the server at the end.
 */
export function useMockServer(options: MockServerOptions = {}): MockServerFixture {
  let server: MockServer | undefined;
  const clients: MtprotoClient[] = [];

  beforeAll(async () => {
    server = await startMockServer({ port: 0, logLevel: 'silent', ...options });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  return {
    get server(): MockServer {
      if (!server)
        throw new Error('the mock server is available only inside tests and hooks; read it there');
      return server;
    },
    async connect(clientOptions: Partial<MtprotoClientOptions> = {}): Promise<MtprotoClient> {
      const running = this.server;
      const client = await MtprotoClient.connect({
        host: running.host,
        port: running.port,
        publicKeyPem: running.serverKey.publicKeyPem,
        clock: options.clock,
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
  };
}
