import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMtcuteClient } from '../server/adapters/mtcute.js';
import { startMockServer, type MockServer } from '../server/mock-server.js';

let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent' });
});

afterAll(async () => {
  await server?.stop();
});

// mtcute 0.30.3 reconnects on the first -404 and drops its auth key on the second.
it('mtcute makes a new auth key after -404', async () => {
  const client = createMtcuteClient(
    { host: server.host, port: server.port, publicKeyPem: server.serverKey.publicKeyPem },
    { apiId: 301, disableUpdates: true },
  );
  try {
    const first = await client.call({ _: 'help.getNearestDc' });
    expect(first.thisDc).toBe(2);
    const [before] = await server.admin.requests({ method: 'help.getNearestDc' });

    const fault = await server.admin.addFault({
      type: 'transport-error',
      code: -404,
      method: 'help.getNearestDc',
      times: 2,
    });
    const second = await client.call({ _: 'help.getNearestDc' });
    expect(second.thisDc).toBe(2);

    const calls = await server.admin.requests({ method: 'help.getNearestDc' });
    expect(calls.map((call) => call.outcome)).toEqual(['ok', 'dropped', 'dropped', 'ok']);
    expect(calls[1].faultIds).toEqual([fault.id]);
    expect(calls[3].authKeyId).not.toBe(before.authKeyId);
  } finally {
    await client.destroy();
  }
});
