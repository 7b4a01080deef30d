/**
 * Aims teleproto (214.1.7, the maintained fork of GramJS) at mtmock: registers the mock's RSA
 * key and pins every connection to the mock's host and port.
 *
 * teleproto keeps GramJS's layout and its two problems: it trusts only Telegram's keys, and the
 * main connection dials port 80 (443 with useWSS) whatever port the session stores. A StringSession
 * also stores the port as a signed 16-bit value, so ports from 32768 up cannot live there.
 * The logic matches ./gramjs.ts, but every module is loaded from the teleproto package.
 */
import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import type { TelegramClient } from 'teleproto';
import type { TelegramClientParams } from 'teleproto/client/telegramBaseClient.js';
import { computeRsaFingerprint } from '../crypto/rsa.js';
import type { GramJsTransport, MockTarget } from './gramjs.js';

export type { MockTarget } from './gramjs.js';

/** The transports teleproto offers on Node, named as in the GramJS adapter. */
export type TeleprotoTransport = GramJsTransport;

export interface TeleprotoAdapterOptions {
  /** Default 'tcp-full', teleproto's own default on Node. */
  transport?: TeleprotoTransport;
  /** Connection attempts before connect() fails. teleproto's default is to try forever. */
  connectionRetries?: number;
}

const require = createRequire(import.meta.url);

/** Loads a module of the installed teleproto package, e.g. `crypto/RSA`. */
function teleprotoModule<T = Record<string, unknown>>(path: string): T {
  return require(`teleproto/${path}`) as T;
}

/** Loads a dependency as teleproto resolves it, so the key uses teleproto's own big-integer. */
function teleprotoDependency<T>(name: string): T {
  return createRequire(require.resolve('teleproto'))(name) as T;
}

/**
 * Adds the mock's public key to teleproto's key table, keyed by the signed decimal fingerprint
 * as teleproto looks it up. Safe to call more than once. Returns that fingerprint.
 */
export function registerTeleprotoKey(publicKeyPem: string): string {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  const n = BigInt(`0x${Buffer.from(jwk.n as string, 'base64url').toString('hex')}`);
  const e = BigInt(`0x${Buffer.from(jwk.e as string, 'base64url').toString('hex')}`);
  const fingerprint = computeRsaFingerprint(n, e).toString();

  const bigInt = teleprotoDependency<(value: string) => unknown>('big-integer');
  const { _serverKeys } = teleprotoModule<{ _serverKeys: Map<string, unknown> }>('crypto/RSA');
  _serverKeys.set(fingerprint, { n: bigInt(n.toString()), e: Number(e) });
  return fingerprint;
}

type ConnectionClass = NonNullable<TelegramClientParams['connection']>;

/** Returns a subclass of a teleproto connection class whose instances always dial host:port. */
function pinConnection(base: ConnectionClass, host: string, port: number): ConnectionClass {
  const Base = base as unknown as new (options: Record<string, unknown>) => object;
  class PinnedConnection extends Base {
    constructor(options: Record<string, unknown>) {
      super({ ...options, ip: host, port });
    }
  }
  return PinnedConnection as unknown as ConnectionClass;
}

/**
 * Returns TelegramClient options for the mock: the pinned connection class for the transport,
 * the WebSocket socket class when asked, few retries so a dead mock fails fast, and no logging.
 */
export function teleprotoClientParams(
  target: MockTarget,
  options: TeleprotoAdapterOptions = {},
): TelegramClientParams {
  registerTeleprotoKey(target.publicKeyPem);
  const network = teleprotoModule<Record<string, ConnectionClass>>('network');
  const { PromisedWebSockets } = teleprotoModule<{
    PromisedWebSockets: TelegramClientParams['networkSocket'];
  }>('extensions');
  const { Logger, LogLevel } = teleprotoModule<{
    Logger: new (level: string) => NonNullable<TelegramClientParams['baseLogger']>;
    LogLevel: { NONE: string };
  }>('extensions/Logger');

  const transport = options.transport ?? 'tcp-full';
  const base: ConnectionClass = {
    'tcp-full': network.ConnectionTCPFull,
    'tcp-abridged': network.ConnectionTCPAbridged,
    'tcp-obfuscated': network.ConnectionTCPObfuscated,
    // The mock expects obfuscated framing inside a WebSocket, so it gets obfuscated abridged.
    websocket: network.ConnectionTCPObfuscated,
  }[transport];

  return {
    connection: pinConnection(base, target.host, target.port),
    ...(transport === 'websocket' ? { networkSocket: PromisedWebSockets } : {}),
    connectionRetries: options.connectionRetries ?? 3,
    retryDelay: 100,
    requestRetries: 2,
    baseLogger: new Logger(LogLevel.NONE),
  };
}

/**
 * Creates a teleproto TelegramClient aimed at the mock, with an empty StringSession on the mock's
 * DC. Call `client.connect()` next, and `client.destroy()` at the end: the update loop keeps
 * running until the client is destroyed.
 */
export function createTeleprotoClient(
  target: MockTarget,
  options: TeleprotoAdapterOptions & { apiId?: number; apiHash?: string; session?: string } = {},
): TelegramClient {
  const { TelegramClient: Client } = teleprotoModule<{
    TelegramClient: new (...args: unknown[]) => TelegramClient;
  }>('index');
  const { StringSession } = teleprotoModule<{
    StringSession: new (session: string) => {
      setDC(dcId: number, host: string, port: number): void;
    };
  }>('sessions');
  const session = new StringSession(options.session ?? '');
  // The port here only has to fit the session format; the pinned connection dials the real one.
  session.setDC(target.dcId ?? 2, target.host, 443);
  return new Client(
    session,
    options.apiId ?? 1,
    options.apiHash ?? 'mtmock',
    teleprotoClientParams(target, options),
  );
}
