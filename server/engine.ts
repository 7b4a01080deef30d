import type { LevelWithSilent } from 'pino';
import type { Clock } from './clock.js';
import { ControlPlane } from './control/control-plane.js';
import { ControllableClock } from './control/controllable-clock.js';
import { warmUpModPow } from './crypto/mod-pow.js';
import { warmUpPqPrimes } from './exchange/pq.js';
import { loadRsaKey, loadRsaKeyFile, type ServerRsaKey } from './crypto/rsa.js';
import { Domain } from './domain/domain.js';
import { loadFixtures, type FixtureSource } from './domain/fixtures.js';
import { assertMethodAllowed } from './domain/key-state.js';
import { KeyExchange } from './exchange/key-exchange.js';
import { resolveLimits, type ServerLimits } from './limits.js';
import { createLogger, LOG_LEVELS, type Logger } from './logger.js';
import type { ServedDc } from './rpc/context.js';
import { RpcDispatcher } from './rpc/dispatcher.js';
import { createAccountHandlers } from './rpc/handlers/account.js';
import { createAuthHandlers } from './rpc/handlers/auth.js';
import { createHelpHandlers } from './rpc/handlers/help.js';
import { createUpdatesHandlers } from './rpc/handlers/updates.js';
import { createUsersHandlers } from './rpc/handlers/users.js';
import { AuthKeyStore } from './session/auth-key-store.js';
import { SessionLayer, type SessionLayerOptions } from './session/session-layer.js';
import { defaultRegistry } from './tl/registry.js';
import type { AcceptConnection } from './transport/transport-connection.js';

/** Options shared by the in-process engine and the listening server. */
export interface MockEngineOptions {
  /** Fixture file path or fixture object. Default: the package's fixtures/default.json. */
  fixtures?: FixtureSource;
  /** PKCS#1 PEM of the server's RSA private key. Default: the package's fixtures/rsa-key.pem. */
  rsaPrivateKeyPem?: string;
  /** DC id that the mock reports as its own. Default 2. */
  dcId?: number;
  logLevel?: LevelWithSilent;
  /** A pino logger to use instead of a new one on stdout. */
  logger?: Logger;
  /** Time source. A ControllableClock is used as is; any other clock is wrapped in one. */
  clock?: Clock;
  /** Capacity of the request journal, in requests. Default 1000. */
  journalSize?: number;
  /** Limits on frames, containers, gzip, key exchanges, timeouts and connections. */
  limits?: Partial<ServerLimits>;
}

/** The server's public key in the forms clients register it. */
export interface ServerKeyInfo {
  /** PKCS#1 PEM of the public key. */
  publicKeyPem: string;
  /** Fingerprint as a signed decimal, the form GramJS and Telethon use. */
  fingerprint: string;
  /** Fingerprint as 16 lower-case hex digits, the form mtcute and @mtproto/core use. */
  fingerprintHex: string;
}

/**
 * The mock without a socket: domain, key exchange, sessions and RPC handlers. The listening
 * server and the msw adapter both feed it connections.
 */
export interface MockEngine {
  readonly serverKey: ServerKeyInfo;
  readonly domain: Domain;
  readonly keys: AuthKeyStore;
  readonly log: Logger;
  /** The DC that help.getConfig advertises; the listener fills in host and port. */
  readonly dc: ServedDc;
  /** Returns the packet handler for a connection whose transport is known. */
  readonly accept: AcceptConnection;
  /** Stubs, faults, scenarios and the request journal. */
  readonly control: ControlPlane;
  /** The clock that everything in the engine reads; tests set and advance it. */
  readonly clock: ControllableClock;
  /** The limits in force, defaults filled in. */
  readonly limits: ServerLimits;
  /**
   * Drops every auth key, stub, fault and journal entry, returns accounts, passwords and codes
   * to the fixtures and the clock to system time.
   */
  reset(): void;
  /**
   * Drops one api_id namespace's stubs, faults, scenarios, journal entries and auth keys.
   * Accounts are shared, so suites keep apart by adding accounts with distinct phones.
   * Returns how many auth keys were dropped.
   */
  resetNamespace(apiId: number): number;
  /** Builds the OpenSSL prime check and the fixture passwords' verifiers in the background. */
  warmUp(): void;
}

/** Creates the engine. It does no I/O besides reading the fixture and key files. */
export function createMockEngine(options: MockEngineOptions = {}): MockEngine {
  const limits = resolveLimits(options.limits);
  const level = options.logLevel ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new RangeError(`invalid logLevel "${level}": expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const log = options.logger ?? createLogger(level);
  const clock = controllable(options.clock);
  const control = new ControlPlane({ clock, log, journalSize: options.journalSize });
  const rsaKey: ServerRsaKey = options.rsaPrivateKeyPem
    ? loadRsaKey(options.rsaPrivateKeyPem)
    : loadRsaKeyFile();
  const domain = new Domain(loadFixtures(options.fixtures), clock);
  const registry = defaultRegistry();
  const keys = new AuthKeyStore(clock);

  const dc: ServedDc = { dcId: options.dcId ?? 2, host: '127.0.0.1', port: 0 };
  const handlers = {
    ...createHelpHandlers(),
    ...createUpdatesHandlers(),
    ...createUsersHandlers((auth) => domain.selfUser(auth)),
    ...createAuthHandlers(domain),
    ...createAccountHandlers(domain),
  };
  const rpc = new RpcDispatcher({
    registry,
    handlers,
    clock,
    dc,
    authorize: assertMethodAllowed,
    interceptor: control,
  });
  const sessionOptions: SessionLayerOptions = {
    keys,
    registry,
    clock,
    rpc,
    forceBadServerSalt: (key) => control.forceBadServerSalt(key),
    createKeyExchange: (connectionLog) =>
      new KeyExchange({
        rsaKeys: [rsaKey],
        clock,
        isKeyIdTaken: (authKeyId) => keys.has(authKeyId),
        log: connectionLog,
      }),
    maxGzipOutput: limits.maxGzipOutput,
    maxContainerMessages: limits.maxContainerMessages,
    handshakes: {
      maxPerConnection: limits.maxHandshakesPerConnection,
      maxPending: limits.maxPendingHandshakes,
      timeoutMs: limits.handshakeTimeoutMs,
      pending: 0,
    },
  };
  const sessions = new SessionLayer(sessionOptions);

  return {
    serverKey: {
      publicKeyPem: rsaKey.publicKeyPem,
      fingerprint: rsaKey.fingerprint.toString(),
      fingerprintHex: rsaKey.fingerprintHex,
    },
    domain,
    keys,
    log,
    dc,
    control,
    clock,
    limits,
    accept: (connection) => sessions.accept(connection),
    reset() {
      keys.clear();
      domain.reset();
      control.reset();
      log.info('reset to the fixtures; every auth key, stub, fault and journal entry was dropped');
    },
    resetNamespace(apiId) {
      const dropped = control.reset(apiId).filter((authKeyId) => keys.delete(authKeyId)).length;
      log.info({ apiId, droppedKeys: dropped }, 'namespace reset');
      return dropped;
    },
    warmUp() {
      warmUpModPow();
      warmUpPqPrimes().catch((error: unknown) => log.error({ err: error }, 'warm-up failed'));
      domain.warmUp().catch((error: unknown) => log.error({ err: error }, 'warm-up failed'));
    },
  };
}

/** Returns the clock as a ControllableClock, wrapping a plain clock so tests can still move it. */
function controllable(clock: Clock | undefined): ControllableClock {
  if (clock instanceof ControllableClock) return clock;
  return clock === undefined ? new ControllableClock() : new ControllableClock(() => clock.now());
}
