/**
 * Aims @mtproto/core (6.3.0) at mtmock: builds its MTProto class with a transport that can be
 * closed, keeps the session in memory, trusts the mock's RSA key and lists the mock as the only
 * DC.
 *
 * Three things in @mtproto/core 6.3.0 need this. It trusts only Telegram's five RSA keys and has
 * no API to add one. Its Node transport reconnects the moment a socket closes and there is no
 * way to stop it, so a test process would never exit. And after every `auth.authorization`
 * result it copies the login to every other DC in its list, which a one-DC list avoids.
 */
import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { computeRsaFingerprint } from '../crypto/rsa.js';
import type { MockTarget } from './gramjs.js';

export type { MockTarget } from './gramjs.js';

/** An rpc_error as @mtproto/core rejects a call with it. */
export interface MtprotoCoreRpcError {
  _: 'mt_rpc_error';
  error_code: number;
  error_message: string;
}

/** A result as @mtproto/core decodes it: a TL object, vector or boolean, without types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the library ships no types
export type MtprotoCoreResult = any;

/** Inputs of @mtproto/core's SRP helper, taken from `account.password`. */
export interface MtprotoCoreSrpInput {
  g: number;
  p: Uint8Array;
  salt1: Uint8Array;
  salt2: Uint8Array;
  gB: Uint8Array;
  password: string;
}

/** The part of an @mtproto/core instance that tests use, plus `destroy()` from this adapter. */
export interface MtprotoCoreClient {
  /** Calls an API method and rejects with MtprotoCoreRpcError. Parameters use TL's snake_case. */
  call(
    method: string,
    params?: Record<string, unknown>,
    options?: { dcId?: number; syncAuth?: boolean },
  ): Promise<MtprotoCoreResult>;
  crypto: {
    getSRPParams(input: MtprotoCoreSrpInput): Promise<{ A: Uint8Array; M1: Uint8Array }>;
    getRandomBytes(length: number): Uint8Array;
  };
  dcList: Array<{ id: number; ip: string; port: number }>;
  /** Closes every socket for good and stops the library's timers. Safe to call twice. */
  destroy(): void;
}

export interface MtprotoCoreAdapterOptions {
  apiId?: number;
  apiHash?: string;
  /** Failed reconnects in a row after which the transport gives up. Default 5. */
  connectionRetries?: number;
}

/** Milliseconds before the transport reconnects. The library itself reconnects at once. */
const RECONNECT_DELAY_MS = 100;

const require = createRequire(import.meta.url);

function load<T>(path: string): T {
  return require(`@mtproto/core/${path}`) as T;
}

/** Members of @mtproto/core's Node transport (envs/node/transport.js) that the adapter uses. */
interface NodeTransport {
  socket: Socket;
  connect(): void;
  handleConnect(): Promise<void>;
  handleClose(): Promise<void>;
}

type NodeTransportClass = new (dc: unknown, crypto: unknown) => NodeTransport;

/** A library transport with a `close()` that stops reconnecting, and a bounded retry. */
interface ClosableTransport extends NodeTransport {
  close(): void;
}

function createTransportClass(maxFailures: number) {
  const Base = load<NodeTransportClass>('envs/node/transport');

  return class MockTransport extends Base implements ClosableTransport {
    private closed = false;
    private failures = 0;
    private reconnectTimer?: NodeJS.Timeout;

    override async handleConnect(): Promise<void> {
      this.failures = 0;
      await super.handleConnect();
    }

    // Stops after maxFailures failed reconnects in a row, because handleConnect resets the count.
    override async handleClose(): Promise<void> {
      if (!this.socket.destroyed) this.socket.destroy();
      if (this.closed || this.failures >= maxFailures) return;
      this.failures++;
      this.reconnectTimer = setTimeout(() => this.connect(), RECONNECT_DELAY_MS);
    }

    close(): void {
      this.closed = true;
      clearTimeout(this.reconnectTimer);
      this.socket.destroy();
    }
  };
}

/**
 * Returns the mock's RSA key as @mtproto/core's key table stores keys: modulus and exponent in
 * hex, keyed by the fingerprint as unpadded lower-case hex. The library looks fingerprints up
 * without their leading zeros, so that spelling matches every key.
 */
export function mtprotoCoreKeyEntry(publicKeyPem: string): {
  fingerprintHex: string;
  key: { modulus: string; exponent: string };
} {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  const modulus = Buffer.from(jwk.n as string, 'base64url').toString('hex');
  const exponent = Buffer.from(jwk.e as string, 'base64url').toString('hex');
  const fingerprint = computeRsaFingerprint(BigInt(`0x${modulus}`), BigInt(`0x${exponent}`));
  return {
    fingerprintHex: BigInt.asUintN(64, fingerprint).toString(16),
    key: { modulus, exponent },
  };
}

/** In-memory storage in the shape of `storageOptions.instance`: JSON strings by key. */
function memoryStorage() {
  const values = new Map<string, string>();
  return {
    async get(key: string): Promise<string | null> {
      return values.get(key) ?? null;
    },
    async set(key: string, value: string): Promise<void> {
      values.set(key, value);
    },
  };
}

/**
 * Creates an @mtproto/core client aimed at the mock, with its session in memory. It connects on
 * the first `call()`. Call `destroy()` at the end, because nothing else closes its sockets.
 */
export function createMtprotoCoreClient(
  target: MockTarget,
  options: MtprotoCoreAdapterOptions = {},
): MtprotoCoreClient {
  const transports = new Set<ClosableTransport>();
  const MockTransport = createTransportClass(options.connectionRetries ?? 5);
  const makeMTProto =
    load<(env: Record<string, unknown>) => new (options: unknown) => unknown>('src');
  const MTProto = makeMTProto({
    SHA1: load('envs/node/sha1'),
    SHA256: load('envs/node/sha256'),
    PBKDF2: load('envs/node/pbkdf2'),
    getRandomBytes: load('envs/node/get-random-bytes'),
    getLocalStorage: load('envs/node/get-local-storage'),
    createTransport(dc: unknown, crypto: unknown) {
      const transport = new MockTransport(dc, crypto);
      transports.add(transport);
      return transport;
    },
  });

  const client = new MTProto({
    api_id: options.apiId ?? 1,
    api_hash: options.apiHash ?? 'mtmock',
    storageOptions: { instance: memoryStorage() },
  }) as MtprotoCoreClient & {
    rpcs: Map<number, { sendAcks: { cancel(): void } }>;
    crypto: { rsa: { getPublisKeysByHex(): Promise<Record<string, unknown>> } };
    setDefaultDc(dcId: number): Promise<void>;
  };

  const dcId = target.dcId ?? 2;
  client.dcList = [{ id: dcId, ip: target.host, port: target.port }];
  // The storage caches the value before its promise settles, so the next call() already reads it.
  void client.setDefaultDc(dcId);

  const { fingerprintHex, key } = mtprotoCoreKeyEntry(target.publicKeyPem);
  const rsa = client.crypto.rsa;
  const builtInKeys = rsa.getPublisKeysByHex.bind(rsa);
  rsa.getPublisKeysByHex = async () => ({ ...(await builtInKeys()), [fingerprintHex]: key });

  client.destroy = () => {
    for (const transport of transports) transport.close();
    // The debounced ack sender would otherwise hold a 500 ms timer.
    for (const rpc of client.rpcs.values()) rpc.sendAcks.cancel();
  };
  return client;
}
