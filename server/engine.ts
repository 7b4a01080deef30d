import type { LevelWithSilent } from 'pino';
import { systemClock, type Clock } from './clock.js';
import { warmUpModPow } from './crypto/mod-pow.js';
import { loadRsaKey, loadRsaKeyFile, type ServerRsaKey } from './crypto/rsa.js';
import { Domain } from './domain/domain.js';
import { loadFixtures, type FixtureSource } from './domain/fixtures.js';
import { assertMethodAllowed } from './domain/key-state.js';
import { KeyExchange } from './exchange/key-exchange.js';
import { createLogger, type Logger } from './logger.js';
import type { ServedDc } from './rpc/context.js';
import { RpcDispatcher } from './rpc/dispatcher.js';
import { createAccountHandlers } from './rpc/handlers/account.js';
import { createAuthHandlers } from './rpc/handlers/auth.js';
import { createHelpHandlers } from './rpc/handlers/help.js';
import { createUpdatesHandlers } from './rpc/handlers/updates.js';
import { createUsersHandlers } from './rpc/handlers/users.js';
import { AuthKeyStore } from './session/auth-key-store.js';
import { SessionLayer } from './session/session-layer.js';
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
  clock?: Clock;
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
  /** Drops every auth key and returns accounts, passwords and codes to the fixtures. */
  reset(): void;
  /** Builds the OpenSSL prime check and the fixture passwords' verifiers in the background. */
  warmUp(): void;
}

/** Creates the engine. It does no I/O besides reading the fixture and key files. */
export function createMockEngine(options: MockEngineOptions = {}): MockEngine {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger(options.logLevel ?? 'info');
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
  const rpc = new RpcDispatcher({ registry, handlers, clock, dc, authorize: assertMethodAllowed });
  const sessions = new SessionLayer({
    keys,
    registry,
    clock,
    rpc,
    createKeyExchange: (connectionLog) =>
      new KeyExchange({
        rsaKeys: [rsaKey],
        clock,
        isKeyIdTaken: (authKeyId) => keys.has(authKeyId),
        log: connectionLog,
      }),
  });

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
    accept: (connection) => sessions.accept(connection),
    reset() {
      keys.clear();
      domain.reset();
      log.info('reset to the fixtures; every auth key was dropped');
    },
    warmUp() {
      warmUpModPow();
      domain.warmUp().catch((error: unknown) => log.error({ err: error }, 'warm-up failed'));
    },
  };
}
