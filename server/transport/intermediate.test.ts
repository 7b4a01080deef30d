import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IntermediateFraming } from './intermediate.js';
import { TransportError } from './transport-error.js';
import { pushInPieces } from './testing/framing-helpers.js';

describe('IntermediateFraming', () => {
  it('encodes a 4-byte LE length before the payload', () => {
    const payload = Buffer.from('0001020304050607', 'hex');
    expect(new IntermediateFraming().encode(payload).toString('hex')).toBe(
      '080000000001020304050607',
    );
  });

  it('decodes merged frames', () => {
    const stream = Buffer.from('04000000aabbccdd08000000000102030405060700000000', 'hex');
    const payloads = new IntermediateFraming().push(stream);
    expect(payloads.map((payload) => payload.toString('hex'))).toEqual([
      'aabbccdd',
      '0001020304050607',
      '',
    ]);
  });

  it('strips the quick-ack bit of the length', () => {
    const stream = Buffer.from('08000080000102030405060704000000aabbccdd', 'hex');
    const payloads = new IntermediateFraming().push(stream);
    expect(payloads.map((payload) => payload.toString('hex'))).toEqual([
      '0001020304050607',
      'aabbccdd',
    ]);
  });

  it('decodes a stream split at every byte boundary', () => {
    const payloads = [randomBytes(4), randomBytes(600), randomBytes(10)];
    const sender = new IntermediateFraming();
    const stream = Buffer.concat(payloads.map((payload) => sender.encode(payload)));
    for (let cut = 0; cut <= stream.length; cut++) {
      const received = pushInPieces(new IntermediateFraming(), stream, [cut]);
      expect(received.map((payload) => payload.toString('hex'))).toEqual(
        payloads.map((payload) => payload.toString('hex')),
      );
    }
  });

  it('rejects a declared length above the maximum', () => {
    const atMaximum = new IntermediateFraming({ maxPayloadLength: 100 });
    expect(atMaximum.push(Buffer.from('64000000', 'hex'))).toEqual([]);
    const oversized = new IntermediateFraming({ maxPayloadLength: 100 });
    expect(() => oversized.push(Buffer.from('65000000', 'hex'))).toThrow(TransportError);
  });

  it('applies the maximum after stripping the quick-ack bit', () => {
    const framing = new IntermediateFraming({ maxPayloadLength: 100 });
    expect(framing.push(Buffer.from('64000080', 'hex'))).toEqual([]);
  });

  it('encodes transport error -429 as length 4 and 53feffff', () => {
    expect(new IntermediateFraming().encodeError(-429).toString('hex')).toBe('0400000053feffff');
  });
});
