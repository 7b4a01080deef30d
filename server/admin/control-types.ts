/**
 * JSON shapes of the control endpoints, as the typed admin client sends and receives them.
 * TL values use the JSON forms of the admin API: long as a decimal string, bytes as "hex:…" or
 * "base64:…", objects as `{"_": "constructor", …}`.
 */

export interface AdminRpcError {
  code: number;
  message: string;
}

export interface AdminStubInput {
  method: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: AdminRpcError;
  priority?: number;
  times?: number;
  scenario?: string;
  requiredState?: string;
  newState?: string;
  apiId?: number;
}

export interface AdminStub extends AdminStubInput {
  id: string;
  priority: number;
  matched: number;
  createdAt: number;
}

export type AdminFaultType =
  | 'transport-error'
  | 'close-before-reply'
  | 'close-after-reply'
  | 'delay'
  | 'flood-wait'
  | 'rpc-error'
  | 'bad-server-salt'
  | 'clock-skew'
  | 'gzip-result'
  | 'split-writes';

export interface AdminFaultInput {
  type: AdminFaultType;
  method?: string;
  apiId?: number;
  after?: number;
  times?: number;
  probability?: number;
  seed?: number;
  code?: number;
  delayMs?: number;
  maxDelayMs?: number;
  seconds?: number;
  error?: AdminRpcError;
  skewMs?: number;
  /** split-writes: bytes per TCP write of the reply's packet; default 1. */
  chunkBytes?: number;
}

export interface AdminFault extends AdminFaultInput {
  id: string;
  seen: number;
  fired: number;
}

export interface AdminRequestPattern {
  method?: string;
  authKeyId?: string;
  apiId?: number;
  since?: number;
  until?: number;
  /** `ok`, `error`, `dropped` or an rpc_error message such as `FLOOD_WAIT_3`. */
  outcome?: string;
  params?: Record<string, unknown>;
}

export interface AdminJournalEntry {
  seq: number;
  time: number;
  connectionId: number;
  authKeyId: string;
  sessionId: string;
  msgId: string;
  apiId?: number;
  layer: number;
  method: string;
  params: Record<string, unknown>;
  outcome: 'ok' | 'error' | 'dropped';
  result?: string;
  error?: AdminRpcError;
  stubId?: string;
  faultIds?: string[];
  latencyMs: number;
}

export interface AdminCountExpectation {
  count?: number;
  atLeast?: number;
  atMost?: number;
}

export interface AdminNearMiss {
  entry: AdminJournalEntry;
  reasons: string[];
  mismatches: { field: string; expected: unknown; actual: unknown }[];
}

export interface AdminVerifyResult {
  ok: boolean;
  count: number;
  expected: AdminCountExpectation;
  nearMisses: AdminNearMiss[];
}

export interface AdminScenario {
  name: string;
  apiId?: number;
  state: string;
}

export interface AdminClockState {
  now: number;
  mode: 'system' | 'fixed';
  offsetMs: number;
  skewMs: number;
}
