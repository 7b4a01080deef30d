/**
 * Aims GramJS (npm `telegram`) at mtmock: registers the mock's RSA key and pins every connection
 * to the mock's host and port. Works for teleproto too, which keeps GramJS's layout.
 *
 * GramJS needs both, because it ships only Telegram's keys and its main connection dials port 80
 * (443 with useWSS) whatever the session says. The port cannot live in a StringSession either:
 * it is saved as a 16-bit signed value, so ports from 32768 up throw.
 */
import { createRequire } from 'node:module';
import { createPublicKey } from 'node:crypto';
import type { TelegramClient } from 'telegram';
import type { TelegramClientParams } from 'telegram/client/telegramBaseClient.js';
import { computeRsaFingerprint } from '../crypto/rsa.js';

const require = createRequire(import.meta.url);

/** The transports GramJS offers on Node, as mtmock's tests name them. */
export type GramJsTransport = 'tcp-full' | 'tcp-abridged' | 'tcp-obfuscated' | 'websocket';

/** Address and public key of a mock, as `GET /__admin/server-key` returns the key. */
export interface MockTarget {
  host: string;
  port: number;
  /** The mock's RSA public key as PEM (PKCS#1 or SPKI). */
  publicKeyPem: string;
  /** DC id the mock serves; 2 unless the mock was started with another. */
  dcId?: number;
}

export interface GramJsAdapterOptions {
  transport?: GramJsTransport;
  /** Connection attempts before connect() fails; GramJS's default is to try forever. */
  connectionRetries?: number;
}

/**
 * Adds the mock's public key to GramJS's key table, keyed by the signed decimal fingerprint as
 * GramJS looks it up. Safe to call more than once. Returns that fingerprint.
 */
export function registerMockKey(publicKeyPem: string): string {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  const n = BigInt(`0x${Buffer.from(jwk.n as string, 'base64url').toString('hex')}`);
  const e = BigInt(`0x${Buffer.from(jwk.e as string, 'base64url').toString('hex')}`);
  const fingerprint = computeRsaFingerprint(n, e).toString();

  const bigInt = require('big-integer');
  const { _serverKeys } = require('telegram/crypto/RSA');
  _serverKeys.set(fingerprint, { n: bigInt(n.toString()), e: Number(e) });
  return fingerprint;
}

type ConnectionClass = NonNullable<TelegramClientParams['connection']>;

/** Returns a subclass of a GramJS connection class whose instances always dial host:port. */
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
export function gramjsClientParams(
  target: MockTarget,
  options: GramJsAdapterOptions = {},
): TelegramClientParams {
  registerMockKey(target.publicKeyPem);
  const network = require('telegram/network');
  const { PromisedWebSockets } = require('telegram/extensions');
  const { Logger, LogLevel } = require('telegram/extensions/Logger');

  const transport = options.transport ?? 'tcp-full';
  const base: ConnectionClass = {
    'tcp-full': network.ConnectionTCPFull,
    'tcp-abridged': network.ConnectionTCPAbridged,
    // WebSocket always runs the obfuscated transport inside.
    'tcp-obfuscated': network.ConnectionTCPObfuscated,
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
 * Creates a TelegramClient aimed at the mock, with an empty StringSession on the mock's DC.
 * Call `client.connect()` next, and `client.destroy()` at the end: GramJS's update loop keeps
 * running until the client is destroyed.
 */
export function createGramJsClient(
  target: MockTarget,
  options: GramJsAdapterOptions & { apiId?: number; apiHash?: string; session?: string } = {},
): TelegramClient {
  const { TelegramClient } = require('telegram');
  const { StringSession } = require('telegram/sessions');
  const session = new StringSession(options.session ?? '');
  // The port here only has to fit the session format; the pinned connection dials the real one.
  session.setDC(target.dcId ?? 2, target.host, 443);
  return new TelegramClient(
    session,
    options.apiId ?? 1,
    options.apiHash ?? 'mtmock',
    gramjsClientParams(target, options),
  );
}
