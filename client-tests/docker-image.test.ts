import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApiError, AdminClient } from '../server/admin/admin-client.js';
import {
  baseImage,
  buildImage,
  repoRoot,
  run,
  shouldRunContainerTests,
} from './docker.test.helper.js';

const IMAGE = 'mtmock:image-test';

describe('.dockerignore', () => {
  it('matches the lockfile production packages', () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean; link?: boolean }>;
    };
    const production = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && !entry.dev && !entry.devOptional && !entry.link)
      .map(([path]) => `${path}/`)
      .sort();
    const listed = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('!node_modules/'))
      .map((line) => line.slice(1))
      .sort();
    expect(listed).toEqual(production);
  });
});

/** Inspects a container and returns its health status, or the state when it is not running. */
async function healthStatus(container: string): Promise<string> {
  const { stdout } = await run(
    'docker',
    ['inspect', '--format', '{{.State.Status}} {{.State.Health.Status}}', container],
    30,
  );
  const [state, health] = stdout.trim().split(' ');
  return state === 'running' ? health : state;
}

/** Polls every 50 ms until the container is healthy. Throws on another end state or after 30 s. */
async function waitForHealthy(container: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await healthStatus(container);
    if (status === 'healthy') return;
    if (status !== 'starting') throw new Error(`container ${container} is ${status}`);
    if (Date.now() > deadline) throw new Error(`container ${container} not healthy after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts the image detached with a free loopback port and returns the container id. */
async function startContainer(extraArgs: string[] = []): Promise<string> {
  const { stdout } = await run(
    'docker',
    ['run', '-d', '--rm', '-p', '127.0.0.1::4430', ...extraArgs, IMAGE],
    60,
  );
  return stdout.trim();
}

async function mappedPort(container: string): Promise<number> {
  const { stdout } = await run('docker', ['port', container, '4430/tcp'], 30);
  return Number(stdout.trim().split('\n')[0].split(':').pop());
}

describe.runIf(shouldRunContainerTests('the Docker image tests'))('Docker image', () => {
  const containers: string[] = [];
  const folders: string[] = [];

  beforeAll(async () => {
    const started = performance.now();
    await buildImage(IMAGE);
    console.log(`docker build ${IMAGE}: ${Math.round(performance.now() - started)} ms`);
  }, 330_000);

  afterAll(async () => {
    for (const container of containers) {
      await run('docker', ['rm', '-f', container], 60).catch(() => undefined);
    }
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }, 120_000);

  it('sets user, port and health check', async () => {
    const { stdout } = await run(
      'docker',
      ['image', 'inspect', '--format', '{{json .}}', IMAGE],
      30,
    );
    const image = JSON.parse(stdout) as {
      Size: number;
      Config: {
        User: string;
        ExposedPorts: Record<string, object>;
        Env: string[];
        Entrypoint: string[];
        Healthcheck: { Test: string[] };
      };
    };
    expect(image.Config.User).toBe('1000:1000');
    expect(Object.keys(image.Config.ExposedPorts)).toEqual(['4430/tcp']);
    expect(image.Config.Healthcheck.Test).toEqual([
      'CMD',
      'node',
      '/app/dist/server/cli.js',
      'healthcheck',
    ]);
    expect(image.Config.Entrypoint).toEqual(['node', '/app/dist/server/cli.js']);
    expect(image.Config.Env).toContain('MTMOCK_HOST=0.0.0.0');
    expect(image.Config.Env).toContain('MTMOCK_PORT=4430');
    expect(image.Config.Env).toContain('MTMOCK_FIXTURES=/fixtures/default.json');

    const baseSize = baseImage
      ? JSON.parse(
          (await run('docker', ['image', 'inspect', '--format', '{{.Size}}', baseImage], 30))
            .stdout,
        )
      : undefined;
    const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);
    console.log(
      `image ${IMAGE}: ${megabytes(image.Size)} MB` +
        (baseSize ? `, of which ${megabytes(image.Size - baseSize)} MB above ${baseImage}` : ''),
    );
    // The application layers contain only dist/, the schemas, fixtures and production packages.
    // The development packages (client libraries, test tools) would add well over 100 MB.
    if (baseSize) expect(image.Size - baseSize).toBeLessThan(20e6);
  });

  it('turns healthy and serves admin', async () => {
    const started = performance.now();
    const container = await startContainer();
    containers.push(container);
    await waitForHealthy(container);
    console.log(`container start to healthy: ${Math.round(performance.now() - started)} ms`);

    const admin = AdminClient.at('127.0.0.1', await mappedPort(container));
    const health = await admin.health();
    expect(health.status).toBe('ok');
    expect(health.port).toBe(4430);
    const { stdout: logs } = await run('docker', ['logs', container], 30);
    expect(logs).toMatch(/"msg":"ready"/);
  }, 60_000);

  it('serves fixtures mounted at /fixtures', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mtmock-fixtures-'));
    folders.push(folder);
    // The server runs as uid 1000, and mkdtemp creates the folder readable by its owner only.
    chmodSync(folder, 0o755);
    const account = { id: 8001, phone: '15550008001', firstName: 'Mounted', lastName: 'Fixture' };
    writeFileSync(join(folder, 'custom.json'), JSON.stringify({ accounts: [account] }));

    const container = await startContainer([
      '-v',
      `${folder}:/fixtures:ro`,
      '-e',
      'MTMOCK_FIXTURES=/fixtures/custom.json',
    ]);
    containers.push(container);
    await waitForHealthy(container);
    const admin = AdminClient.at('127.0.0.1', await mappedPort(container));

    // The mounted account's id is taken; Alice's id from the default fixtures is free.
    const duplicate = admin.addAccount({ ...account, phone: '15550008002' });
    await expect(duplicate).rejects.toBeInstanceOf(AdminApiError);
    await expect(duplicate).rejects.toMatchObject({ field: '/id' });
    const alice = { id: 1001, phone: '15550000001', firstName: 'Alice', lastName: 'Again' };
    expect((await admin.addAccount(alice)).id).toBe('1001');
  }, 60_000);
});
