/**
 * Shared adapter code for GramJS (npm `telegram`) and its fork teleproto, which keep the same
 * module layout. Each function takes the package name and loads every module from that package.
 *
 * Both clients need two changes to reach the mock: they trust only Telegram's RSA keys, and their
 * main connection dials port 80 (443 with useWSS) whatever port the session stores. A
 * StringSession also stores the port as a signed 16-bit value, so ports from 32768 up cannot live
 * there. So the adapters register the mock's key and pin every connection to its address.
 */
import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { computeRsaFingerprint } from '../crypto/rsa.js';

/** The package names that share GramJS's layout. */
export type GramJsFamily = 'telegram' | 'teleproto';

/** The transports GramJS and teleproto offer on Node, as mtmock's tests name them. */
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

export interface GramJsFamilyOptions {
  /** Default 'tcp-full', the clients' own default on Node. */
  transport?: GramJsTransport;
  /** Connection attempts before connect() fails; the clients' default is to try forever. */
  connectionRetries?: number;
}

export interface GramJsFamilyClientOptions extends GramJsFamilyOptions {
  apiId?: number;
  apiHash?: string;
  /** A StringSession string to resume; default a new, empty session. */
  session?: string;
}

type ConnectionClass = new (options: Record<string, unknown>) => object;

/** Connection attempts before connect() fails when the options give no number. */
const DEFAULT_CONNECTION_RETRIES = 3;

/** The clients' TCP socket wrapper (PromisedNetSockets): `client` is the net.Socket. */
interface NetSocketWrapper {
  client?: { setNoDelay(noDelay?: boolean): unknown };
  connect(port: number, ip: string, ...rest: unknown[]): Promise<unknown>;
}
type NetSocketClass = new (...args: never[]) => NetSocketWrapper;

const require = createRequire(import.meta.url);

/** Loads a module of the installed package, such as `crypto/RSA`. */
function load<T>(family: GramJsFamily, path: string): T {
  return require(`${family}/${path}`) as T;
}

/** Loads a dependency as the package itself resolves it, so the key uses its own big-integer. */
function loadDependency<T>(family: GramJsFamily, name: string): T {
  return createRequire(require.resolve(family))(name) as T;
}

/**
 * Adds the mock's public key to the client's key table, keyed by the signed decimal fingerprint
 * as the client looks it up. Safe to call more than once. Returns that fingerprint.
 */
export function registerFamilyKey(family: GramJsFamily, publicKeyPem: string): string {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  const n = BigInt(`0x${Buffer.from(jwk.n as string, 'base64url').toString('hex')}`);
  const e = BigInt(`0x${Buffer.from(jwk.e as string, 'base64url').toString('hex')}`);
  const fingerprint = computeRsaFingerprint(n, e).toString();

  const bigInt = loadDependency<(value: string) => unknown>(family, 'big-integer');
  const { _serverKeys } = load<{ _serverKeys: Map<string, unknown> }>(family, 'crypto/RSA');
  _serverKeys.set(fingerprint, { n: bigInt(n.toString()), e: Number(e) });
  return fingerprint;
}

/** Returns a subclass of a connection class whose instances always dial host:port. */
function pinConnection(base: ConnectionClass, host: string, port: number): ConnectionClass {
  return class PinnedConnection extends base {
    constructor(options: Record<string, unknown>) {
      super({ ...options, ip: host, port });
    }
  };
}

/**
 * Returns a subclass of the clients' TCP socket wrapper that turns Nagle's algorithm off once
 * connected. The clients send the msgs_ack for an RPC error in a frame of its own, so with
 * Nagle on, the request after an error can wait for the server's delayed ACK (about 40 ms on
 * Linux).
 */
function noDelaySockets(base: NetSocketClass): NetSocketClass {
  return class NoDelayNetSockets extends base {
    override async connect(port: number, ip: string, ...rest: unknown[]): Promise<unknown> {
      const connected = await super.connect(port, ip, ...rest);
      this.client?.setNoDelay(true);
      return connected;
    }
  };
}

/**
 * Returns TelegramClient options for the mock: the pinned connection class for the transport,
 * the WebSocket socket class when asked or else TCP sockets without Nagle's algorithm, few
 * retries so a dead mock fails fast, and no logging.
 */
export function familyClientParams(
  family: GramJsFamily,
  target: MockTarget,
  options: GramJsFamilyOptions = {},
): Record<string, unknown> {
  registerFamilyKey(family, target.publicKeyPem);
  const network = load<Record<string, ConnectionClass>>(family, 'network');
  const { PromisedWebSockets, PromisedNetSockets } = load<{
    PromisedWebSockets: unknown;
    PromisedNetSockets: NetSocketClass;
  }>(family, 'extensions');
  const { Logger, LogLevel } = load<{
    Logger: new (level: string) => unknown;
    LogLevel: { NONE: string };
  }>(family, 'extensions/Logger');

  const transport = options.transport ?? 'tcp-full';
  const base = {
    'tcp-full': network.ConnectionTCPFull,
    'tcp-abridged': network.ConnectionTCPAbridged,
    'tcp-obfuscated': network.ConnectionTCPObfuscated,
    // The mock expects obfuscated framing inside a WebSocket, so it gets obfuscated abridged.
    websocket: network.ConnectionTCPObfuscated,
  }[transport];

  return {
    connection: pinConnection(base, target.host, target.port),
    networkSocket:
      transport === 'websocket' ? PromisedWebSockets : noDelaySockets(PromisedNetSockets),
    connectionRetries: options.connectionRetries ?? DEFAULT_CONNECTION_RETRIES,
    retryDelay: 100,
    requestRetries: 2,
    baseLogger: new Logger(LogLevel.NONE),
  };
}

/**
 * Creates a TelegramClient aimed at the mock, with a StringSession on the mock's DC. Call
 * `client.connect()` next, and `client.destroy()` at the end: the update loop keeps running
 * until the client is destroyed.
 */
export function createFamilyClient(
  family: GramJsFamily,
  target: MockTarget,
  options: GramJsFamilyClientOptions = {},
): unknown {
  const { TelegramClient } = load<{ TelegramClient: new (...args: unknown[]) => unknown }>(
    family,
    'index',
  );
  const { StringSession } = load<{
    StringSession: new (session: string) => {
      setDC(dcId: number, host: string, port: number): void;
    };
  }>(family, 'sessions');
  const session = new StringSession(options.session ?? '');
  // The port here only has to fit the session format; the pinned connection dials the real one.
  session.setDC(target.dcId ?? 2, target.host, 443);
  const client = new TelegramClient(
    session,
    options.apiId ?? 1,
    options.apiHash ?? 'mtmock',
    familyClientParams(family, target, options),
  ) as { connect(): Promise<unknown> };
  // When every attempt fails, the clients resolve connect() with false, and the next request
  // then waits forever. A rejection names the address instead.
  const connect = client.connect.bind(client);
  client.connect = async () => {
    const connected = await connect();
    if (connected === false) {
      const attempts = options.connectionRetries ?? DEFAULT_CONNECTION_RETRIES;
      throw new Error(
        `${family} could not connect to the mock at ${target.host}:${target.port} after ` +
          `${attempts} attempt${attempts === 1 ? '' : 's'}; check that the mock is running and ` +
          'below its connection limit (--max-connections)',
      );
    }
    return connected;
  };
  return client;
}
