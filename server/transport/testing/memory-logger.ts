import { pino, type Logger } from 'pino';

/** One parsed pino log line. */
export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** Pino levels by name, as they appear in parsed records. */
export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** Creates a debug-level pino logger that keeps its parsed lines in `records`, for tests. */
export function createMemoryLogger(): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const log = pino(
    { level: 'debug' },
    { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) },
  );
  return { log, records };
}
