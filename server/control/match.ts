import { isPlainObject, parseBytes } from './tl-json.js';

/** One field where a request differs from a predicate, for near-miss reports. */
export interface FieldMismatch {
  /** Path of the field, such as `peer.user_id` or `id[0]`. */
  field: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Compares a request's parameters in JSON form (see `toMatchValue`) with a predicate. Objects
 * match partially: only the predicate's keys count. Arrays must have the same length. A number
 * matches a long written as a decimal string, `base64:` bytes match the same bytes as `hex:`,
 * and `false` matches an absent `flags.N?true` field. Returns the mismatches, empty on a match.
 */
export function diffPredicate(actual: unknown, expected: unknown, path = ''): FieldMismatch[] {
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return [{ field: path || '(params)', expected, actual }];
    const mismatches: FieldMismatch[] = [];
    for (const [key, item] of Object.entries(expected)) {
      mismatches.push(...diffPredicate(actual[key], item, path ? `${path}.${key}` : key));
    }
    return mismatches;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [{ field: path, expected, actual }];
    }
    return expected.flatMap((item, i) => diffPredicate(actual[i], item, `${path}[${i}]`));
  }
  return scalarMatches(actual, expected) ? [] : [{ field: path, expected, actual }];
}

/** Tells whether parameters match a predicate; an absent predicate matches everything. */
export function matchesPredicate(actual: unknown, expected: unknown): boolean {
  return expected === undefined || diffPredicate(actual, expected).length === 0;
}

function scalarMatches(actual: unknown, expected: unknown): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (expected === false && actual === undefined) return true;
  if (typeof expected === 'number' && typeof actual === 'string') {
    return Number.isInteger(expected) && actual === String(expected);
  }
  if (typeof expected === 'string' && typeof actual === 'string') {
    return normalizeBytes(actual) === normalizeBytes(expected);
  }
  return actual === expected;
}

/** Rewrites `base64:` and `hex:` strings to lower-case `hex:`, so both spellings compare equal. */
function normalizeBytes(text: string): string {
  if (!text.startsWith('hex:') && !text.startsWith('base64:')) return text;
  try {
    return `hex:${parseBytes(text, '', false).toString('hex')}`;
  } catch {
    return text;
  }
}

/**
 * Returns the edit distance between two method names, used to suggest `messages.getDialogs`
 * when a verification asked for `messages.getDialog`.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Tells whether two method names are close enough to report as a near miss. */
export function isSimilarMethod(a: string, b: string): boolean {
  if (a === b) return false;
  const lowerA = a.toLowerCase();
  const lowerB = b.toLowerCase();
  if (lowerA === lowerB) return true;
  const limit = Math.max(2, Math.floor(Math.min(a.length, b.length) / 5));
  return editDistance(lowerA, lowerB) <= limit;
}
