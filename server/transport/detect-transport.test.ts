import { describe, expect, it } from 'vitest';
import { detectTransport, type DetectedTransport } from './detect-transport.js';
import { FullFraming } from './full.js';
import { TransportError } from './transport-error.js';
import { createClientObfuscation } from './testing/loopback-client.js';

/** Feeds growing prefixes, one byte more each time, and reports where detection decided. */
function detectByteByByte(stream: Buffer): { detected: DetectedTransport; bytesUsed: number } {
  for (let length = 0; length <= stream.length; length++) {
    const detected = detectTransport(stream.subarray(0, length));
    if (detected !== undefined) return { detected, bytesUsed: length };
  }
  throw new Error(`no decision after all ${stream.length} bytes`);
}

describe('detectTransport', () => {
  it('detects abridged from the first byte', () => {
    const result = detectByteByByte(Buffer.from('ef02aabbccdd00112233', 'hex'));
    expect(result.detected).toEqual({ kind: 'plain', framing: 'abridged', tagLength: 1 });
    expect(result.bytesUsed).toBe(1);
  });

  it('detects intermediate after 4 bytes', () => {
    const result = detectByteByByte(Buffer.from('eeeeeeee04000000aabbccdd', 'hex'));
    expect(result.detected).toEqual({ kind: 'plain', framing: 'intermediate', tagLength: 4 });
    expect(result.bytesUsed).toBe(4);
  });

  it('detects padded intermediate after 4 bytes', () => {
    const result = detectByteByByte(Buffer.from('dddddddd04000000aabbccdd', 'hex'));
    expect(result.detected).toEqual({
      kind: 'plain',
      framing: 'padded-intermediate',
      tagLength: 4,
    });
    expect(result.bytesUsed).toBe(4);
  });

  it.each([
    'POST /api HTTP/1.1\r\n',
    'GET /apiws HTTP/1.1\r\n',
    'HEAD / HTTP/1.1\r\n',
    'OPTIONS * HTTP/1.1\r\n',
    'PUT /__admin/x HTTP/1.1\r\n',
    'DELETE /__admin/x HTTP/1.1\r\n',
    'PATCH /__admin/x HTTP/1.1\r\n',
  ])('detects HTTP from %j', (request) => {
    const result = detectByteByByte(Buffer.from(request, 'latin1'));
    expect(result.detected).toEqual({ kind: 'http' });
    expect(result.bytesUsed).toBe(4);
  });

  it('detects full from a zero seqno after 8 bytes', () => {
    const frame = new FullFraming().encode(Buffer.alloc(40, 7));
    const result = detectByteByByte(frame);
    expect(result.detected).toEqual({ kind: 'plain', framing: 'full', tagLength: 0 });
    expect(result.bytesUsed).toBe(8);
  });

  it('detects obfuscated2 after 8 bytes', () => {
    for (const framing of ['abridged', 'intermediate', 'padded-intermediate'] as const) {
      const { header } = createClientObfuscation(framing);
      const result = detectByteByByte(header);
      expect(result.detected).toEqual({ kind: 'obfuscated2' });
      expect(result.bytesUsed).toBe(8);
    }
  });

  it('does not take a near-miss of a tag for the tag', () => {
    const result = detectByteByByte(Buffer.from('eeeeeeef0102030405060708', 'hex'));
    expect(result.detected).toEqual({ kind: 'obfuscated2' });
  });

  it('rejects a TLS ClientHello with advice', () => {
    const hello = Buffer.from('160301020001fc0303', 'hex');
    expect(detectTransport(hello.subarray(0, 3))).toBeUndefined();
    expect(() => detectTransport(hello)).toThrow(TransportError);
    expect(() => detectTransport(hello)).toThrow(/TLS ClientHello/);
  });
});
