import { parseArgs } from 'node:util';
import type { LevelWithSilent } from 'pino';
import { LOG_LEVELS } from './logger.js';

/** Settings of the `mtmock` command, from flags or their MTMOCK_* environment variables. */
export interface CliOptions {
  command: 'serve' | 'healthcheck' | 'help';
  host: string;
  port: number;
  fixtures?: string;
  logLevel: LevelWithSilent;
}

/** A bad flag or variable, reported as one line and exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4430;

export const USAGE = `Usage: mtmock [serve|healthcheck] [options]

Starts a Telegram-compatible MTProto server for tests. Every option can also be set with the
environment variable in brackets; a flag wins over the variable.

Options:
  --host HOST        address to listen on (MTMOCK_HOST, default ${DEFAULT_HOST})
  --port PORT        TCP port for MTProto, WebSocket and the admin API; 0 picks a free port
                     (MTMOCK_PORT, default ${DEFAULT_PORT})
  --fixtures PATH    fixture file with accounts and codes (MTMOCK_FIXTURES,
                     default: the package's fixtures/default.json)
  --log-level LEVEL  ${LOG_LEVELS.join(', ')} (MTMOCK_LOG_LEVEL, default info)
  -h, --help         print this help

Commands:
  serve              run the server (the default)
  healthcheck        exit 0 when a server at --host/--port answers GET /__admin/health, else 1
`;

/** Parses argv (without the node and script paths) and the environment into CliOptions. */
export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        fixtures: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}. Run mtmock --help for the options.`);
  }
  const { values, positionals } = parsed;

  const command = positionals[0] ?? 'serve';
  if (positionals.length > 1 || !['serve', 'healthcheck'].includes(command)) {
    throw new CliUsageError(
      `unknown command "${positionals.join(' ')}": expected serve or healthcheck`,
    );
  }

  const host = values.host ?? env.MTMOCK_HOST ?? DEFAULT_HOST;
  if (host.trim() === '') throw new CliUsageError('invalid --host value "": expected an address');

  const portText = values.port ?? env.MTMOCK_PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new CliUsageError(
      `invalid --port value "${portText}": expected an integer from 0 to 65535`,
    );
  }

  const levelText = values['log-level'] ?? env.MTMOCK_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(levelText)) {
    throw new CliUsageError(
      `invalid --log-level value "${levelText}": expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }

  return {
    command: values.help ? 'help' : (command as 'serve' | 'healthcheck'),
    host,
    port,
    fixtures: values.fixtures ?? env.MTMOCK_FIXTURES,
    logLevel: levelText as LevelWithSilent,
  };
}
