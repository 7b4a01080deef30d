import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters, fuzzTimeoutMs } from '../../fuzz/fuzz-settings.js';
import { createFraming } from './create-framing.js';
import { detectTransport } from './detect-transport.js';
import type { FramingName } from './framing.js';
import { createClientObfuscation } from './testing/loopback-client.js';
import { TransportCodec, type Carrier } from './transport-codec.js';
import { TransportError } from './transport-error.js';

const FRAMINGS: FramingName[] = ['abridged', 'intermediate', 'padded-intermediate', 'full'];
const TAGS: Record<FramingName, Buffer> = {
  abridged: Buffer.from([0xef]),
  intermediate: Buffer.from('eeeeeeee', 'hex'),
  'padded-intermediate': Buffer.from('dddddddd', 'hex'),
  full: Buffer.alloc(0),
};
const MAX_PAYLOAD = 4096;

/** Splits bytes at the given cut points, as TCP may deliver them. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** Checks decoded payloads; padded intermediate may append up to 15 random bytes to each. */
function expectPayloads(decoded: Buffer[], sent: Buffer[]): void {
  expect(decoded).toHaveLength(sent.length);
  decoded.forEach((payload, index) => {
    expect(payload.subarray(0, sent[index].length)).toEqual(sent[index]);
    expect(payload.length - sent[index].length).toBeLessThan(16);
  });
}

/** Feeds chunks to a codec; returns the payloads, or the error that the codec threw. */
function feed(codec: TransportCodec, chunks: Buffer[]): { payloads: Buffer[]; error?: unknown } {
  const payloads: Buffer[] = [];
  try {
    for (const chunk of chunks) payloads.push(...codec.push(chunk));
  } catch (error) {
    return { payloads, error };
  }
  return { payloads };
}

const bytes = (maxLength: number) =>
  fc.uint8Array({ maxLength }).map((array) => Buffer.from(array));
const payload = fc
  .integer({ min: 1, max: 64 })
  .chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 }))
  .map((array) => Buffer.from(array));

describe('transport fuzzing', () => {
  it('detectTransport returns or raises TransportError', () => {
    fc.assert(
      fc.property(bytes(16), (head) => {
        try {
          detectTransport(head);
        } catch (error) {
          expect(error).toBeInstanceOf(TransportError);
        }
      }),
      fuzzParameters(),
    );
  });

  it.each<Carrier>(['tcp', 'websocket'])(
    'codec on random %s bytes raises only TransportError',
    (carrier) => {
      fc.assert(
        fc.property(bytes(2048), fc.array(fc.nat(), { maxLength: 8 }), (stream, cuts) => {
          const codec = new TransportCodec({ carrier, maxPayloadLength: MAX_PAYLOAD });
          const { payloads, error } = feed(codec, split(stream, cuts));
          if (error !== undefined) expect(error).toBeInstanceOf(TransportError);
          for (const decoded of payloads) expect(decoded.length).toBeLessThanOrEqual(MAX_PAYLOAD);
        }),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  it.each(FRAMINGS)(
    '%s frames survive any split, then garbage fails cleanly',
    (name) => {
      fc.assert(
        fc.property(
          fc.array(payload, { minLength: 1, maxLength: 4 }),
          fc.array(fc.nat(), { maxLength: 8 }),
          bytes(64),
          (payloads, cuts, garbage) => {
            const framing = createFraming(name);
            const stream = Buffer.concat([TAGS[name], ...payloads.map((p) => framing.encode(p))]);
            const codec = new TransportCodec({ carrier: 'tcp', maxPayloadLength: MAX_PAYLOAD });
            const clean = feed(codec, split(stream, cuts));
            expect(clean.error).toBeUndefined();
            expectPayloads(clean.payloads, payloads);

            const dirty = feed(codec, [garbage]);
            if (dirty.error !== undefined) expect(dirty.error).toBeInstanceOf(TransportError);
          },
        ),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  it.each(['abridged', 'intermediate', 'padded-intermediate'] as const)(
    'obfuscated2/%s round-trips, and random bytes after it fail cleanly',
    (name) => {
      fc.assert(
        fc.property(
          payload,
          fc.array(fc.nat(), { maxLength: 8 }),
          bytes(256),
          (body, cuts, garbage) => {
            const client = createClientObfuscation(name);
            const framing = createFraming(name);
            const stream = Buffer.concat([
              client.header,
              client.encrypt.update(framing.encode(body)),
            ]);
            const codec = new TransportCodec({
              carrier: 'websocket',
              maxPayloadLength: MAX_PAYLOAD,
            });
            const clean = feed(codec, split(stream, cuts));
            expect(clean.error).toBeUndefined();
            expectPayloads(clean.payloads, [body]);

            const dirty = feed(codec, [client.encrypt.update(garbage)]);
            if (dirty.error !== undefined) expect(dirty.error).toBeInstanceOf(TransportError);
          },
        ),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  it('random obfuscated2 headers raise only TransportError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), bytes(512), (header, rest) => {
        // A first byte of 0x01 keeps the header out of the plain tags and HTTP methods.
        header[0] = 0x01;
        header[4] = 0x01;
        const codec = new TransportCodec({ carrier: 'tcp', maxPayloadLength: MAX_PAYLOAD });
        const { error } = feed(codec, [Buffer.from(header), rest]);
        if (error !== undefined) expect(error).toBeInstanceOf(TransportError);
      }),
      fuzzParameters(),
    );
  });
});
