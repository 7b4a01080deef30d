import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFraming } from './create-framing.js';
import type { FramingName } from './framing.js';
import { pushInPieces } from './testing/framing-helpers.js';

const FRAMINGS: FramingName[] = ['abridged', 'intermediate', 'padded-intermediate', 'full'];

// Whole words, so that abridged can carry them; up to 700 bytes reaches its 0x7f long form.
const payloadArbitrary = fc
  .integer({ min: 0, max: 175 })
  .chain((wordCount) => fc.uint8Array({ minLength: wordCount * 4, maxLength: wordCount * 4 }))
  .map((bytes) => Buffer.from(bytes));

const streamArbitrary = fc.record({
  payloads: fc.array(payloadArbitrary, { minLength: 1, maxLength: 6 }),
  cuts: fc.array(fc.nat({ max: 5000 }), { maxLength: 12 }),
});

/** Checks received payloads; padded intermediate may append up to 3 pad bytes to each. */
function expectSamePayloads(name: FramingName, received: Buffer[], sent: Buffer[]): void {
  expect(received).toHaveLength(sent.length);
  for (const [index, payload] of sent.entries()) {
    const got = received[index];
    if (name === 'padded-intermediate') {
      expect(got.length - payload.length).toBeGreaterThanOrEqual(0);
      expect(got.length - payload.length).toBeLessThanOrEqual(3);
      expect(got.subarray(0, payload.length).equals(payload)).toBe(true);
    } else {
      expect(got.equals(payload)).toBe(true);
    }
  }
}

describe.each(FRAMINGS)('%s framing properties', (name) => {
  it('round-trips payloads merged and split anywhere', () => {
    fc.assert(
      fc.property(streamArbitrary, ({ payloads, cuts }) => {
        const sender = createFraming(name);
        const stream = Buffer.concat(payloads.map((payload) => sender.encode(payload)));
        const received = pushInPieces(createFraming(name), stream, cuts);
        expectSamePayloads(name, received, payloads);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips payloads fed one byte at a time', () => {
    fc.assert(
      fc.property(fc.array(payloadArbitrary, { minLength: 1, maxLength: 3 }), (payloads) => {
        const sender = createFraming(name);
        const stream = Buffer.concat(payloads.map((payload) => sender.encode(payload)));
        const receiver = createFraming(name);
        const received: Buffer[] = [];
        for (let i = 0; i < stream.length; i++) {
          received.push(...receiver.push(stream.subarray(i, i + 1)));
        }
        expectSamePayloads(name, received, payloads);
      }),
      { numRuns: 50 },
    );
  });

  it('decodes its own transport error frames', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: -1 }), (code) => {
        const [payload] = createFraming(name).push(createFraming(name).encodeError(code));
        expect(payload.length).toBe(4);
        expect(payload.readInt32LE(0)).toBe(code);
      }),
    );
  });
});
