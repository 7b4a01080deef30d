import { crc32 } from './crc32.js';
import {
  ByteQueue,
  checkDeclaredLength,
  resolveMaxPayloadLength,
  type Framing,
  type FramingOptions,
} from './framing.js';
import { encodeTransportErrorPayload, TransportError } from './transport-error.js';

/** Bytes of a full frame around the payload: length, seqno and CRC32, 4 bytes each. */
const OVERHEAD = 12;

/**
 * Full framing (no tag): `length:int seqno:int payload crc32:uint`, where length counts all
 * 12 overhead bytes and the CRC covers length, seqno and payload. Each direction numbers its
 * frames from 0. A wrong length, seqno or CRC is a transport error.
 */
export class FullFraming implements Framing {
  readonly name = 'full';
  private readonly queue = new ByteQueue();
  private readonly maxPayloadLength: number;
  private pendingFrameLength: number | undefined;
  private receiveSeqNo = 0;
  private sendSeqNo = 0;

  constructor(options?: FramingOptions) {
    this.maxPayloadLength = resolveMaxPayloadLength(options);
  }

  push(chunk: Buffer): Buffer[] {
    this.queue.append(chunk);
    const payloads: Buffer[] = [];
    for (;;) {
      if (this.pendingFrameLength === undefined) {
        if (this.queue.length < 4) break;
        this.pendingFrameLength = this.readFrameLength();
      }
      if (this.queue.length < this.pendingFrameLength) break;
      payloads.push(this.readFrame(this.queue.take(this.pendingFrameLength)));
      this.pendingFrameLength = undefined;
    }
    return payloads;
  }

  /** Validates the length field at the front of the queue, without consuming it. */
  private readFrameLength(): number {
    const length = this.queue.peek(4).readInt32LE(0);
    if (length < OVERHEAD) {
      throw new TransportError(
        `full frame length ${length} is below the minimum of ${OVERHEAD} ` +
          '(length, seqno and CRC32 are counted in it)',
      );
    }
    checkDeclaredLength(this.name, length - OVERHEAD, this.maxPayloadLength);
    return length;
  }

  private readFrame(frame: Buffer): Buffer {
    const seqNo = frame.readInt32LE(4);
    if (seqNo !== this.receiveSeqNo) {
      throw new TransportError(
        `full frame has seqno ${seqNo}, expected ${this.receiveSeqNo}; ` +
          'each connection numbers its frames from 0',
      );
    }
    const body = frame.subarray(0, frame.length - 4);
    const expectedCrc = frame.readUInt32LE(frame.length - 4);
    const actualCrc = crc32(body);
    if (actualCrc !== expectedCrc) {
      throw new TransportError(
        `full frame ${seqNo} has CRC32 ${hex32(expectedCrc)}, but its bytes give ` +
          `${hex32(actualCrc)}`,
      );
    }
    this.receiveSeqNo = (this.receiveSeqNo + 1) | 0;
    return frame.subarray(8, frame.length - 4);
  }

  encode(payload: Buffer): Buffer {
    const frame = Buffer.alloc(payload.length + OVERHEAD);
    frame.writeInt32LE(frame.length, 0);
    frame.writeInt32LE(this.sendSeqNo, 4);
    payload.copy(frame, 8);
    frame.writeUInt32LE(crc32(frame.subarray(0, frame.length - 4)), frame.length - 4);
    this.sendSeqNo = (this.sendSeqNo + 1) | 0;
    return frame;
  }

  encodeError(code: number): Buffer {
    return this.encode(encodeTransportErrorPayload(code));
  }
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
