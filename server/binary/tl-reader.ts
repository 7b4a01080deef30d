/**
 * Sequential reader for TL-serialized data: little-endian integers, 16- and 32-byte blobs and the
 * length-prefixed `bytes`/`string` encoding, all padded to 4 bytes.
 */
export class TlReadError extends Error {
  override readonly name = 'TlReadError';
}

export class TlReader {
  offset = 0;

  constructor(readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  private need(count: number): void {
    if (count < 0 || this.offset + count > this.buffer.length) {
      throw new TlReadError(
        `unexpected end of data: need ${count} bytes at offset ${this.offset}, have ${this.remaining}`,
      );
    }
  }

  int(): number {
    this.need(4);
    const value = this.buffer.readInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  uint(): number {
    this.need(4);
    const value = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  long(): bigint {
    this.need(8);
    const value = this.buffer.readBigInt64LE(this.offset);
    this.offset += 8;
    return value;
  }

  double(): number {
    this.need(8);
    const value = this.buffer.readDoubleLE(this.offset);
    this.offset += 8;
    return value;
  }

  /** Reads `count` raw bytes, as used for int128, int256 and unframed payloads. */
  raw(count: number): Buffer {
    this.need(count);
    const value = this.buffer.subarray(this.offset, this.offset + count);
    this.offset += count;
    return value;
  }

  /** Reads the TL `bytes` encoding: a 1- or 4-byte length, the data, then padding to 4 bytes. */
  bytes(): Buffer {
    this.need(1);
    let length = this.buffer[this.offset];
    let header = 1;
    if (length === 254) {
      this.need(4);
      length = this.buffer.readUIntLE(this.offset + 1, 3);
      header = 4;
    } else if (length === 255) {
      throw new TlReadError(`invalid bytes length prefix 0xff at offset ${this.offset}`);
    }
    const padded = (header + length + 3) & ~3;
    this.need(padded);
    const value = this.buffer.subarray(this.offset + header, this.offset + header + length);
    this.offset += padded;
    return value;
  }

  string(): string {
    return this.bytes().toString('utf8');
  }
}
