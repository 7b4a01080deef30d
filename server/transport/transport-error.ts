/**
 * Transport-level error codes. Telegram sends them as a transport packet whose payload is the
 * negative code as a 4-byte little-endian int32.
 */
export const TRANSPORT_ERROR = {
  /** Unknown auth key id, a broken key-exchange step or, in this mock, a broken framing. */
  AUTH_KEY_NOT_FOUND: -404,
  /** Transport flood: too many connections or requests. */
  FLOOD: -429,
  /** Invalid DC id in an MTProxy header or in the key-exchange `dc` field. */
  INVALID_DC: -444,
} as const;

/**
 * The code this mock sends before it closes a connection whose bytes break the framing (bad
 * CRC, wrong seqno, oversized or unknown frame). Telegram sends -404 in that case in practice.
 */
export const BROKEN_FRAMING_CODE = TRANSPORT_ERROR.AUTH_KEY_NOT_FOUND;

/** Bytes that break the transport on one connection. The connection sends `code` and closes. */
export class TransportError extends Error {
  override readonly name = 'TransportError';

  constructor(
    message: string,
    readonly code: number = BROKEN_FRAMING_CODE,
  ) {
    super(message);
  }
}

/** Encodes the 4-byte payload of a transport error packet, for example -404 → `6c fe ff ff`. */
export function encodeTransportErrorPayload(code: number): Buffer {
  if (!Number.isInteger(code) || code >= 0 || code < -0x80000000) {
    throw new RangeError(`transport error code must be a negative int32, got ${code}`);
  }
  const payload = Buffer.alloc(4);
  payload.writeInt32LE(code, 0);
  return payload;
}

/** Formats the first bytes of a buffer as hex for error messages, at most `limit` bytes. */
export function previewHex(bytes: Buffer, limit = 16): string {
  const hexPrefix = bytes.subarray(0, limit).toString('hex');
  return bytes.length > limit ? `${hexPrefix}… (${bytes.length} bytes)` : hexPrefix;
}
