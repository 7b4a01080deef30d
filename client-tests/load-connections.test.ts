import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../server/mock-server.js';
import type { TlObject } from '../server/tl/types.js';
import { MtprotoClient } from '../test-support/mtproto-client.js';

const CONNECTIONS = 1000;
const RPCS_PER_CONNECTION = 3;
let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent' });
});

afterAll(async () => {
  await server.stop();
});

/** Connects one client, runs the key exchange and a few RPCs, and returns the open client. */
async function connectAndCall(index: number): Promise<MtprotoClient> {
  const client = await MtprotoClient.connect({
    host: server.host,
    port: server.port,
    publicKeyPem: server.serverKey.publicKeyPem,
    // 1,000 key exchanges queue behind each other on two cores, so single waits can be long.
    timeoutMs: 120_000,
  });
  const config = (await client.invoke({ _: 'help.getConfig' })) as TlObject;
  expect(config._).toBe('config');
  for (let call = 1; call < RPCS_PER_CONNECTION; call++) {
    const pingId = BigInt(index * RPCS_PER_CONNECTION + call);
    const sent = client.sendRaw({ body: { _: 'ping', ping_id: pingId } });
    const pong = await client.waitForResponse(sent.msgId);
    expect(pong.object.ping_id).toBe(pingId);
  }
  return client;
}

describe('1,000 concurrent connections', () => {
  it('all finish a key exchange and RPCs', { timeout: 180_000 }, async () => {
    global.gc?.();
    const before = process.memoryUsage();
    const started = performance.now();

    const results = await Promise.allSettled(
      Array.from({ length: CONNECTIONS }, (_, index) => connectAndCall(index)),
    );
    const clients = results.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value] : [],
    );
    const failures = results.flatMap((result) =>
      result.status === 'rejected' ? [String(result.reason)] : [],
    );
    const elapsedMs = performance.now() - started;
    global.gc?.();
    const after = process.memoryUsage();

    expect(failures.slice(0, 5)).toEqual([]);
    expect(clients).toHaveLength(CONNECTIONS);
    expect(server.keys.size).toBeGreaterThanOrEqual(CONNECTIONS);

    // Printed for the report, never asserted: speed and memory depend on the machine.
    const perConnection = (bytes: number) => `${(bytes / CONNECTIONS / 1024).toFixed(1)} KiB`;
    console.log(
      `${CONNECTIONS} connections, ${RPCS_PER_CONNECTION} RPCs each: ${(elapsedMs / 1000).toFixed(1)} s; ` +
        `per connection, client and server in this process together: ` +
        `heap ${perConnection(after.heapUsed - before.heapUsed)}, ` +
        `rss ${perConnection(after.rss - before.rss)}`,
    );

    await Promise.all(clients.map((client) => client.close()));
  });
});
