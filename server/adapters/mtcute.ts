/**
 * Aims mtcute (`@mtcute/node` 0.30.3) at mtmock: registers the mock's RSA key, pins the main and
 * media DC to the mock's address, and offers the three transports the mock serves to mtcute.
 *
 * `@mtcute/node` 0.30.3 ships only a TCP intermediate transport, so this module adds the
 * obfuscated variant and a small WebSocket transport that dials `ws://host:port/apiws`.
 */
import { connectWs } from '@fuman/net';
import {
  IntermediatePacketCodec,
  MemoryStorage,
  ObfuscatedPacketCodec,
  TcpTransport,
  TelegramClient,
  type BaseTelegramClientOptions,
  type TelegramTransport,
} from '@mtcute/node';
import {
  addPublicKey,
  findKeyByFingerprints,
  LogManager,
  NodeCryptoProvider,
  parsePublicKey,
  type BasicDcOption,
} from '@mtcute/node/utils.js';
import { WebSocket } from 'ws';
import type { MockTarget } from './gramjs.js';

export type { MockTarget } from './gramjs.js';

/** The transports mtmock serves to mtcute, as mtmock's tests name them. */
export type MtcuteTransport = 'intermediate' | 'obfuscated-intermediate' | 'websocket';

export interface MtcuteAdapterOptions {
  /** Default 'intermediate', mtcute's own default on Node. */
  transport?: MtcuteTransport;
  /** Failed connection attempts in a row after which mtcute stops reconnecting. Default 5. */
  connectionRetries?: number;
}

/** The options this adapter sets; the caller adds apiId, apiHash and anything else. */
export type MtcuteMockOptions = Required<
  Pick<
    BaseTelegramClientOptions,
    'storage' | 'defaultDcs' | 'transport' | 'reconnectionStrategy' | 'network' | 'logLevel'
  >
>;

/** Milliseconds between reconnection attempts. The mock is local, so a short wait is enough. */
const RECONNECT_DELAY_MS = 100;

/**
 * Adds the mock's public key (PKCS#1 PEM) to mtcute's global key index and returns its
 * fingerprint as the index spells it (16 lower-case hex digits). Safe to call more than once.
 *
 * Throws when mtcute 0.30.3 cannot find the key afterwards. Its lookup drops the leading zeros
 * of the fingerprint that the index keeps, so a key whose fingerprint starts with hex 0 never
 * matches.
 */
export function registerMtcuteKey(publicKeyPem: string): string {
  const crypto = new NodeCryptoProvider();
  const { fingerprint } = parsePublicKey(crypto, publicKeyPem, false);
  addPublicKey(crypto, publicKeyPem, false);

  const asLookedUp = BigInt(`0x${fingerprint}`).toString(16);
  if (!findKeyByFingerprints([asLookedUp])) {
    throw new Error(
      `mtcute cannot find the RSA key with fingerprint ${fingerprint}: mtcute 0.30.3 drops the ` +
        'leading zero before the lookup. Start the mock with a key whose fingerprint does not ' +
        'start with hex 0 (node scripts/generate-rsa-key.mjs).',
    );
  }
  return fingerprint;
}

/** mtcute's TCP transport with obfuscation around the intermediate codec (tag eeeeeeee). */
export class ObfuscatedTcpTransport extends TcpTransport {
  override packetCodec(): IntermediatePacketCodec {
    // The declared return type is the base class's, but any IPacketCodec works at run time.
    return new ObfuscatedPacketCodec(
      new IntermediatePacketCodec(),
    ) as unknown as IntermediatePacketCodec;
  }
}

/**
 * WebSocket transport for Node: obfuscated intermediate over `ws://host:port/apiws` with the
 * `binary` subprotocol, on the DC option's address and port. Uses the `ws` package.
 */
export class WebSocketTransport implements TelegramTransport {
  connect(dc: BasicDcOption) {
    const host = dc.ipv6 ? `[${dc.ipAddress}]` : dc.ipAddress;
    return connectWs({
      url: `ws://${host}:${dc.port}/apiws`,
      implementation: WebSocket as unknown as typeof globalThis.WebSocket,
      protocols: 'binary',
    });
  }

  packetCodec() {
    return new ObfuscatedPacketCodec(new IntermediatePacketCodec());
  }
}

function createTransport(name: MtcuteTransport): TelegramTransport {
  switch (name) {
    case 'intermediate':
      return new TcpTransport();
    case 'obfuscated-intermediate':
      return new ObfuscatedTcpTransport();
    case 'websocket':
      return new WebSocketTransport();
  }
}

/**
 * Returns TelegramClient options for the mock: its RSA key registered, both default DCs on the
 * mock's address, the chosen transport, in-memory storage, no flood control, a short bounded
 * reconnection strategy and no logging. Spread them into the options of `new TelegramClient`.
 */
export function mtcuteClientOptions(
  target: MockTarget,
  options: MtcuteAdapterOptions = {},
): MtcuteMockOptions {
  registerMtcuteKey(target.publicKeyPem);
  const dc: BasicDcOption = {
    id: target.dcId ?? 2,
    ipAddress: target.host,
    port: target.port,
    ipv6: target.host.includes(':'),
  };
  const maxFailures = options.connectionRetries ?? 5;
  let failures = 0;

  return {
    storage: new MemoryStorage(),
    defaultDcs: { main: dc, media: { ...dc, mediaOnly: true } },
    transport: createTransport(options.transport ?? 'intermediate'),
    // The fuman state's previousWait is null on the first failure after a successful connect.
    reconnectionStrategy: ({ previousWait }) => {
      failures = previousWait === null ? 1 : failures + 1;
      return failures > maxFailures ? false : RECONNECT_DELAY_MS;
    },
    network: { floodControl: false },
    logLevel: LogManager.OFF,
  };
}

/**
 * Creates an mtcute TelegramClient aimed at the mock, with in-memory storage. It connects on the
 * first request. Call `client.destroy()` at the end to close its sockets.
 */
export function createMtcuteClient(
  target: MockTarget,
  options: MtcuteAdapterOptions & {
    apiId?: number;
    apiHash?: string;
    disableUpdates?: boolean;
  } = {},
): TelegramClient {
  return new TelegramClient({
    apiId: options.apiId ?? 1,
    apiHash: options.apiHash ?? 'mtmock',
    disableUpdates: options.disableUpdates,
    ...mtcuteClientOptions(target, options),
  });
}
