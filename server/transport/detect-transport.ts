import type { FramingName } from './framing.js';
import { previewHex, TransportError } from './transport-error.js';

/** Transport announced by the first bytes of a connection. */
export type DetectedTransport =
  /** A plain framing; `tagLength` bytes of tag precede the first frame and are not framed. */
  | { kind: 'plain'; framing: FramingName; tagLength: number }
  /** Obfuscated2: a 64-byte header, then an encrypted stream with the framing it names. */
  | { kind: 'obfuscated2' }
  /** An HTTP request, including a WebSocket upgrade. */
  | { kind: 'http' };

/** Number of bytes that the detector needs at most to decide. */
export const DETECTION_BYTES = 8;

const ABRIDGED_TAG = 0xef;
const INTERMEDIATE_TAG = 0xeeeeeeee;
const PADDED_INTERMEDIATE_TAG = 0xdddddddd;
/** `16 03 01 02`: the start of a TLS ClientHello, which MTProto clients also never send. */
const TLS_CLIENT_HELLO = 0x02010316;

// NOTE: Telethon's v1 source re-draws an obfuscated2 header only when it starts with ef, PVrG,
// GET, POST or eeeeeeee, and GramJS 2.26 skips the same except GET. mtcute also skips HEAD, OPTI,
// dddddddd and 16030102. So about one GramJS or Telethon connection in 5e8 matches a pattern
// below and fails.
const HTTP_PREFIXES = ['POST', 'GET ', 'HEAD', 'OPTI', 'PUT ', 'DELE', 'PATC'].map((prefix) =>
  Buffer.from(prefix, 'latin1').readUInt32LE(0),
);

/**
 * Detects the transport from the first bytes of a connection. Returns undefined while more bytes
 * are needed (at most DETECTION_BYTES), and throws TransportError for a TLS handshake.
 *
 * The order follows the byte patterns: `ef` is abridged, `eeeeeeee` intermediate, `dddddddd`
 * padded intermediate, an HTTP method is HTTP, a zero seqno in bytes 4..8 is the full transport,
 * and anything else is an obfuscated2 header. The full transport's length field is checked later,
 * by its framing.
 */
export function detectTransport(head: Buffer): DetectedTransport | undefined {
  if (head.length === 0) return undefined;
  if (head[0] === ABRIDGED_TAG) return { kind: 'plain', framing: 'abridged', tagLength: 1 };
  if (head.length < 4) return undefined;

  const firstWord = head.readUInt32LE(0);
  if (firstWord === INTERMEDIATE_TAG) {
    return { kind: 'plain', framing: 'intermediate', tagLength: 4 };
  }
  if (firstWord === PADDED_INTERMEDIATE_TAG) {
    return { kind: 'plain', framing: 'padded-intermediate', tagLength: 4 };
  }
  if (HTTP_PREFIXES.includes(firstWord)) return { kind: 'http' };
  if (firstWord === TLS_CLIENT_HELLO) {
    throw new TransportError(
      `connection starts with a TLS ClientHello (${previewHex(head)}); ` +
        'mtmock speaks plain TCP and ws://, so connect without TLS',
    );
  }

  if (head.length < DETECTION_BYTES) return undefined;
  if (head.readUInt32LE(4) === 0) return { kind: 'plain', framing: 'full', tagLength: 0 };
  return { kind: 'obfuscated2' };
}
