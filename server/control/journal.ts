import { ControlInputError, rejectUnknownFields } from './control-input-error.js';
import { diffPredicate, isSimilarMethod, matchesPredicate, type FieldMismatch } from './match.js';
import { isPlainObject } from './tl-json.js';
import { integerField, type RpcErrorSpec } from './stubs.js';

/** Outcome of a journaled request: a result, an rpc_error, or dropped by a fault. */
export type RequestOutcome = 'ok' | 'error' | 'dropped';

/** One decoded RPC request as the journal stores it. */
export interface JournalEntry {
  /** Increasing number, unique in the process. */
  seq: number;
  /** Milliseconds since the Unix epoch, by the mock's clock. */
  time: number;
  connectionId: number;
  /** Auth key id as 16 hex digits, as the logs write it. */
  authKeyId: string;
  sessionId: string;
  msgId: string;
  /** api_id from the key's initConnection, when the client sent one. */
  apiId?: number;
  layer: number;
  method: string;
  /** Parameters in JSON form: longs as strings, bytes as `hex:…` or a length, secrets redacted. */
  params: unknown;
  outcome: RequestOutcome;
  /** Constructor name of the result, such as `config` or `boolTrue`. */
  result?: string;
  error?: RpcErrorSpec;
  /** The stub that supplied the response, if any. */
  stubId?: string;
  /** The faults applied, if any. */
  faultIds?: string[];
  /** Milliseconds from dispatch to the encoded response, delays included. */
  latencyMs: number;
}

/** A journal query, as GET /__admin/requests (query string) and the count/verify bodies take it. */
export interface RequestPattern {
  method?: string;
  authKeyId?: string;
  apiId?: number;
  /** Only entries at or after this time (ms since the epoch). */
  since?: number;
  /** Only entries before this time (ms since the epoch). */
  until?: number;
  /** `ok`, `error`, `dropped`, or an rpc_error message such as `FLOOD_WAIT_3`. */
  outcome?: string;
  /** Predicates on the parameters, as in stubs. */
  params?: Record<string, unknown>;
}

/** The expected count of a verification; with none of the fields set, at least one. */
export interface CountExpectation {
  count?: number;
  atLeast?: number;
  atMost?: number;
}

/** A request that almost matched a failed verification. */
export interface NearMiss {
  entry: JournalEntry;
  /** Why it did not match: `method`, `outcome` or the fields that differ. */
  reasons: string[];
  mismatches: FieldMismatch[];
}

export interface VerifyResult {
  ok: boolean;
  count: number;
  expected: CountExpectation;
  /** Set when the verification failed: at most 10 closest requests. */
  nearMisses: NearMiss[];
}

/** Default capacity of the journal, in requests. */
export const DEFAULT_JOURNAL_SIZE = 1000;
const MAX_NEAR_MISSES = 10;

/**
 * The request journal: a ring buffer of the newest decoded RPC requests. Once it is full, each
 * new request drops the oldest, so memory stays bounded however long the mock runs.
 */
export class RequestJournal {
  private entries: JournalEntry[] = [];
  private start = 0;
  private sequence = 0;
  /** Requests dropped from the buffer because it was full. */
  evicted = 0;

  constructor(private capacity = DEFAULT_JOURNAL_SIZE) {
    this.resize(capacity);
  }

  get size(): number {
    return this.entries.length;
  }

  get maxSize(): number {
    return this.capacity;
  }

  /** Changes the capacity; the oldest entries go when it shrinks. */
  resize(capacity: number): void {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new ControlInputError(
        `journal size must be an integer of at least 1, got ${capacity}`,
        'size',
      );
    }
    const ordered = this.all();
    this.capacity = capacity;
    this.evicted += Math.max(0, ordered.length - capacity);
    this.entries = ordered.slice(-capacity);
    this.start = 0;
  }

  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const stored = { seq: ++this.sequence, ...entry };
    if (this.entries.length < this.capacity) {
      this.entries.push(stored);
    } else {
      this.entries[this.start] = stored;
      this.start = (this.start + 1) % this.capacity;
      this.evicted++;
    }
    return stored;
  }

  /** Lists entries, oldest first. */
  all(): JournalEntry[] {
    return [...this.entries.slice(this.start), ...this.entries.slice(0, this.start)];
  }

  find(pattern: RequestPattern = {}, limit?: number): JournalEntry[] {
    const found = this.all().filter((entry) => matchesPattern(entry, pattern));
    return limit === undefined ? found : found.slice(-limit);
  }

  count(pattern: RequestPattern): number {
    return this.find(pattern).length;
  }

  /** Checks how many requests match; on failure lists the requests that almost did. */
  verify(pattern: RequestPattern, expected: CountExpectation): VerifyResult {
    const count = this.count(pattern);
    const ok = countMatches(count, expected);
    return { ok, count, expected, nearMisses: ok ? [] : this.nearMisses(pattern) };
  }

  /** Removes every entry, or those of one api_id namespace. */
  clear(apiId?: number): void {
    const kept = apiId === undefined ? [] : this.all().filter((entry) => entry.apiId !== apiId);
    this.entries = kept;
    this.start = 0;
  }

  private nearMisses(pattern: RequestPattern): NearMiss[] {
    const scope: RequestPattern = {
      authKeyId: pattern.authKeyId,
      apiId: pattern.apiId,
      since: pattern.since,
      until: pattern.until,
    };
    const misses: NearMiss[] = [];
    for (const entry of this.find(scope).reverse()) {
      const reasons: string[] = [];
      let mismatches: FieldMismatch[] = [];
      if (pattern.method !== undefined && entry.method !== pattern.method) {
        if (!isSimilarMethod(entry.method, pattern.method)) continue;
        reasons.push('method');
      }
      if (pattern.params !== undefined) {
        mismatches = diffPredicate(entry.params, pattern.params);
        if (mismatches.length > 0) reasons.push('params');
      }
      if (pattern.outcome !== undefined && !outcomeMatches(entry, pattern.outcome)) {
        reasons.push('outcome');
      }
      if (reasons.length === 0) continue;
      misses.push({ entry, reasons, mismatches });
      if (misses.length >= MAX_NEAR_MISSES) break;
    }
    return misses;
  }
}

