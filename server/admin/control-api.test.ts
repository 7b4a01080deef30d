import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MtprotoClient } from '../../test-support/mtproto-client.js';
import { startMockServer, type MockServer } from '../mock-server.js';
import { msgIdSeconds } from '../session/msg-id.js';
import { AdminApiError, AdminPendingStubsError, AdminVerificationError } from './admin-client.js';

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

async function rawRequest(method: string, path: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${server.port}/__admin${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('stub endpoints', () => {
  it('creates, lists and deletes a stub', async () => {
    const stub = await server.admin.addStub({
      method: 'help.getNearestDc',
      result: { _: 'nearestDc', country: 'NL', this_dc: 2, nearest_dc: 2 },
      priority: 3,
    });
    expect(stub.id).toMatch(/^stub-\d+$/);
    expect(await server.admin.stubs()).toEqual([stub]);
    await server.admin.removeStub(stub.id);
    expect(await server.admin.stubs()).toEqual([]);
  });

  it('answers 400 naming the field of an invalid stub', async () => {
    const response = await rawRequest('POST', '/stubs', {
      method: 'help.getNearestDc',
      result: { _: 'nearestDc', this_dc: 'two' },
    });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('result.this_dc');
    expect(response.body.error).toMatch(/must be a number/);
  });

  it('answers 404 for an unknown stub id', async () => {
    const call = server.admin.removeStub('stub-999999');
    await expect(call).rejects.toBeInstanceOf(AdminApiError);
    await expect(call).rejects.toMatchObject({ status: 404, field: 'id' });
  });

  it('fails assertNoPendingStubs while a stub is unused', async () => {
    await server.admin.addStub({ method: 'help.getConfig', error: { code: 500, message: 'X' } });
    const call = server.admin.assertNoPendingStubs();
    await expect(call).rejects.toBeInstanceOf(AdminPendingStubsError);
    await expect(call).rejects.toThrow(/help.getConfig/);
    expect(await server.admin.unmatchedStubs()).toHaveLength(1);
  });
});

describe('journal endpoints', () => {
  it('reports a failed verification with the count', async () => {
    const call = server.admin.verify({ method: 'help.getConfig' }, { count: 1 });
    await expect(call).rejects.toBeInstanceOf(AdminVerificationError);
    await expect(call).rejects.toThrow(/expected exactly 1 matching request\(s\), found 0/);
  });

  it('rejects an invalid pattern field', async () => {
    const response = await rawRequest('POST', '/requests/count', { since: 'yesterday' });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('since');
  });

  it('sets the journal size', async () => {
    await server.admin.setJournalSize(5);
    expect((await rawRequest('GET', '/settings')).body).toEqual({ journalSize: 5 });
    await server.admin.setJournalSize(1000);
  });
});

describe('clock endpoints', () => {
  it('sets, advances and releases the clock', async () => {
    const set = await server.admin.setClock(1_700_000_000_000);
    expect(set).toMatchObject({ now: 1_700_000_000_000, mode: 'fixed' });
    expect(server.clock.now()).toBe(1_700_000_000_000);
    const advanced = await server.admin.advanceClock(90_000);
    expect(advanced.now).toBe(1_700_000_090_000);
    const released = await server.admin.useSystemClock();
    expect(released.mode).toBe('system');
    expect(Math.abs(released.now - Date.now())).toBeLessThan(60_000);
  });

  it('moves server msg_ids back with the clock', async () => {
    const client = await MtprotoClient.connect({
      host: '127.0.0.1',
      port: server.port,
      publicKeyPem: server.serverKey.publicKeyPem,
    });
    try {
      const pingOnce = async (pingId: bigint) => {
        const sent = client.sendRaw({ body: { _: 'ping', ping_id: pingId } });
        return client.waitForResponse(sent.msgId);
      };
      await server.admin.advanceClock(3_600_000);
      const ahead = await pingOnce(1n);
      expect(msgIdSeconds(ahead.msgId)).toBeGreaterThan(Date.now() / 1000 + 3000);

      await server.admin.useSystemClock();
      const back = await pingOnce(2n);
      expect(Math.abs(msgIdSeconds(back.msgId) - Date.now() / 1000)).toBeLessThan(60);
    } finally {
      await client.close();
    }
  });

  it('rejects two actions at once', async () => {
    const response = await rawRequest('POST', '/clock', { set: 1, advance: 2 });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/exactly one/);
  });

  it.each([{ set: 1e30 }, { set: -5 }, { advance: -1e17 }, { set: 1.5 }])(
    'rejects clock value %j',
    async (body) => {
      const response = await rawRequest('POST', '/clock', body);
      expect(response.status).toBe(400);
      expect(response.body.field).toBe(Object.keys(body)[0]);
    },
  );
});

describe('input limits', () => {
  it.each([
    [{ type: 'delay', delayMs: 1e12 }, 'delayMs'],
    [{ type: 'delay', delayMs: 0, maxDelayMs: 2 ** 31 }, 'maxDelayMs'],
    [{ type: 'transport-error', code: -1 }, 'code'],
  ])('rejects fault %j', async (body, field) => {
    const response = await rawRequest('POST', '/faults', body);
    expect(response.status).toBe(400);
    expect(response.body.field).toBe(field);
  });

  it('rejects a journal size over the maximum', async () => {
    const response = await rawRequest('POST', '/settings', { journalSize: 1e12 });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('journalSize');
  });

  // A misspelt field would otherwise drop out of the pattern, which then matches every request.
  it.each([
    ['POST', '/requests/verify', { methdo: 'help.getConfig' }, 'methdo'],
    ['POST', '/requests/count', { method: 'help.getConfig', outcom: 'ok' }, 'outcom'],
    ['POST', '/requests/find', { limt: 5 }, 'limt'],
    ['GET', '/requests?methdo=help.getConfig', undefined, 'methdo'],
    ['POST', '/settings', { journalsize: 5 }, 'journalsize'],
  ])('rejects an unknown field: %s %s', async (method, path, body, field) => {
    const response = await rawRequest(method, path, body);
    expect(response.status).toBe(400);
    expect(response.body.field).toBe(field);
    expect(response.body.error).toMatch(/^unknown .* field/);
  });

  it('rejects an authKeyId that is not 16 hex digits', async () => {
    const response = await rawRequest('POST', '/requests/find', { authKeyId: 'zz' });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('authKeyId');
  });

  it('rejects count together with atLeast', async () => {
    const response = await rawRequest('POST', '/requests/verify', { count: 1, atLeast: 1 });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('count');
  });

  it('answers 413 at once for an oversized declared body', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const call = request(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: '/__admin/accounts',
          headers: { 'content-length': '99999999999' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      call.on('error', reject);
      call.write('{}');
    });
    expect(status).toBe(413);
  });
});

describe('fault and scenario endpoints', () => {
  it('creates and removes a fault', async () => {
    const fault = await server.admin.addFault({
      type: 'delay',
      delayMs: 5,
      method: 'help.getConfig',
    });
    expect(await server.admin.faults()).toEqual([fault]);
    await server.admin.removeFault(fault.id);
    expect(await server.admin.faults()).toEqual([]);
  });

  it('sets and resets a scenario state', async () => {
    await server.admin.setScenarioState('login', 'waiting');
    expect(await server.admin.scenarios()).toEqual([{ name: 'login', state: 'waiting' }]);
    await server.admin.resetScenarios();
    expect(await server.admin.scenarios()).toEqual([{ name: 'login', state: 'Started' }]);
  });
});

describe('OpenAPI document', () => {
  it('describes every control path', async () => {
    const docs = await server.admin.docs();
    expect(docs.openapi).toBe('3.0.3');
    const paths = Object.keys(docs.paths as object);
    for (const path of ['/stubs', '/stubs/{id}', '/requests/verify', '/faults', '/clock']) {
      expect(paths).toContain(path);
    }
  });
});
