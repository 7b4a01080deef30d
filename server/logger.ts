import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/**
 * Creates the root logger: pino JSON lines on stdout. Children add `connId`, `authKeyId`,
 * `sessionId` and `layer`. Auth keys, nonces and passwords are never passed to a logger.
 *
 * Lines are written synchronously. pino's default asynchronous writes go through the libuv
 * thread pool, which the start-up PBKDF2 warm-up fills. Lines then waited for the warm-up and
 * were written after the lines that pino's exit handler writes directly.
 */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino(
    { name: 'mtmock', level, base: { pid: process.pid } },
    pino.destination({ dest: 1, sync: true }),
  );
}

/** Formats an auth key id the way logs and the admin API show it: 16 lower-case hex digits. */
export function formatKeyId(authKeyId: bigint): string {
  return BigInt.asUintN(64, authKeyId).toString(16).padStart(16, '0');
}
