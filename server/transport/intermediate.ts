import {
  ByteQueue,
  checkDeclaredLength,
  resolveMaxPayloadLength,
  type Framing,
  type FramingName,
  type FramingOptions,
} from './framing.js';
import { encodeTransportErrorPayload } from './transport-error.js';

const QUICK_ACK_BIT = 0x80000000;

/**
 * Intermediate framing (tag `eeeeeeee`, which the detector consumes): a 4-byte LE payload length,
 * then the payload. The length's most significant bit is a quick-ack request, which is accepted
 * and stripped.
 */
export class IntermediateFraming implements Framing {
  readonly name: FramingName = 'intermediate';
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
        if (this.queue.length < 4) break;
        // NOTE: quick-ack requests are accepted, but no quick ack is ever sent back.
        const length = this.queue.take(4).readUInt32LE(0) & ~QUICK_ACK_BIT;
        checkDeclaredLength(this.name, length, this.maxPayloadLength);
        this.pendingLength = length;
      }
      if (this.queue.length < this.pendingLength) break;
      payloads.push(this.queue.take(this.pendingLength));
      this.pendingLength = undefined;
    }
    return payloads;
  }

  encode(payload: Buffer): Buffer {
    return this.frame(payload, Buffer.alloc(0));
  }

  encodeError(code: number): Buffer {
    return this.frame(encodeTransportErrorPayload(code), Buffer.alloc(0));
  }

  /** Frames a payload followed by `padding`; the length field covers both. */
  protected frame(payload: Buffer, padding: Buffer): Buffer {
    const length = payload.length + padding.length;
    if (length >= QUICK_ACK_BIT) {
      throw new RangeError(`${this.name} payload of ${length} bytes does not fit in 31 bits`);
    }
    const header = Buffer.alloc(4);
    header.writeUInt32LE(length, 0);
    return Buffer.concat([header, payload, padding]);
  }
}
