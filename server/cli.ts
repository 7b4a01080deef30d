#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { CliUsageError, parseCliOptions, USAGE, type CliOptions } from './cli-options.js';
import { closeLogger } from './logger.js';

/** Maximum wait on stop for the log lines to reach stdout. */
const LOG_CLOSE_TIMEOUT_MS = 3000;

/** Runs the server until SIGINT or SIGTERM, then closes every connection and exits 0. */
async function serve(options: CliOptions): Promise<void> {
  // Imported here so that `mtmock healthcheck`, which a container runs every second, stays light.
  const { startMockServer } = await import('./mock-server.js');
  const server = await startMockServer({
    host: options.host,
    port: options.port,
    fixtures: options.fixtures,
    logLevel: options.logLevel,
    limits: options.limits,
  });
  // The handlers go in before the ready line, because a script may signal as soon as it reads it.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'stopping');
    server.stop().then(
      () =>
        closeLogger(server.log, LOG_CLOSE_TIMEOUT_MS).then((written) =>
          exitAfterStop(signal, written),
        ),
      (error: unknown) => {
        server.log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // Scripts wait for this line to learn the port, so it is written at any level but silent.
  const readyLog = server.log.child({});
  if (options.logLevel !== 'silent') readyLog.level = 'info';
  readyLog.info(
    {
      host: server.host,
      port: server.port,
      dcId: server.dcId,
      fingerprint: server.serverKey.fingerprint,
      fingerprintHex: server.serverKey.fingerprintHex,
    },
    'ready',
  );
}

/**
 * Exits 0 once the log is written. When stdout is not being read, a libuv thread stays blocked
 * writing to it and process.exit() would wait for that thread forever, so the process ends by
 * the signal it was sent instead, with its default action.
 */
function exitAfterStop(signal: NodeJS.Signals, logWritten: boolean): void {
  if (logWritten) process.exit(0);
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

/** Exits 0 when GET /__admin/health returns 200 within two seconds, else 1. */
function healthcheck(options: CliOptions): void {
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  const probe = request(
    { host, port: options.port, path: '/__admin/health', timeout: 2000 },
    (response) => {
      response.resume();
      process.exit(response.statusCode === 200 ? 0 : 1);
    },
  );
  probe.on('timeout', () => probe.destroy(new Error('timed out')));
  probe.on('error', (error) => {
    process.stderr.write(`mtmock healthcheck: ${host}:${options.port} failed: ${error.message}\n`);
    process.exit(1);
  });
  probe.end();
}

/** Folds a multi-line message, such as one issue per invalid fixture field, onto one line. */
function oneLine(message: string): string {
  return message.replace(/:\s*\n\s*/g, ': ').replace(/\.?\s*\n\s*/g, '; ');
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`mtmock: ${oneLine(error.message)}\n`);
    process.exit(2);
  }
  if (options.command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (options.command === 'version') {
    const manifest = new URL('../../package.json', import.meta.url);
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    process.stdout.write(`mtmock ${version}\n`);
    return;
  }
  if (options.command === 'healthcheck') {
    healthcheck(options);
    return;
  }
  await serve(options);
}

main().catch((error: unknown) => {
  // Start-up failures (a bad fixture file, a port in use) end in one line and exit code 1.
  process.stderr.write(`mtmock: ${oneLine((error as Error).message)}\n`);
  process.exit(1);
});
