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

/** Maximum bytes of log output buffered while stdout is not read. Later lines are dropped. */
const MAX_BUFFERED_LOG_BYTES = 16 * 1024 * 1024;

type Destination = ReturnType<typeof pino.destination>;
const destinations = new WeakMap<Logger, Destination>();

/**
 * Creates the root logger: pino JSON lines on stdout. Children add `connId`, `authKeyId`,
 * `sessionId` and `layer`. Auth keys, nonces and passwords are never passed to a logger.
 *
 * Writes are asynchronous. When a reader stops reading stdout, lines wait in memory, up to
 * MAX_BUFFERED_LOG_BYTES, and the server keeps serving. Call `closeLogger` before exiting.
 */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  const destination = pino.destination({ dest: 1, sync: false, maxLength: MAX_BUFFERED_LOG_BYTES });
  const log = pino({ name: 'mtmock', level, base: { pid: process.pid } }, destination);
  destinations.set(log, destination);
  return log;
}

/**
 * Writes the remaining lines of a logger from `createLogger` and ends its stream, waiting at
 * most `timeoutMs`. On timeout it discards the unwritten lines, because pino otherwise writes
 * them synchronously at exit, which blocks forever on a pipe that is not read. Returns whether
 * every line was written. Log no more after this.
 *
 * Without it, lines still queued at exit came out after later ones, because the start-up PBKDF2
 * warm-up fills the libuv thread pool that asynchronous writes go through.
 */
export function closeLogger(log: Logger, timeoutMs: number): Promise<boolean> {
  const destination = destinations.get(log);
  if (destination === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      destination.destroy();
      resolve(false);
    }, timeoutMs);
    // sonic-boom's flush() returns at once unless minLength is set, but end() waits for the
    // write in progress and then emits close.
    destination.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    destination.end();
  });
}

/** Formats an auth key id the way logs and the admin API show it: 16 lower-case hex digits. */
export function formatKeyId(authKeyId: bigint): string {
  return BigInt.asUintN(64, authKeyId).toString(16).padStart(16, '0');
}
