import { TransportError } from './transport-error.js';

/** Names of the MTProto packet framings, as the transport docs call them. */
export type FramingName = 'abridged' | 'intermediate' | 'padded-intermediate' | 'full';

/**
 * An MTProto framing for both directions of one connection. Instances keep state (partial
 * frames, the full transport's seqno), so each connection needs its own.
 */
export interface Framing {
  readonly name: FramingName;
  /**
   * Feeds received bytes, which may split or merge frames anywhere, and returns each payload
   * completed by them. Throws TransportError on bad input. The framing is unusable afterwards.
   */
  push(chunk: Buffer): Buffer[];
  /** Frames one outgoing payload. */
  encode(payload: Buffer): Buffer;
  /** Frames a transport error: a 4-byte payload with the negative code as int32 LE. */
  encodeError(code: number): Buffer;
}

/** Settings shared by every framing. */
export interface FramingOptions {
  /**
   * Maximum payload length in bytes that a peer may declare. A larger declared length is a
   * transport error, raised before any of the payload is buffered.
   */
  maxPayloadLength?: number;
}

/**
 * Default maximum payload length: 16 MiB. Real requests stay far below it (file parts are at
 * most 512 KiB), and the limit bounds what one connection can make the server buffer.
 */
export const DEFAULT_MAX_PAYLOAD_LENGTH = 16 * 1024 * 1024;

/** Returns the configured maximum payload length, validated. */
export function resolveMaxPayloadLength(options: FramingOptions | undefined): number {
  const value = options?.maxPayloadLength ?? DEFAULT_MAX_PAYLOAD_LENGTH;
  if (!Number.isSafeInteger(value) || value < 4) {
    throw new RangeError(`maxPayloadLength must be an integer of at least 4 bytes, got ${value}`);
  }
  return value;
}

/**
 * Growable byte queue for framings: received chunks are appended, and complete frames are taken
 * from the front. Chunks are concatenated lazily, only when a read needs bytes across them.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Returns the first `count` bytes without removing them. The caller checks `length` first. */
  peek(count: number): Buffer {
    this.compact(count);
    return this.chunks[0].subarray(0, count);
  }

  /** Removes and returns the first `count` bytes. The caller checks `length` first. */
  take(count: number): Buffer {
    if (count === 0) return Buffer.alloc(0);
    this.compact(count);
    const head = this.chunks[0];
    const front = head.subarray(0, count);
    if (count === head.length) {
      this.chunks.shift();
    } else {
      this.chunks[0] = head.subarray(count);
    }
    this.total -= count;
    return front;
  }

  /** Merges the leading chunks until the first one is at least `count` bytes long. */
  private compact(count: number): void {
    if (count > this.total) {
      throw new RangeError(`byte queue contains ${this.total} bytes, fewer than ${count}`);
    }
    if (this.chunks[0].length >= count) return;
    let merged = 0;
    let used = 0;
    while (merged < count) {
      merged += this.chunks[used].length;
      used += 1;
    }
    const head = Buffer.concat(this.chunks.slice(0, used), merged);
    this.chunks.splice(0, used, head);
  }
}

/** Throws TransportError when a declared payload length exceeds the configured maximum. */
export function checkDeclaredLength(framing: FramingName, length: number, maximum: number): void {
  if (length > maximum) {
    throw new TransportError(
      `${framing} frame declares a ${length}-byte payload, above the maximum of ${maximum} ` +
        'bytes. Raise maxPayloadLength if a client really sends packets that large.',
    );
  }
}
