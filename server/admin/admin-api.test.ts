import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../mock-server.js';
import { AdminApiError } from './admin-client.js';

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

async function rawRequest(method: string, path: string, body?: string) {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { method, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('admin API', () => {
  it('reports health with the actual port', async () => {
    const health = await server.admin.health();
    expect(health.status).toBe('ok');
    expect(health.port).toBe(server.port);
  });

  it('returns the server key in both fingerprint forms', async () => {
    const key = await server.admin.serverKey();
    expect(key.pem).toContain('BEGIN RSA PUBLIC KEY');
    expect(key.fingerprint).toBe(server.serverKey.fingerprint);
    expect(BigInt.asUintN(64, BigInt(key.fingerprint)).toString(16).padStart(16, '0')).toBe(
      key.fingerprintHex,
    );
  });

  it('adds an account at run time', async () => {
    const account = await server.admin.addAccount({
      id: 5001,
      phone: '15550005001',
      firstName: 'Erin',
      lastName: 'Added',
      password: 'erin-password',
    });
    expect(account.id).toBe('5001');
    expect(account.hasPassword).toBe(true);
  });

  it('rejects an invalid account naming the field', async () => {
    const call = server.admin.addAccount({
      id: 5002,
      phone: 'not-a-phone',
      firstName: 'X',
      lastName: 'Y',
    });
    await expect(call).rejects.toBeInstanceOf(AdminApiError);
    await expect(call).rejects.toMatchObject({ status: 400, field: '/phone' });
  });

  it('rejects a duplicate phone naming the field', async () => {
    const call = server.admin.addAccount({
      id: 5003,
      phone: '15550000001',
      firstName: 'Dup',
      lastName: 'Y',
    });
    await expect(call).rejects.toMatchObject({ status: 400, field: '/phone' });
  });

  it('forgets added accounts on reset', async () => {
    await server.admin.addAccount({
      id: 5004,
      phone: '15550005004',
      firstName: 'Gone',
      lastName: 'Y',
    });
    await server.admin.reset();
    const again = await server.admin.addAccount({
      id: 5004,
      phone: '15550005004',
      firstName: 'A',
      lastName: 'B',
    });
    expect(again.id).toBe('5004');
  });

  it('starts with an empty mailbox', async () => {
    expect(await server.admin.mailbox()).toEqual([]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const answer = await rawRequest('POST', '/__admin/accounts', '{not json');
    expect(answer.status).toBe(400);
    expect(String(answer.body.error)).toMatch(/not valid JSON/);
  });

  it('answers 400 for deeply nested JSON', async () => {
    // Deep enough to overflow the stack of the recursive checks behind the endpoint.
    const depth = 200_000;
    const answer = await rawRequest(
      'POST',
      '/__admin/accounts',
      '['.repeat(depth) + ']'.repeat(depth),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^request body nests too deeply/);
  });

  it('answers 404 for an unknown admin endpoint', async () => {
    const answer = await rawRequest('GET', '/__admin/nothing-here');
    expect(answer.status).toBe(404);
  });

  it('answers 404 outside the admin prefix', async () => {
    const answer = await rawRequest('GET', '/somewhere');
    expect(answer.status).toBe(404);
  });
});

describe('startMockServer options', () => {
  it('rejects a port outside 0 to 65535', async () => {
    await expect(startMockServer({ port: 70000, logLevel: 'silent' })).rejects.toThrow(
      /port 70000/,
    );
  });

  it('rejects an unknown log level', async () => {
    const options = { logLevel: 'loud' as 'info' };
    await expect(startMockServer(options)).rejects.toThrow(/logLevel "loud"/);
  });
});
