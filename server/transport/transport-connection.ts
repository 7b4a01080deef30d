import type { Logger } from '../logger.js';
import { TransportCodec, type Carrier } from './transport-codec.js';
import { TransportError } from './transport-error.js';

/** One MTProto connection, independent of its transport, as the session layer uses it. */
export interface TransportConnection {
  /** Increasing connection id, unique in the process, for logs. */
  readonly id: number;
  /** Transport name: 'full', 'obfuscated2/abridged', 'websocket/obfuscated2/intermediate'… */
  readonly transport: string;
  /** Peer address as `host:port`, with IPv6 hosts in brackets. */
  readonly remoteAddress: string;
  /** Logger with `connId` and `transport` bound. */
  readonly log: Logger;
  /** Whether close() was called or the peer went away. */
  readonly closed: boolean;
  /** Frames (and encrypts) one payload and sends it. Does nothing once the connection is closed. */
  send(payload: Buffer): void;
  /** Sends a transport error packet, such as -404 or -429. The caller usually closes afterwards. */
  sendTransportError(code: number): void;
  /** Closes the connection after the bytes already sent are flushed. */
  close(): void;
  /**
   * Writes the next packet in separate writes of `chunkBytes` bytes, so the client reads it in
   * small pieces. Used by the split-writes fault.
   */
  splitNextWrite?(chunkBytes: number): void;
}

/** Callbacks of the layer above for one accepted connection. */
export interface PacketHandler {
  /** Receives one complete payload. Exceptions are logged and do not close the connection. */
  onPacket(payload: Buffer): void;
  /** Runs once when the connection has closed, for any reason. */
  onClose(): void;
}

/** Called when a connection's transport is known; returns the handler for its packets. */
export type AcceptConnection = (connection: TransportConnection) => PacketHandler;

/** Byte stream under a connection: a TCP socket, or a WebSocket's binary messages. */
export interface ByteChannel {
  readonly remoteAddress: string;
  write(data: Buffer): void;
  /** Closes after queued writes are flushed. */
  end(): void;
  /** Closes at once, dropping queued writes. */
  destroy(): void;
}

let lastConnectionId = 0;

/** Settings of a StreamConnection. */
export interface StreamConnectionOptions {
  carrier: Carrier;
  channel: ByteChannel;
  /** Parent logger; the connection binds `connId` and, once known, `transport`. */
  log: Logger;
  accept: AcceptConnection;
  maxPayloadLength?: number;
}

/**
 * A TransportConnection over a ByteChannel. The owner of the channel feeds received bytes to
 * `receive()` and reports the channel's end with `channelClosed()`.
 *
 * Bad bytes (unknown transport, bad CRC or seqno, oversized frame) log one warning, send
 * transport error -404 if the framing is known, and close this connection only.
 */
export class StreamConnection implements TransportConnection {
  readonly id = ++lastConnectionId;
  readonly remoteAddress: string;
  private readonly channel: ByteChannel;
  private readonly codec: TransportCodec;
  private readonly accept: AcceptConnection;
  private readonly parentLog: Logger;
  private currentLog: Logger;
  private handler: PacketHandler | undefined;
  private isClosed = false;
  private closeReported = false;
  /** Set by splitNextWrite: the byte count per write for the next packet only. */
  private nextWriteChunkBytes: number | undefined;

  constructor(options: StreamConnectionOptions) {
    this.channel = options.channel;
    this.remoteAddress = options.channel.remoteAddress;
    this.accept = options.accept;
    this.codec = new TransportCodec({
      carrier: options.carrier,
      maxPayloadLength: options.maxPayloadLength,
    });
    this.parentLog = options.log;
    this.currentLog = options.log.child({ connId: this.id });
  }

  get transport(): string {
    return this.codec.transport ?? 'undetected';
  }

  get log(): Logger {
    return this.currentLog;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Feeds bytes received from the channel: detects the transport, decodes and delivers. */
  receive(chunk: Buffer): void {
    if (this.isClosed) return;
    let payloads: Buffer[];
    try {
      payloads = this.codec.push(chunk);
    } catch (error) {
      this.failDecoding(error);
      return;
    }
    if (this.handler === undefined && this.codec.transport !== undefined) {
      if (!this.acceptConnection()) return;
    }
    for (const payload of payloads) {
      if (this.isClosed || this.handler === undefined) return;
      try {
        this.handler.onPacket(payload);
      } catch (error) {
        this.log.error(
          { err: error, payloadLength: payload.length },
          'packet handler threw; the packet is dropped and the connection stays open',
        );
      }
    }
  }

  /** Reports that the channel has closed. Calls the handler's onClose once. */
  channelClosed(): void {
    this.isClosed = true;
    if (this.closeReported) return;
    this.closeReported = true;
    this.log.debug('connection closed');
    if (this.handler === undefined) return;
    try {
      this.handler.onClose();
    } catch (error) {
      this.log.error({ err: error }, 'close handler threw');
    }
  }

  send(payload: Buffer): void {
    if (this.isClosed) {
      this.log.debug({ payloadLength: payload.length }, 'dropped a packet sent after close');
      return;
    }
    const frame = this.codec.encode(payload);
    const chunkBytes = this.nextWriteChunkBytes;
    if (chunkBytes === undefined) {
      this.channel.write(frame);
      return;
    }
    this.nextWriteChunkBytes = undefined;
    // Each write is its own send() on a socket with Nagle's algorithm off.
    for (let offset = 0; offset < frame.length; offset += chunkBytes) {
      this.channel.write(frame.subarray(offset, offset + chunkBytes));
    }
  }

  splitNextWrite(chunkBytes: number): void {
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
      throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
    }
    this.nextWriteChunkBytes = chunkBytes;
  }

  sendTransportError(code: number): void {
    if (this.isClosed) return;
    const frame = this.codec.encodeError(code);
    if (frame === undefined) {
      this.log.debug({ code }, 'transport error not sent: the framing is not known yet');
      return;
    }
    this.log.debug({ code }, 'sending transport error');
    this.channel.write(frame);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.channel.end();
  }

  /** Binds the transport to the logger and requests a packet handler from the layer above. */
  private acceptConnection(): boolean {
    this.currentLog = this.parentLog.child({ connId: this.id, transport: this.transport });
    this.log.debug({ remoteAddress: this.remoteAddress }, 'transport detected');
    try {
      this.handler = this.accept(this);
      return true;
    } catch (error) {
      this.log.error({ err: error }, 'connection handler threw on accept; closing the connection');
      this.isClosed = true;
      this.channel.destroy();
      return false;
    }
  }

  private failDecoding(error: unknown): void {
    if (!(error instanceof TransportError)) {
      this.log.error({ err: error }, 'transport decoder threw; closing the connection');
      this.isClosed = true;
      this.channel.destroy();
      return;
    }
    this.log.warn(
      { code: error.code, remoteAddress: this.remoteAddress },
      `closing connection: ${error.message}`,
    );
    this.sendTransportError(error.code);
    this.close();
  }
}
