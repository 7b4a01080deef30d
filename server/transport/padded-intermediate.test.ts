import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PaddedIntermediateFraming } from './padded-intermediate.js';

describe('PaddedIntermediateFraming', () => {
  it('sends 0 to 3 pad bytes covered by the length', () => {
    const payload = randomBytes(16);
    const padSizes = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const frame = new PaddedIntermediateFraming().encode(payload);
      const length = frame.readUInt32LE(0);
      expect(length).toBe(frame.length - 4);
      expect(frame.subarray(4, 20).equals(payload)).toBe(true);
      padSizes.add(length - payload.length);
    }
    // 400 draws miss one of four equally likely sizes with probability below 1e-49.
    expect([...padSizes].sort()).toEqual([0, 1, 2, 3]);
  });

  it('hands received payloads up with their padding', () => {
    const stream = Buffer.from('0b0000000001020304050607aabbcc04000000ddeeff00', 'hex');
    const payloads = new PaddedIntermediateFraming().push(stream);
    expect(payloads.map((payload) => payload.toString('hex'))).toEqual([
      '0001020304050607aabbcc',
      'ddeeff00',
    ]);
  });

  it('accepts up to 15 pad bytes from clients', () => {
    const payload = randomBytes(24);
    const pad = randomBytes(15);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(39, 0);
    const [received] = new PaddedIntermediateFraming().push(Buffer.concat([header, payload, pad]));
    expect(received.equals(Buffer.concat([payload, pad]))).toBe(true);
  });

  it('sends transport errors without padding', () => {
    for (let i = 0; i < 20; i++) {
      expect(new PaddedIntermediateFraming().encodeError(-404).toString('hex')).toBe(
        '040000006cfeffff',
      );
    }
  });

  it('strips the quick-ack bit like intermediate', () => {
    const [received] = new PaddedIntermediateFraming().push(Buffer.from('04000080aabbccdd', 'hex'));
    expect(received.toString('hex')).toBe('aabbccdd');
  });
});
