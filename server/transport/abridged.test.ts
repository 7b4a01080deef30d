// GramJS's connection modules import each other in a cycle that only loading the root settles.
import 'telegram';
import { randomBytes } from 'node:crypto';
import { AbridgedPacketCodec } from 'telegram/network/connection/TCPAbridged.js';
import { describe, expect, it } from 'vitest';
import { AbridgedFraming } from './abridged.js';
import { TransportError } from './transport-error.js';
import { bufferReader, pushInPieces } from './testing/framing-helpers.js';

function words(count: number): Buffer {
  return randomBytes(count * 4);
}

describe('AbridgedFraming', () => {
  it('encodes short payloads with a one-byte length in words', () => {
    const payload = Buffer.from('0001020304050607', 'hex');
    expect(new AbridgedFraming().encode(payload).toString('hex')).toBe('020001020304050607');
  });

  it('keeps the short form up to 126 words', () => {
    const frame = new AbridgedFraming().encode(words(126));
    expect(frame[0]).toBe(0x7e);
    expect(frame.length).toBe(1 + 126 * 4);
  });

  it('switches to the 0x7f long form at 127 words', () => {
    const payload = words(127);
    const frame = new AbridgedFraming().encode(payload);
    expect(frame.subarray(0, 4).toString('hex')).toBe('7f7f0000');
    expect(frame.subarray(4).equals(payload)).toBe(true);
  });

  it('writes the long-form length as 3 little-endian bytes', () => {
    const frame = new AbridgedFraming().encode(words(0x010203));
    expect(frame.subarray(0, 4).toString('hex')).toBe('7f030201');
  });

  it('decodes short and long forms', () => {
    const short = words(3);
    const long = words(300);
    const stream = Buffer.concat([Buffer.from([3]), short, Buffer.from('7f2c0100', 'hex'), long]);
    const payloads = new AbridgedFraming().push(stream);
    expect(payloads).toHaveLength(2);
    expect(payloads[0].equals(short)).toBe(true);
    expect(payloads[1].equals(long)).toBe(true);
  });

  it('strips the quick-ack bit in both forms', () => {
    const short = words(2);
    const long = words(127);
    const stream = Buffer.concat([
      Buffer.from([0x82]),
      short,
      Buffer.from('ff7f0000', 'hex'),
      long,
    ]);
    const payloads = new AbridgedFraming().push(stream);
    expect(payloads).toHaveLength(2);
    expect(payloads[0].equals(short)).toBe(true);
    expect(payloads[1].equals(long)).toBe(true);
  });

  it('decodes a stream split at every byte boundary', () => {
    const payloads = [words(1), words(127), words(5)];
    const sender = new AbridgedFraming();
    const stream = Buffer.concat(payloads.map((payload) => sender.encode(payload)));
    for (let cut = 0; cut <= stream.length; cut++) {
      const received = pushInPieces(new AbridgedFraming(), stream, [cut]);
      expect(received.map((payload) => payload.toString('hex'))).toEqual(
        payloads.map((payload) => payload.toString('hex')),
      );
    }
  });

  it('rejects a declared length above the maximum', () => {
    const framing = new AbridgedFraming({ maxPayloadLength: 1024 });
    expect(framing.push(Buffer.from('7f000100', 'hex'))).toEqual([]);
    const oversized = new AbridgedFraming({ maxPayloadLength: 1024 });
    expect(() => oversized.push(Buffer.from('7f010100', 'hex'))).toThrow(TransportError);
  });

  it('reports oversize with code -404', () => {
    const framing = new AbridgedFraming({ maxPayloadLength: 4 });
    try {
      framing.push(Buffer.from([2]));
      expect.unreachable('push should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe(-404);
    }
  });

  it('refuses to encode a payload that is not whole words', () => {
    expect(() => new AbridgedFraming().encode(Buffer.alloc(6))).toThrow(RangeError);
  });

  it('encodes transport error -404 as 01 6cfeffff', () => {
    expect(new AbridgedFraming().encodeError(-404).toString('hex')).toBe('016cfeffff');
  });

  it('matches the GramJS codec in both directions', async () => {
    const gramjs = new AbridgedPacketCodec(undefined);
    for (const size of [0, 1, 126, 127, 128, 1000]) {
      const payload = words(size);
      const ours = new AbridgedFraming().encode(payload);
      expect(ours.equals(gramjs.encodePacket(payload))).toBe(true);
      const decoded = await gramjs.readPacket(bufferReader(ours));
      expect(Buffer.from(decoded).equals(payload)).toBe(true);
    }
  });
});
