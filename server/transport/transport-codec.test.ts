import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFraming } from './create-framing.js';
import type { FramingName } from './framing.js';
import { TransportCodec } from './transport-codec.js';
import { TransportError } from './transport-error.js';
import { createClientObfuscation } from './testing/loopback-client.js';
import { pushInPieces } from './testing/framing-helpers.js';

const PLAIN_TAGS: Array<[FramingName, string]> = [
  ['abridged', 'ef'],
  ['intermediate', 'eeeeeeee'],
  ['padded-intermediate', 'dddddddd'],
  ['full', ''],
];
const OBFUSCATED_FRAMINGS = ['abridged', 'intermediate', 'padded-intermediate'] as const;

function payloadsOf(count: number): Buffer[] {
  return Array.from({ length: count }, (_, index) => randomBytes(8 + index * 4));
}

/** Strips padded-intermediate pad bytes, which the codec hands up, to compare payloads. */
function trimmed(received: Buffer[], sent: Buffer[]): string[] {
  return received.map((payload, index) => payload.subarray(0, sent[index].length).toString('hex'));
}

describe('TransportCodec', () => {
  it.each(PLAIN_TAGS)('decodes plain %s split at every byte boundary', (framing, tag) => {
    const payloads = payloadsOf(3);
    const sender = createFraming(framing);
    const stream = Buffer.concat([
      Buffer.from(tag, 'hex'),
      ...payloads.map((payload) => sender.encode(payload)),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const codec = new TransportCodec({ carrier: 'tcp' });
      const received = pushInPieces(codec, stream, [cut]);
      expect(trimmed(received, payloads)).toEqual(payloads.map((p) => p.toString('hex')));
      expect(codec.transport).toBe(framing);
    }
  });

  it.each(OBFUSCATED_FRAMINGS)('decodes obfuscated2 %s split anywhere', (framing) => {
    const payloads = payloadsOf(3);
    const sender = createFraming(framing);
    const plainFrames = Buffer.concat(payloads.map((payload) => sender.encode(payload)));
    for (let cut = 0; cut <= 64 + plainFrames.length; cut += 3) {
      const client = createClientObfuscation(framing);
      const stream = Buffer.concat([client.header, client.encrypt.update(plainFrames)]);
      const codec = new TransportCodec({ carrier: 'tcp' });
      const received = pushInPieces(codec, stream, [cut]);
      expect(trimmed(received, payloads)).toEqual(payloads.map((p) => p.toString('hex')));
      expect(codec.transport).toBe(`obfuscated2/${framing}`);
    }
  });

  it('encrypts replies with the server stream', () => {
    const client = createClientObfuscation('intermediate');
    const codec = new TransportCodec({ carrier: 'tcp' });
    codec.push(client.header);
    const payload = randomBytes(12);
    const reply = client.decrypt.update(codec.encode(payload));
    expect(createFraming('intermediate').push(reply)[0].equals(payload)).toBe(true);
  });

  it('names WebSocket transports', () => {
    const client = createClientObfuscation('intermediate');
    const codec = new TransportCodec({ carrier: 'websocket' });
    expect(codec.push(client.header)).toEqual([]);
    expect(codec.transport).toBe('websocket/obfuscated2/intermediate');
  });

  it('rejects a plain transport on a WebSocket', () => {
    const codec = new TransportCodec({ carrier: 'websocket' });
    expect(() => codec.push(Buffer.from('eeeeeeee', 'hex'))).toThrow(/must be obfuscated2/);
  });

  it('rejects HTTP bytes where MTProto is expected', () => {
    const codec = new TransportCodec({ carrier: 'tcp' });
    expect(() => codec.push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(TransportError);
  });

  it('has no error frame before the framing is known', () => {
    const codec = new TransportCodec({ carrier: 'tcp' });
    expect(codec.encodeError(-404)).toBeUndefined();
    codec.push(Buffer.from('eeeeeeee', 'hex'));
    expect(codec.encodeError(-404)?.toString('hex')).toBe('040000006cfeffff');
  });

  it('refuses to encode before detection', () => {
    expect(() => new TransportCodec({ carrier: 'tcp' }).encode(Buffer.alloc(4))).toThrow(
      /before the transport is detected/,
    );
  });

  it('keeps failing after bad input', () => {
    const codec = new TransportCodec({ carrier: 'tcp', maxPayloadLength: 8 });
    expect(() => codec.push(Buffer.from('eeeeeeee10000000', 'hex'))).toThrow(TransportError);
    expect(() => codec.push(Buffer.from('04000000aabbccdd', 'hex'))).toThrow(TransportError);
  });
});

describe('TransportCodec fuzzing', () => {
  const prefixes = fc.constantFrom(
    Buffer.alloc(0),
    Buffer.from('ef', 'hex'),
    Buffer.from('eeeeeeee', 'hex'),
    Buffer.from('dddddddd', 'hex'),
    Buffer.from('1400000000000000', 'hex'),
  );
  const input = fc.record({
    prefix: prefixes,
    obfuscatedTail: fc.boolean(),
    body: fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
    cuts: fc.array(fc.nat({ max: 700 }), { maxLength: 8 }),
    carrier: fc.constantFrom('tcp' as const, 'websocket' as const),
  });

  it('turns random bytes only into payloads or TransportError', () => {
    fc.assert(
      fc.property(input, ({ prefix, obfuscatedTail, body, cuts, carrier }) => {
        let stream = Buffer.concat([prefix, body]);
        if (obfuscatedTail) {
          const client = createClientObfuscation('abridged');
          stream = Buffer.concat([client.header, body]);
        }
        const codec = new TransportCodec({ carrier, maxPayloadLength: 256 });
        try {
          const payloads = pushInPieces(codec, stream, cuts);
          for (const payload of payloads) expect(payload.length).toBeLessThanOrEqual(256);
        } catch (error) {
          expect(error).toBeInstanceOf(TransportError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
