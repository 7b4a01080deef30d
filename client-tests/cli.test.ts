import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// Runs the built CLI, as `npm start` and the package's bin do; `npm test` builds dist/ first.
const cli = fileURLToPath(new URL('../dist/server/cli.js', import.meta.url));
const running: ChildProcess[] = [];

function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return child;
}

/** Resolves with the first JSON log line whose msg is "ready". */
function readyLine(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === 'ready') resolve(entry);
    });
    child.on('exit', (code) => reject(new Error(`mtmock exited with ${code} before ready`)));
  });
}

/** Resolves with the exit code and everything written to stderr. */
function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('mtmock command line', () => {
  it('prints the ready line with host, port and fingerprint', async () => {
    const child = startCli(['--port', '0']);
    const ready = await readyLine(child);
    expect(ready.host).toBe('127.0.0.1');
    expect(ready.port).toBeGreaterThan(0);
    expect(ready.fingerprint).toMatch(/^-?\d+$/);
    expect(ready.fingerprintHex).toMatch(/^[1-9a-f][0-9a-f]{15}$/);

    const health = await fetch(`http://127.0.0.1:${ready.port}/__admin/health`);
    expect(health.status).toBe(200);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('exits 0 on %s', async (signal) => {
    const child = startCli(['--port', '0']);
    await readyLine(child);
    const exit = exited(child);
    child.kill(signal);
    expect((await exit).code).toBe(0);
  });

  it('logs in order when stopped early', async () => {
    // The background warm-up keeps the libuv thread pool busy for some time after ready, and
    // lines written through the pool used to land after those that the exit handler wrote.
    const child = startCli(['--port', '0']);
    const messages: string[] = [];
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => messages.push((JSON.parse(line) as { msg: string }).msg));
    const allRead = new Promise((resolve) => lines.once('close', resolve));
    await readyLine(child);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const exit = exited(child);
    child.kill('SIGTERM');
    expect((await exit).code).toBe(0);
    await allRead;
    expect(messages.slice(-3)).toEqual(['stopping', 'listener closed', 'stopped']);
  });

  it('keeps serving while stdout is unread', async () => {
    // A harness that reads up to the ready line and then stops reading fills the stdout pipe.
    const child = startCli(['--port', '0']);
    const ready = await readyLine(child);
    child.stdout!.removeAllListeners('data');
    child.stdout!.pause();

    // Each bad admin request logs a warn line, and 1,000 of them exceed what a pipe buffers.
    const statuses = new Set<number>();
    for (let request = 0; request < 1000; request++) {
      const response = await fetch(`http://127.0.0.1:${ready.port}/__admin/accounts`, {
        method: 'POST',
        body: '{bad',
        signal: AbortSignal.timeout(5000),
      });
      statuses.add(response.status);
    }
    expect([...statuses]).toEqual([400]);

    // The unwritten lines cannot be flushed, so the process ends by the signal's default action.
    const exit = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    child.kill('SIGTERM');
    expect(await exit).toBe('SIGTERM');
  });

  it('takes the port from MTMOCK_PORT', async () => {
    const probe = startCli(['--port', '0']);
    const free = Number((await readyLine(probe)).port);
    probe.kill('SIGKILL');
    await exited(probe);

    const child = startCli([], { MTMOCK_PORT: String(free) });
    expect((await readyLine(child)).port).toBe(free);
  });

  it('rejects a bad port with one line and exit code 2', async () => {
    const result = await exited(startCli(['--port', 'abc']));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('"abc"');
  });

  it('rejects an unknown flag with exit code 2', async () => {
    const result = await exited(startCli(['--prot', '1']));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--prot');
  });

  it('rejects a missing fixture file naming the path', async () => {
    const result = await exited(startCli(['--port', '0', '--fixtures', '/nonexistent/f.json']));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('/nonexistent/f.json');
  });

  it('rejects an invalid fixture file naming the field', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mtmock-cli-'));
    const file = join(folder, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        accounts: [{ id: 1, phone: 'twelve', firstName: 'A', lastName: 'B' }],
      }),
    );
    const result = await exited(startCli(['--port', '0', '--fixtures', file]));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('/accounts/0/phone');
  });

  it('healthcheck exits 0 for a running server and 1 for a closed port', async () => {
    const child = startCli(['--port', '0']);
    const port = String((await readyLine(child)).port);
    expect((await exited(startCli(['healthcheck', '--port', port]))).code).toBe(0);

    child.kill('SIGKILL');
    await exited(child);
    expect((await exited(startCli(['healthcheck', '--port', port]))).code).toBe(1);
  });

  it('prints the ready line at log level warn', async () => {
    const child = startCli(['--port', '0', '--log-level', 'warn']);
    expect((await readyLine(child)).port).toBeGreaterThan(0);
  });

  it('names the variable behind a bad value', async () => {
    const result = await exited(startCli([], { MTMOCK_PORT: 'abc' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MTMOCK_PORT');
  });

  it('prints the version for --version', async () => {
    const child = startCli(['--version']);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect((await exited(child)).code).toBe(0);
    expect(stdout).toMatch(/^mtmock \d+\.\d+\.\d+\n$/);
  });

  it('prints usage for --help', async () => {
    const child = startCli(['--help']);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect((await exited(child)).code).toBe(0);
    expect(stdout).toContain('--fixtures PATH');
  });
});
