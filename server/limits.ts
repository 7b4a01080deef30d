/**
 * Limits that keep one misbehaving client from exhausting the server. Every limit has a default
 * sized for test suites that run many clients in parallel, and startMockServer, the CLI flags and
 * the MTMOCK_* environment variables can change each one.
 */
export interface ServerLimits {
  /** Maximum payload length in bytes that a frame may declare. Default 16 MiB. */
  maxPayloadLength: number;
  /** Maximum number of messages in one msg_container. Default 1024, as Telegram enforces. */
  maxContainerMessages: number;
  /** Maximum number of bytes that one gzip_packed may inflate to. Default 16 MiB. */
  maxGzipOutput: number;
  /**
   * Maximum number of key exchanges (req_pq_multi requests) that one connection may start
   * without finishing one. Default 8. The next one gets transport error -429 and a close.
   */
  maxHandshakesPerConnection: number;
  /**
   * Maximum number of unfinished key exchanges across all connections. Default 2048. A
   * req_pq_multi beyond it gets transport error -429 and a close.
   */
  maxPendingHandshakes: number;
  /**
   * Time in milliseconds that a connection may take to send its first bytes and that a key
   * exchange may take from req_pq_multi to dh_gen_ok. Default 30,000. An undetected socket is
   * then destroyed, and a stalled key exchange gets transport error -404 and a close.
   */
  handshakeTimeoutMs: number;
  /**
   * Time in milliseconds after which a socket with no traffic in either direction is destroyed.
   * Default 300,000, far above the 9-second ping interval of GramJS 2.26.
   */
  idleTimeoutMs: number;
  /**
   * Maximum number of open sockets, MTProto, WebSocket and HTTP together. Default 10,000. An
   * MTProto connection beyond it gets transport error -429 and a close. HTTP requests beyond it
   * are still served, so that the admin API stays reachable.
   */
  maxConnections: number;
}

/** The defaults of every limit. */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxPayloadLength: 16 * 1024 * 1024,
  maxContainerMessages: 1024,
  maxGzipOutput: 16 * 1024 * 1024,
  maxHandshakesPerConnection: 8,
  maxPendingHandshakes: 2048,
  handshakeTimeoutMs: 30_000,
  idleTimeoutMs: 300_000,
  maxConnections: 10_000,
});

/** Smallest value that each limit accepts. */
export const LIMIT_MINIMUMS: Readonly<ServerLimits> = {
  maxPayloadLength: 4,
  maxContainerMessages: 1,
  maxGzipOutput: 1,
  maxHandshakesPerConnection: 1,
  maxPendingHandshakes: 1,
  handshakeTimeoutMs: 1,
  idleTimeoutMs: 1,
  maxConnections: 1,
};

/** Maximum delay of Node's timers. A larger delay fires after 1 ms, with a warning. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Largest value that each limit accepts. */
export const LIMIT_MAXIMUMS: Readonly<ServerLimits> = {
  maxPayloadLength: Number.MAX_SAFE_INTEGER,
  maxContainerMessages: Number.MAX_SAFE_INTEGER,
  maxGzipOutput: Number.MAX_SAFE_INTEGER,
  maxHandshakesPerConnection: Number.MAX_SAFE_INTEGER,
  maxPendingHandshakes: Number.MAX_SAFE_INTEGER,
  handshakeTimeoutMs: MAX_TIMER_MS,
  idleTimeoutMs: MAX_TIMER_MS,
  maxConnections: Number.MAX_SAFE_INTEGER,
};

/** Names of the limits, in the order the CLI help lists them. */
export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof ServerLimits)[];

/**
 * Fills in the defaults and validates each limit. Throws RangeError naming the limit and the
 * value when a value is not an integer from the limit's minimum to its maximum.
 */
export function resolveLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const name of LIMIT_NAMES) {
    const value = overrides[name];
    if (value === undefined) continue;
    if (
      !Number.isSafeInteger(value) ||
      value < LIMIT_MINIMUMS[name] ||
      value > LIMIT_MAXIMUMS[name]
    ) {
      throw new RangeError(
        `invalid limit ${name}: ${String(value)}; expected an integer from ` +
          `${LIMIT_MINIMUMS[name]} to ${LIMIT_MAXIMUMS[name]}`,
      );
    }
    limits[name] = value;
  }
  return limits;
}