function matchesPattern(entry: JournalEntry, pattern: RequestPattern): boolean {
  if (pattern.method !== undefined && entry.method !== pattern.method) return false;
  if (pattern.authKeyId !== undefined && entry.authKeyId !== pattern.authKeyId.toLowerCase()) {
    return false;
  }
  if (pattern.apiId !== undefined && entry.apiId !== pattern.apiId) return false;
  if (pattern.since !== undefined && entry.time < pattern.since) return false;
  if (pattern.until !== undefined && entry.time >= pattern.until) return false;
  if (pattern.outcome !== undefined && !outcomeMatches(entry, pattern.outcome)) return false;
  return matchesPredicate(entry.params, pattern.params);
}

function outcomeMatches(entry: JournalEntry, outcome: string): boolean {
  if (outcome === 'ok' || outcome === 'error' || outcome === 'dropped') {
    return entry.outcome === outcome;
  }
  return entry.error?.message === outcome;
}

function countMatches(count: number, expected: CountExpectation): boolean {
  const { count: exactly, atLeast, atMost } = expected;
  if (exactly === undefined && atLeast === undefined && atMost === undefined) return count >= 1;
  if (exactly !== undefined && count !== exactly) return false;
  if (atLeast !== undefined && count < atLeast) return false;
  return atMost === undefined || count <= atMost;
}

/** The fields of a RequestPattern, as JSON and query strings spell them. */
const REQUEST_PATTERN_FIELDS = [
  'method',
  'authKeyId',
  'outcome',
  'apiId',
  'since',
  'until',
  'params',
] as const;

/** The fields of a CountExpectation. */
export const COUNT_EXPECTATION_FIELDS = ['count', 'atLeast', 'atMost'] as const;

/**
 * Reads a RequestPattern from JSON or a query string's values. Throws on invalid fields, and on
 * unknown ones other than `otherFields`, which the caller reads itself.
 */
export function parseRequestPattern(
  input: Record<string, unknown>,
  otherFields: readonly string[] = [],
): RequestPattern {
  rejectUnknownFields(input, [...REQUEST_PATTERN_FIELDS, ...otherFields], 'request query');
  const pattern: RequestPattern = {};
  for (const key of ['method', 'authKeyId', 'outcome'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      throw new ControlInputError(`${key} must be a non-empty string`, key);
    }
    if (key === 'authKeyId' && !/^[0-9a-fA-F]{16}$/.test(value)) {
      throw new ControlInputError(`authKeyId must be 16 hex digits, got "${value}"`, key);
    }
    pattern[key] = value;
  }
  for (const key of ['apiId', 'since', 'until'] as const) {
    if (input[key] !== undefined) pattern[key] = integerField(numeric(input[key]), key);
  }
  if (input.params !== undefined) {
    if (!isPlainObject(input.params)) {
      throw new ControlInputError('params must be an object of field predicates', 'params');
    }
    pattern.params = input.params;
  }
  return pattern;
}

/** Reads a CountExpectation; each field must be a non-negative integer. */
export function parseCountExpectation(input: Record<string, unknown>): CountExpectation {
  const expected: CountExpectation = {};
  for (const key of COUNT_EXPECTATION_FIELDS) {
    if (input[key] === undefined) continue;
    const value = integerField(input[key], key);
    if (value < 0) throw new ControlInputError(`${key} must not be negative, got ${value}`, key);
    expected[key] = value;
  }
  if (
    expected.count !== undefined &&
    (expected.atLeast !== undefined || expected.atMost !== undefined)
  ) {
    throw new ControlInputError('give either count or atLeast/atMost, not both', 'count');
  }
  return expected;
}

/** Query-string values arrive as text; numeric fields accept digits there. */
function numeric(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
}
