import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../server/mock-server.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = new URL('./control-telethon/bad_salt.py', import.meta.url).pathname;

function telethonMissing(): string | undefined {
  try {
    execFileSync(PYTHON, ['-c', 'import telethon, rsa'], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `${PYTHON} cannot import telethon and rsa: ${(error as Error).message.split('\n')[0]}`;
  }
}

const missing = telethonMissing();
if (missing && process.env.CI === 'true') {
  throw new Error(`${missing}; install Telethon 1.25.1 for the CI run`);
}
if (missing) console.warn(`skipping the Telethon control test: ${missing}`);

let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent' });
});

afterAll(async () => {
  await server?.stop();
});

it.skipIf(missing !== undefined)('Telethon recovers from bad_server_salt faults', async () => {
  const pemFile = join(mkdtempSync(join(tmpdir(), 'mtmock-telethon-')), 'server.pem');
  writeFileSync(pemFile, server.serverKey.publicKeyPem);
  const fault = await server.admin.addFault({ type: 'bad-server-salt', times: 2 });

  const { stdout } = await promisify(execFile)(
    PYTHON,
    [SCRIPT, server.host, String(server.port), pemFile, '401'],
    { timeout: 60_000 },
  );

  expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ this_dc: 2 });
  const [stored] = (await server.admin.faults()).filter((f) => f.id === fault.id);
  expect(stored.fired).toBe(2);
  await server.admin.verify(
    { method: 'help.getNearestDc', apiId: 401, outcome: 'ok' },
    { count: 1 },
  );
});
