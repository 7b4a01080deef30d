import {
  ByteQueue,
  checkDeclaredLength,
  resolveMaxPayloadLength,
  type Framing,
  type FramingOptions,
} from './framing.js';
import { encodeTransportErrorPayload } from './transport-error.js';

/** First length byte that announces the long form: 0x7f, then a 3-byte LE length in words. */
const LONG_FORM_MARKER = 0x7f;
const QUICK_ACK_BIT = 0x80;
const MAX_WORDS = 0xffffff;

/**
 * Abridged framing (tag `ef`, which the detector consumes): a length in 4-byte words, as one byte
 * below 0x7f or as `7f` plus 3 LE bytes, then the payload. The high bit of the first byte is a
 * quick-ack request, which is accepted and stripped.
 */
export class AbridgedFraming implements Framing {
  readonly name = 'abridged';
  private readonly queue = new ByteQueue();
  private readonly maxPayloadLength: number;
  private pendingLength: number | undefined;

  constructor(options?: FramingOptions) {
    this.maxPayloadLength = resolveMaxPayloadLength(options);
  }

  push(chunk: Buffer): Buffer[] {
    this.queue.append(chunk);
    const payloads: Buffer[] = [];
    for (;;) {
      if (this.pendingLength === undefined) {
        const length = this.readHeader();
        if (length === undefined) break;
        this.pendingLength = length;
      }
      if (this.queue.length < this.pendingLength) break;
      payloads.push(this.queue.take(this.pendingLength));
      this.pendingLength = undefined;
    }
    return payloads;
  }

  /** Consumes one length header and returns the payload length, or undefined if incomplete. */
  private readHeader(): number | undefined {
    if (this.queue.length < 1) return undefined;
    // NOTE: quick-ack requests are accepted, but no quick ack is ever sent back.
    const shortLength = this.queue.peek(1)[0] & ~QUICK_ACK_BIT;
    let words: number;
    if (shortLength < LONG_FORM_MARKER) {
      this.queue.take(1);
      words = shortLength;
    } else {
      if (this.queue.length < 4) return undefined;
      words = this.queue.take(4).readUIntLE(1, 3);
    }
    const length = words * 4;
    checkDeclaredLength(this.name, length, this.maxPayloadLength);
    return length;
  }

  encode(payload: Buffer): Buffer {
    if (payload.length % 4 !== 0) {
      throw new RangeError(
        `abridged payload length must be a multiple of 4, got ${payload.length} bytes`,
      );
    }
    const words = payload.length / 4;
    if (words > MAX_WORDS) {
      throw new RangeError(`abridged payload of ${payload.length} bytes exceeds 64 MiB`);
    }
    if (words < LONG_FORM_MARKER) {
      return Buffer.concat([Buffer.from([words]), payload]);
    }
    const header = Buffer.alloc(4);
    header[0] = LONG_FORM_MARKER;
    header.writeUIntLE(words, 1, 3);
    return Buffer.concat([header, payload]);
  }

  encodeError(code: number): Buffer {
    return this.encode(encodeTransportErrorPayload(code));
  }
}
