import { createCipheriv, randomBytes, type Cipher } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { createFraming } from '../create-framing.js';
import type { Framing, FramingName } from '../framing.js';

/** Plain-transport tags a client sends before its first frame. */
const PLAIN_TAGS: Record<FramingName, Buffer> = {
  abridged: Buffer.from([0xef]),
  intermediate: Buffer.from('eeeeeeee', 'hex'),
  'padded-intermediate': Buffer.from('dddddddd', 'hex'),
  full: Buffer.alloc(0),
};

/** Obfuscated2 tags at bytes 56..60 of the client's header. */
const OBFUSCATED_TAGS: Record<Exclude<FramingName, 'full'>, Buffer> = {
  abridged: Buffer.from('efefefef', 'hex'),
  intermediate: Buffer.from('eeeeeeee', 'hex'),
  'padded-intermediate': Buffer.from('dddddddd', 'hex'),
};

/** First words that clients never put at the start of an obfuscated2 header, as LE uint32. */
const REJECTED_FIRST_WORDS = ['HEAD', 'POST', 'GET ', 'OPTI', 'PVrG']
  .map((word) => Buffer.from(word, 'latin1').readUInt32LE(0))
  .concat([0xdddddddd, 0xeeeeeeee, 0x02010316]);

/** Client side of obfuscated2: the header to send first and the two running CTR streams. */
export interface ClientObfuscation {
  /** The 64 bytes to send: the random header with its bytes 56..64 encrypted. */
  header: Buffer;
  encrypt: Cipher;
  decrypt: Cipher;
}

/**
 * Builds an obfuscated2 header the way clients do. It draws 64 random bytes again while they could
 * be mistaken for another transport and puts the framing tag at 56..60. It encrypts the whole
 * header with key header[8..40] and iv header[40..56] and keeps the encrypted bytes 56..64.
 */
export function createClientObfuscation(
  framing: Exclude<FramingName, 'full'>,
  random: (size: number) => Buffer = randomBytes,
): ClientObfuscation {
  let init: Buffer;
  do {
    init = random(64);
  } while (
    init[0] === 0xef ||
    REJECTED_FIRST_WORDS.includes(init.readUInt32LE(0)) ||
    init.readUInt32LE(4) === 0
  );
  OBFUSCATED_TAGS[framing].copy(init, 56);
  const reversed = Buffer.from(init.subarray(8, 56)).reverse();
  const encrypt = createCipheriv('aes-256-ctr', init.subarray(8, 40), init.subarray(40, 56));
  const decrypt = createCipheriv('aes-256-ctr', reversed.subarray(0, 32), reversed.subarray(32));
  const encrypted = encrypt.update(init);
  const header = Buffer.concat([init.subarray(0, 56), encrypted.subarray(56, 64)]);
  return { header, encrypt, decrypt };
}

/** Settings of LoopbackClient.connect. */
export interface LoopbackClientOptions {
  host: string;
  port: number;
  framing: FramingName;
  /** Wraps the framing in obfuscated2. Implied by `webSocketPath`. */
  obfuscated?: boolean;
  /** Connects with a WebSocket (subprotocol `binary`) to this path, such as '/apiws'. */
  webSocketPath?: string;
}

/**
 * A minimal MTProto transport client for tests over loopback: it frames payloads, optionally
 * obfuscates them, and queues the payloads it receives. It has no message layer.
 */
export class LoopbackClient {
  private readonly framing: Framing;
  private readonly received: Buffer[] = [];
  private waiters: Array<{ resolve(payload: Buffer): void; reject(error: Error): void }> = [];
  private isClosed = false;
  /** Resolves when the server or the client has closed the connection. */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  private constructor(
    framing: FramingName,
    private readonly writeBytes: (data: Buffer) => void,
    private readonly endConnection: () => void,
    private readonly obfuscation: ClientObfuscation | undefined,
    /** Subprotocol that the server selected, for WebSocket clients. */
    readonly protocol: string | undefined,
  ) {
    this.framing = createFraming(framing);
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  /** Connects and sends the transport's tag or obfuscated2 header. */
  static async connect(options: LoopbackClientOptions): Promise<LoopbackClient> {
    const obfuscated = options.obfuscated === true || options.webSocketPath !== undefined;
    if (obfuscated && options.framing === 'full') {
      throw new Error('the full transport has no obfuscated2 form; pick another framing');
    }
    const obfuscation = obfuscated
      ? createClientObfuscation(options.framing as Exclude<FramingName, 'full'>)
      : undefined;
    const opening = obfuscation ? obfuscation.header : PLAIN_TAGS[options.framing];

    const client =
      options.webSocketPath === undefined
        ? await LoopbackClient.connectTcp(options, obfuscation)
        : await LoopbackClient.connectWebSocket(options, obfuscation, options.webSocketPath);
    if (opening.length > 0) client.writeBytes(opening);
    return client;
  }

  private static async connectTcp(
    options: LoopbackClientOptions,
    obfuscation: ClientObfuscation | undefined,
  ): Promise<LoopbackClient> {
    const socket: Socket = connect({ host: options.host, port: options.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const client = new LoopbackClient(
      options.framing,
      (data) => socket.write(data),
      () => socket.end(),
      obfuscation,
      undefined,
    );
    socket.on('data', (data: Buffer) => client.onBytes(data));
    socket.on('error', () => undefined);
    socket.once('close', () => client.onClose());
    return client;
  }

  private static async connectWebSocket(
    options: LoopbackClientOptions,
    obfuscation: ClientObfuscation | undefined,
    path: string,
  ): Promise<LoopbackClient> {
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    const webSocket = new WebSocket(`ws://${host}:${options.port}${path}`, 'binary');
    await new Promise<void>((resolve, reject) => {
      webSocket.once('open', resolve);
      webSocket.once('error', reject);
    });
    const client = new LoopbackClient(
      options.framing,
      (data) => webSocket.send(data),
      () => webSocket.close(1000),
      obfuscation,
      webSocket.protocol,
    );
    webSocket.on('message', (data: Buffer) => client.onBytes(data));
    webSocket.on('error', () => undefined);
    webSocket.once('close', () => client.onClose());
    return client;
  }

  /** Frames (and encrypts) one payload and sends it. */
  send(payload: Buffer): void {
    this.sendRaw(this.framing.encode(payload));
  }

  /** Sends bytes as they are, after the obfuscation if there is one, bypassing the framing. */
  sendRaw(bytes: Buffer): void {
    this.writeBytes(this.obfuscation ? this.obfuscation.encrypt.update(bytes) : bytes);
  }

  /** Resolves with the next received payload; rejects if the connection closes first. */
  receive(): Promise<Buffer> {
    const next = this.received.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.isClosed) return Promise.reject(new Error('connection closed before a payload'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Closes the client's side of the connection. */
  close(): void {
    this.endConnection();
  }

  private onBytes(data: Buffer): void {
    const plain = this.obfuscation ? this.obfuscation.decrypt.update(data) : data;
    for (const payload of this.framing.push(plain)) {
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(payload);
      else this.received.push(payload);
    }
  }

  private onClose(): void {
    this.isClosed = true;
    for (const waiter of this.waiters) waiter.reject(new Error('connection closed'));
    this.waiters = [];
    this.markClosed();
  }
}
