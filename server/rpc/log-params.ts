import type { TlObject } from '../tl/types.js';

/**
 * Fields whose values are secrets or derived from a password: SRP proofs and verifiers, codes
 * and key material. Logs and the journal show only that they were present.
 */
const REDACTED_FIELDS = new Set([
  'A',
  'M1',
  'new_password_hash',
  'phone_code',
  'code',
  'secure_secret',
  'encrypted_message',
  'api_hash',
]);

const MAX_DEPTH = 8;

/**
 * Converts decoded TL parameters to plain JSON for logs: bigints become decimal strings, byte
 * values become their length, and secret fields are replaced by "[redacted]".
 */
export function toLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => toLogValue(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    const plain: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as TlObject)) {
      plain[key] =
        REDACTED_FIELDS.has(key) && item !== undefined ? '[redacted]' : toLogValue(item, depth + 1);
    }
    return plain;
  }
  return value;
}
