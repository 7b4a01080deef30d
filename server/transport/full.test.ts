// GramJS's connection modules import each other in a cycle that only loading the root settles.
import 'telegram';
import { randomBytes } from 'node:crypto';
import { FullPacketCodec } from 'telegram/network/connection/TCPFull.js';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import { FullFraming } from './full.js';
import { TransportError } from './transport-error.js';
import { bufferReader, pushInPieces } from './testing/framing-helpers.js';

// Frames computed with Python's struct and zlib.crc32.
const FIRST_FRAME = '14000000000000000001020304050607ba8e2533';
const SECOND_FRAME_ERROR_404 = '10000000010000006cfeffff932febcb';

function transportErrorOf(action: () => unknown): TransportError {
  try {
    action();
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
  throw new Error('expected a TransportError, but nothing was thrown');
}

describe('FullFraming', () => {
  it('encodes length, seqno, payload and CRC32', () => {
    const framing = new FullFraming();
    expect(framing.encode(Buffer.from('0001020304050607', 'hex')).toString('hex')).toBe(
      FIRST_FRAME,
    );
    expect(framing.encodeError(-404).toString('hex')).toBe(SECOND_FRAME_ERROR_404);
  });

  it('decodes frames with seqno counting from 0', () => {
    const stream = Buffer.from(FIRST_FRAME + SECOND_FRAME_ERROR_404, 'hex');
    const payloads = new FullFraming().push(stream);
    expect(payloads.map((payload) => payload.toString('hex'))).toEqual([
      '0001020304050607',
      '6cfeffff',
    ]);
  });

  it('decodes a stream split at every byte boundary', () => {
    const payloads = [randomBytes(8), randomBytes(300), randomBytes(0), randomBytes(5)];
    const sender = new FullFraming();
    const stream = Buffer.concat(payloads.map((payload) => sender.encode(payload)));
    for (let cut = 0; cut <= stream.length; cut++) {
      const received = pushInPieces(new FullFraming(), stream, [cut]);
      expect(received.map((payload) => payload.toString('hex'))).toEqual(
        payloads.map((payload) => payload.toString('hex')),
      );
    }
  });

  it('rejects a frame with a wrong CRC', () => {
    const frame = Buffer.from(FIRST_FRAME, 'hex');
    frame[10] ^= 0x01;
    const error = transportErrorOf(() => new FullFraming().push(frame));
    expect(error.code).toBe(-404);
    expect(error.message).toContain('CRC32');
  });

  it('rejects a first frame whose seqno is not 0', () => {
    const body = Buffer.from('1000000001000000aabbccdd', 'hex');
    const frame = Buffer.alloc(16);
    body.copy(frame);
    frame.writeUInt32LE(crc32(body), 12);
    const error = transportErrorOf(() => new FullFraming().push(frame));
    expect(error.message).toContain('seqno 1, expected 0');
  });

  it('rejects a repeated seqno', () => {
    const frame = Buffer.from(FIRST_FRAME, 'hex');
    const framing = new FullFraming();
    expect(framing.push(frame)).toHaveLength(1);
    const error = transportErrorOf(() => framing.push(frame));
    expect(error.message).toContain('seqno 0, expected 1');
  });

  it('rejects lengths below 12', () => {
    for (const length of [-429, 0, 8, 11]) {
      const header = Buffer.alloc(8);
      header.writeInt32LE(length, 0);
      const error = transportErrorOf(() => new FullFraming().push(header));
      expect(error.message).toContain(`length ${length}`);
    }
  });

  it('rejects a declared payload above the maximum', () => {
    const atMaximum = Buffer.from('70000000', 'hex');
    expect(new FullFraming({ maxPayloadLength: 100 }).push(atMaximum)).toEqual([]);
    const oversized = Buffer.from('71000000', 'hex');
    expect(() => new FullFraming({ maxPayloadLength: 100 }).push(oversized)).toThrow(
      TransportError,
    );
  });

  it('matches the GramJS codec in both directions', async () => {
    const gramjs = new FullPacketCodec(undefined);
    const ours = new FullFraming();
    const receiver = new FullFraming();
    for (const size of [0, 4, 100, 2000]) {
      const payload = randomBytes(size);
      const encoded = ours.encode(payload);
      expect(Buffer.from(await gramjs.readPacket(bufferReader(encoded))).equals(payload)).toBe(
        true,
      );
      const [decoded] = receiver.push(gramjs.encodePacket(payload));
      expect(decoded.equals(payload)).toBe(true);
    }
  });
});
