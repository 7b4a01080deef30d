import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Api, type TelegramClient } from 'telegram';
import { createGramJsClient } from '../server/adapters/gramjs.js';
import { startMockServer, type MockServer } from '../server/mock-server.js';

let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent' });
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(async () => {
  await server.admin.reset();
});

async function withClient(
  apiId: number,
  run: (client: TelegramClient) => Promise<void>,
): Promise<void> {
  const client = createGramJsClient(
    { host: server.host, port: server.port, publicKeyPem: server.serverKey.publicKeyPem },
    { apiId },
  );
  try {
    await client.connect();
    await run(client);
  } finally {
    await client.destroy();
  }
}

describe('control plane with GramJS 2.26.22', () => {
  it('sleeps through FLOOD_WAIT from a scenario stub', async () => {
    await server.admin.addStub({
      method: 'help.getNearestDc',
      scenario: 'flood',
      requiredState: 'Started',
      newState: 'done',
      error: { code: 420, message: 'FLOOD_WAIT_1' },
    });

    await withClient(101, async (client) => {
      const nearest = await client.invoke(new Api.help.GetNearestDc());
      expect(nearest).toBeInstanceOf(Api.NearestDc);
      expect(nearest.thisDc).toBe(2);
    });

    const calls = await server.admin.requests({ method: 'help.getNearestDc' });
    expect(calls.map((call) => call.outcome)).toEqual(['error', 'ok']);
    expect(calls[0].error).toEqual({ code: 420, message: 'FLOOD_WAIT_1' });
    expect(calls[1].result).toBe('nearestDc');
    await server.admin.verify({ method: 'help.getNearestDc' }, { count: 2 });
    expect(await server.admin.scenarios()).toEqual([{ name: 'flood', state: 'done' }]);
    await server.admin.assertNoPendingStubs();
  });

  it('sleeps through FLOOD_WAIT from a fault', async () => {
    await server.admin.addFault({
      type: 'flood-wait',
      method: 'help.getNearestDc',
      seconds: 1,
      times: 1,
    });
    await withClient(102, async (client) => {
      const nearest = await client.invoke(new Api.help.GetNearestDc());
      expect(nearest.thisDc).toBe(2);
    });
    expect(await server.admin.countRequests({ method: 'help.getNearestDc' })).toBe(2);
    expect(await server.admin.countRequests({ outcome: 'FLOOD_WAIT_1' })).toBe(1);
  });

  it('gets messages.dialogs from a stub for an unimplemented method', async () => {
    await server.admin.addStub({
      method: 'messages.getDialogs',
      params: { limit: 10 },
      result: {
        _: 'messages.dialogs',
        dialogs: [],
        messages: [],
        chats: [],
        users: [{ _: 'user', id: '7000000001', first_name: 'Stubbed', access_hash: '42' }],
      },
    });

    await withClient(103, async (client) => {
      const dialogs = await client.invoke(
        new Api.messages.GetDialogs({
          offsetDate: 0,
          offsetId: 0,
          offsetPeer: new Api.InputPeerEmpty(),
          limit: 10,
        }),
      );
      expect(dialogs).toBeInstanceOf(Api.messages.Dialogs);
      const user = (dialogs as Api.messages.Dialogs).users[0] as Api.User;
      expect(user.firstName).toBe('Stubbed');
      expect(user.id.toString()).toBe('7000000001');
    });

    const [call] = await server.admin.requests({ method: 'messages.getDialogs' });
    expect(call.stubId).toBeDefined();
    expect(call.result).toBe('messages.dialogs');
    expect(call.apiId).toBe(103);
  });

  it('decodes a gzip-packed result', async () => {
    const fault = await server.admin.addFault({ type: 'gzip-result', method: 'help.getConfig' });
    await withClient(104, async (client) => {
      const config = await client.invoke(new Api.help.GetConfig());
      expect(config).toBeInstanceOf(Api.Config);
      expect(config.thisDc).toBe(2);
    });
    const calls = await server.admin.requests({ method: 'help.getConfig', outcome: 'ok' });
    expect(calls.some((call) => call.faultIds?.includes(fault.id))).toBe(true);
  });

  it('reads a result split into one-byte writes', async () => {
    const fault = await server.admin.addFault({ type: 'split-writes', method: 'help.getConfig' });
    await withClient(106, async (client) => {
      const config = await client.invoke(new Api.help.GetConfig());
      expect(config).toBeInstanceOf(Api.Config);
      expect(config.thisDc).toBe(2);
    });
    const [stored] = (await server.admin.faults()).filter((item) => item.id === fault.id);
    expect(stored.fired).toBeGreaterThanOrEqual(1);
  });

  it('recovers from repeated bad_server_salt', async () => {
    await withClient(105, async (client) => {
      const fault = await server.admin.addFault({ type: 'bad-server-salt', times: 3 });
      const nearest = await client.invoke(new Api.help.GetNearestDc());
      expect(nearest.thisDc).toBe(2);
      const [stored] = (await server.admin.faults()).filter((f) => f.id === fault.id);
      expect(stored.fired).toBe(3);
    });
  });

  it('corrects its time offset under clock skew', async () => {
    await server.admin.addFault({ type: 'clock-skew', skewMs: 20 * 60 * 1000 });
    await withClient(106, async (client) => {
      const nearest = await client.invoke(new Api.help.GetNearestDc());
      expect(nearest.thisDc).toBe(2);
    });
    expect((await server.admin.clock()).skewMs).toBe(20 * 60 * 1000);
    const [call] = await server.admin.requests({ method: 'help.getNearestDc' });
    expect(call.outcome).toBe('ok');
    expect(call.time).toBeGreaterThan(Date.now() + 19 * 60 * 1000);
  });
});

describe('namespaces by api_id with GramJS', () => {
  it('keeps stubs and journals of two suites apart', async () => {
    const suiteA = server.admin.forApiId(201);
    const suiteB = server.admin.forApiId(202);
    await suiteA.addStub({
      method: 'help.getNearestDc',
      result: { _: 'nearestDc', country: 'AQ', this_dc: 2, nearest_dc: 2 },
    });

    await withClient(201, async (client) => {
      const nearest = await client.invoke(new Api.help.GetNearestDc());
      expect(nearest.country).toBe('AQ');
    });
    await withClient(202, async (client) => {
      const nearest = await client.invoke(new Api.help.GetNearestDc());
      expect(nearest.country).not.toBe('AQ');
    });

    const seenByA = await suiteA.requests({ method: 'help.getNearestDc' });
    const seenByB = await suiteB.requests({ method: 'help.getNearestDc' });
    expect(seenByA).toHaveLength(1);
    expect(seenByA[0].stubId).toBeDefined();
    expect(seenByB).toHaveLength(1);
    expect(seenByB[0].stubId).toBeUndefined();
    expect(await suiteB.stubs()).toEqual([]);

    const keysBefore = server.keys.size;
    await suiteA.reset();
    expect(await suiteA.stubs()).toEqual([]);
    expect(await suiteA.requests()).toEqual([]);
    expect(await suiteB.countRequests({ method: 'help.getNearestDc' })).toBe(1);
    expect(server.keys.size).toBe(keysBefore - 1);
  });
});
