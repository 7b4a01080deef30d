import { parseArgs } from 'node:util';
import type { LevelWithSilent } from 'pino';
import {
  DEFAULT_LIMITS,
  LIMIT_MAXIMUMS,
  LIMIT_MINIMUMS,
  LIMIT_NAMES,
  type ServerLimits,
} from './limits.js';
import { LOG_LEVELS } from './logger.js';

/** Settings of the `mtmock` command, from flags or their MTMOCK_* environment variables. */
export interface CliOptions {
  command: 'serve' | 'healthcheck' | 'help' | 'version';
  host: string;
  port: number;
  fixtures?: string;
  logLevel: LevelWithSilent;
  /** Limits set by flags or variables; the others keep their defaults. */
  limits: Partial<ServerLimits>;
}

/** A bad flag or variable, reported as one line and exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4430;

/** Returns the flag of a limit, such as `max-connections` for maxConnections. */
function limitFlag(name: keyof ServerLimits): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** Returns the environment variable of a limit, such as MTMOCK_MAX_CONNECTIONS. */
function limitVariable(name: keyof ServerLimits): string {
  return `MTMOCK_${limitFlag(name).replace(/-/g, '_').toUpperCase()}`;
}

const LIMIT_HELP: Record<keyof ServerLimits, string> = {
  maxPayloadLength: 'maximum frame payload, in bytes',
  maxContainerMessages: 'maximum messages in one msg_container',
  maxGzipOutput: 'maximum bytes one gzip_packed may inflate to',
  maxHandshakesPerConnection: 'key exchanges one connection may start unfinished',
  maxPendingHandshakes: 'unfinished key exchanges across all connections',
  handshakeTimeoutMs: 'time for the first bytes and for a key exchange, in ms',
  idleTimeoutMs: 'time without traffic before a socket is closed, in ms',
  maxConnections: 'maximum open sockets; MTProto beyond it gets -429',
};

const LIMIT_USAGE = LIMIT_NAMES.map(
  (name) =>
    `  --${limitFlag(name)} N`.padEnd(37) +
    `${LIMIT_HELP[name]}\n${' '.repeat(37)}(${limitVariable(name)}, default ${DEFAULT_LIMITS[name]})`,
).join('\n');

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
  -v, --version      print mtmock's version

Limits (whole numbers):
${LIMIT_USAGE}

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
        version: { type: 'boolean', short: 'v' },
        ...Object.fromEntries(LIMIT_NAMES.map((name) => [limitFlag(name), { type: 'string' }])),
      },
    });
  } catch (error) {
    const message = (error as Error).message.replace(/\.$/, '');
    throw new CliUsageError(`${message}. Run mtmock --help for the options.`);
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
      `invalid ${source('port', values.port)} value "${portText}": ` +
        'expected an integer from 0 to 65535',
    );
  }

  const levelText = values['log-level'] ?? env.MTMOCK_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(levelText)) {
    throw new CliUsageError(
      `invalid ${source('log-level', values['log-level'])} value "${levelText}": ` +
        `expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }

  const limits: Partial<ServerLimits> = {};
  for (const name of LIMIT_NAMES) {
    const flag = limitFlag(name);
    const text = (values as Record<string, string | undefined>)[flag] ?? env[limitVariable(name)];
    if (text === undefined) continue;
    const [minimum, maximum] = [LIMIT_MINIMUMS[name], LIMIT_MAXIMUMS[name]];
    if (!/^\d+$/.test(text) || Number(text) < minimum || Number(text) > maximum) {
      const from = (values as Record<string, string | undefined>)[flag];
      throw new CliUsageError(
        `invalid ${source(flag, from)} value "${text}": expected a whole number from ` +
          `${minimum} to ${maximum}`,
      );
    }
    limits[name] = Number(text);
  }

  return {
    command: values.help
      ? 'help'
      : values.version
        ? 'version'
        : (command as 'serve' | 'healthcheck'),
    host,
    port,
    fixtures: values.fixtures ?? env.MTMOCK_FIXTURES,
    logLevel: levelText as LevelWithSilent,
    limits,
  };
}

/** Names where a bad value came from: the flag when given, else its MTMOCK_* variable. */
function source(flag: string, flagValue: string | undefined): string {
  if (flagValue !== undefined) return `--${flag}`;
  return `MTMOCK_${flag.toUpperCase().replace(/-/g, '_')}`;
}
