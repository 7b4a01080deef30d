/**
 * Growable buffer that writes TL-serialized data. Every write keeps the TL rule that values are
 * little-endian and `bytes` are padded to a multiple of 4.
 */
export class TlWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialSize = 256) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  private reserve(count: number): number {
    const start = this.length;
    const needed = start + count;
    if (needed > this.buffer.length) {
      let size = this.buffer.length * 2;
      while (size < needed) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      this.buffer.copy(grown, 0, 0, start);
      this.buffer = grown;
    }
    this.length = needed;
    return start;
  }

  int(value: number): this {
    const offset = this.reserve(4);
    this.buffer.writeInt32LE(value | 0, offset);
    return this;
  }

  uint(value: number): this {
    const offset = this.reserve(4);
    this.buffer.writeUInt32LE(value >>> 0, offset);
    return this;
  }

  /** Writes a 64-bit value; unsigned values above 2^63 are written as their two's complement. */
  long(value: bigint): this {
    const offset = this.reserve(8);
    this.buffer.writeBigInt64LE(BigInt.asIntN(64, value), offset);
    return this;
  }

  double(value: number): this {
    const offset = this.reserve(8);
    this.buffer.writeDoubleLE(value, offset);
    return this;
  }

  raw(data: Uint8Array): this {
    // reserve() may replace the buffer, so it must run before this.buffer is read.
    const offset = this.reserve(data.length);
    this.buffer.set(data, offset);
    return this;
  }

  bytes(data: Uint8Array): this {
    const length = data.length;
    if (length > 0xffffff) {
      throw new RangeError(`bytes value of ${length} bytes exceeds the TL limit of 16 MiB`);
    }
    const header = length <= 253 ? 1 : 4;
    const padded = (header + length + 3) & ~3;
    const start = this.reserve(padded);
    if (header === 1) {
      this.buffer[start] = length;
    } else {
      this.buffer[start] = 254;
      this.buffer.writeUIntLE(length, start + 1, 3);
    }
    this.buffer.set(data, start + header);
    // At most 3 padding bytes: a loop costs less than a call to Buffer.fill.
    for (let i = start + header + length; i < start + padded; i++) this.buffer[i] = 0;
    return this;
  }

  string(value: string): this {
    return this.bytes(Buffer.from(value, 'utf8'));
  }

  /** Returns a copy of the written bytes. */
  finish(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }

  get size(): number {
    return this.length;
  }
}
