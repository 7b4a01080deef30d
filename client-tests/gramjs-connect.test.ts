import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from 'telegram';
import { createGramJsClient, type GramJsTransport } from '../server/adapters/gramjs.js';
import { startMockServer, type MockServer } from '../server/mock-server.js';

let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent' });
});

afterAll(async () => {
  await server?.stop();
});

const transports: GramJsTransport[] = ['tcp-full', 'tcp-abridged', 'tcp-obfuscated', 'websocket'];

describe.each(transports)('GramJS 2.26.22 over %s', (transport) => {
  it('completes the key exchange and receives config', async () => {
    const target = {
      host: server.host,
      port: server.port,
      publicKeyPem: server.serverKey.publicKeyPem,
    };
    const client = createGramJsClient(target, { transport });
    try {
      // connect() itself awaits help.getConfig inside invokeWithLayer(initConnection(...)).
      await client.connect();
      const config = await client.invoke(new Api.help.GetConfig());

      expect(config).toBeInstanceOf(Api.Config);
      expect(config.thisDc).toBe(2);
      expect(config.dcOptions).toHaveLength(1);
      expect(config.dcOptions[0].ipAddress).toBe(server.host);
      expect(config.dcOptions[0].port).toBe(server.port);
      expect(Math.abs(config.date - Date.now() / 1000)).toBeLessThan(60);

      const nearest = await client.invoke(new Api.help.GetNearestDc());
      expect(nearest.thisDc).toBe(2);
    } finally {
      await client.destroy();
    }
  });

  it('gets 401 AUTH_KEY_UNREGISTERED from users.getUsers before login', async () => {
    const client = createGramJsClient(
      { host: server.host, port: server.port, publicKeyPem: server.serverKey.publicKeyPem },
      { transport },
    );
    try {
      await client.connect();
      const call = client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] }));
      await expect(call).rejects.toMatchObject({
        code: 401,
        errorMessage: 'AUTH_KEY_UNREGISTERED',
      });
      expect(await client.isUserAuthorized()).toBe(false);
    } finally {
      await client.destroy();
    }
  });
});
