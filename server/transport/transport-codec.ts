import { createFraming } from './create-framing.js';
import { detectTransport } from './detect-transport.js';
import type { Framing, FramingOptions } from './framing.js';
import { OBFUSCATED2_HEADER_LENGTH, Obfuscated2 } from './obfuscated2.js';
import { previewHex, TransportError } from './transport-error.js';

/** Carrier of the MTProto byte stream: a TCP socket, or a WebSocket's binary messages. */
export type Carrier = 'tcp' | 'websocket';

/** Settings of a TransportCodec. */
export interface TransportCodecOptions extends FramingOptions {
  carrier: Carrier;
}

/**
 * Everything between a connection's raw bytes and its MTProto payloads, without any I/O:
 * transport detection, optional obfuscated2 and the framing. A WebSocket stream must be
 * obfuscated. HTTP is not handled here, because the listener routes it before a codec exists.
 */
export class TransportCodec {
  private readonly carrier: Carrier;
  private readonly framingOptions: FramingOptions;
  /** Bytes received before the transport is known: at most the 64-byte obfuscated2 header. */
  private head = Buffer.alloc(0);
  private framing: Framing | undefined;
  private obfuscation: Obfuscated2 | undefined;
  private failure: TransportError | undefined;

  constructor(options: TransportCodecOptions) {
    this.carrier = options.carrier;
    this.framingOptions = { maxPayloadLength: options.maxPayloadLength };
  }

  /**
   * Transport name for logs, such as 'full', 'obfuscated2/abridged' or
   * 'websocket/obfuscated2/intermediate'; undefined until the first bytes decide it.
   */
  get transport(): string | undefined {
    if (this.framing === undefined) return undefined;
    const parts: string[] = [];
    if (this.carrier === 'websocket') parts.push('websocket');
    if (this.obfuscation !== undefined) parts.push('obfuscated2');
    parts.push(this.framing.name);
    return parts.join('/');
  }

  /**
   * Feeds received bytes and returns the payloads they complete. Throws TransportError on bad
   * input, and again on every later call, because the stream cannot be resynchronised.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.failure !== undefined) throw this.failure;
    try {
      return this.pushUnchecked(chunk);
    } catch (error) {
      if (error instanceof TransportError) this.failure = error;
      throw error;
    }
  }

  private pushUnchecked(chunk: Buffer): Buffer[] {
    if (this.framing !== undefined) {
      return this.framing.push(this.obfuscation ? this.obfuscation.decrypt(chunk) : chunk);
    }
    this.head = Buffer.concat([this.head, chunk]);
    const rest = this.startTransport();
    return rest === undefined ? [] : this.pushUnchecked(rest);
  }

  /** Sets up the transport once the head suffices, and returns the bytes left after the tag. */
  private startTransport(): Buffer | undefined {
    const detected = detectTransport(this.head);
    if (detected === undefined) return undefined;
    if (detected.kind === 'http') {
      throw new TransportError(
        `${this.carrier} stream starts with an HTTP request (${previewHex(this.head)}) ` +
          'where MTProto bytes were expected',
      );
    }
    if (detected.kind === 'plain') {
      if (this.carrier === 'websocket') {
        throw new TransportError(
          `WebSocket stream starts with the plain ${detected.framing} transport ` +
            `(${previewHex(this.head)}); MTProto over WebSocket must be obfuscated2`,
        );
      }
      this.framing = createFraming(detected.framing, this.framingOptions);
      return this.takeHead(detected.tagLength);
    }

    if (this.head.length < OBFUSCATED2_HEADER_LENGTH) return undefined;
    const header = this.head.subarray(0, OBFUSCATED2_HEADER_LENGTH);
    this.obfuscation = Obfuscated2.fromHeader(header);
    this.framing = createFraming(this.obfuscation.framing, this.framingOptions);
    return this.takeHead(OBFUSCATED2_HEADER_LENGTH);
  }

  /** Drops the first `count` head bytes, which are not framed, and returns the rest. */
  private takeHead(count: number): Buffer {
    const rest = this.head.subarray(count);
    this.head = Buffer.alloc(0);
    return rest;
  }

  /** Frames (and encrypts) one outgoing payload. Throws if the transport is not known yet. */
  encode(payload: Buffer): Buffer {
    return this.seal(this.requireFraming().encode(payload));
  }

  /**
   * Frames (and encrypts) a transport error packet. Returns undefined while the framing is
   * unknown, because then the peer could not parse any packet.
   */
  encodeError(code: number): Buffer | undefined {
    if (this.framing === undefined) return undefined;
    return this.seal(this.framing.encodeError(code));
  }

  private seal(frame: Buffer): Buffer {
    return this.obfuscation ? this.obfuscation.encrypt(frame) : frame;
  }

  private requireFraming(): Framing {
    if (this.framing === undefined) {
      throw new Error('cannot send before the transport is detected from the first bytes');
    }
    return this.framing;
  }
}
