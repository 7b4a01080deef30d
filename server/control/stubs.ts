import { TlWriter } from '../binary/tl-writer.js';
import { encodeValue } from '../tl/codec.js';
import type { TlSchemaView } from '../tl/schema-view.js';
import { ControlInputError, rejectUnknownFields } from './control-input-error.js';
import { matchesPredicate } from './match.js';
import { STARTED, type ScenarioStates } from './scenarios.js';
import { isPlainObject, tlFromJson } from './tl-json.js';

/** An rpc_error that a stub or fault returns. */
export interface RpcErrorSpec {
  code: number;
  message: string;
}

/** A stub as POST /__admin/stubs takes it. */
export interface StubInput {
  /** TL method name, such as `messages.getDialogs`. */
  method: string;
  /** Predicates on the request's parameters, in the JSON form of `tl-json.ts`. */
  params?: Record<string, unknown>;
  /** The result as a TL value in JSON form; exactly one of `result` and `error` is set. */
  result?: unknown;
  error?: RpcErrorSpec;
  /** Higher wins; among equal priorities the newest stub wins. Default 0. */
  priority?: number;
  /** Number of requests the stub matches before it stops matching. Default: no limit. */
  times?: number;
  scenario?: string;
  /** The scenario state the stub requires; default `Started` when `scenario` is set. */
  requiredState?: string;
  /** The state the scenario moves to when the stub matches. */
  newState?: string;
  /** Only requests from keys whose initConnection api_id is this match. */
  apiId?: number;
}

/** A stored stub, as GET /__admin/stubs lists it. */
export interface Stub extends StubInput {
  id: string;
  priority: number;
  /** Number of requests the stub has matched. */
  matched: number;
  /** Milliseconds since the Unix epoch, by the mock's clock. */
  createdAt: number;
}

/** The request fields that the stub registry matches on. */
export interface StubRequest {
  method: string;
  /** Parameters in the JSON form of `toMatchValue`. */
  params: unknown;
  apiId?: number;
}

const ALLOWED_KEYS = [
  'method',
  'params',
  'result',
  'error',
  'priority',
  'times',
  'scenario',
  'requiredState',
  'newState',
  'apiId',
];

/**
 * Stub rules for any TL method. The registry validates a stub against the default layer when it
 * is added, and picks the stub that responds to a request: the highest priority, then the newest.
 */
export class StubRegistry {
  private readonly stubs: Stub[] = [];
  private sequence = 0;

  constructor(
    private readonly scenarios: ScenarioStates,
    private readonly now: () => number,
  ) {}

  /** Validates and stores a stub. Throws ControlInputError naming the invalid field. */
  add(input: unknown, defaultView: TlSchemaView): Stub {
    const stub = parseStubInput(input, defaultView);
    const stored: Stub = {
      ...stub,
      id: `stub-${++this.sequence}`,
      priority: stub.priority ?? 0,
      matched: 0,
      createdAt: this.now(),
    };
    if (stored.scenario !== undefined) this.scenarios.declare(stored.scenario, stored.apiId);
    this.stubs.push(stored);
    return { ...stored };
  }

  list(apiId?: number): Stub[] {
    return this.stubs.filter((stub) => apiId === undefined || stub.apiId === apiId).map(copy);
  }

  /** Lists stubs that never matched a request, like undici's pendingInterceptors(). */
  unmatched(apiId?: number): Stub[] {
    return this.list(apiId).filter((stub) => stub.matched === 0);
  }

  remove(id: string): boolean {
    const index = this.stubs.findIndex((stub) => stub.id === id);
    if (index === -1) return false;
    this.stubs.splice(index, 1);
    return true;
  }

  /** Removes every stub, or those of one api_id namespace. Returns how many went. */
  clear(apiId?: number): number {
    let removed = 0;
    for (let i = this.stubs.length - 1; i >= 0; i--) {
      if (apiId === undefined || this.stubs[i].apiId === apiId) {
        this.stubs.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Picks the stub for a request, counts the match and applies the scenario transition.
   * Returns undefined when no stub matches.
   */
  take(request: StubRequest): Stub | undefined {
    let best: Stub | undefined;
    for (const stub of this.stubs) {
      if (!this.applies(stub, request)) continue;
      // Later stubs are newer, so >= lets a newer stub of equal priority win.
      if (best === undefined || stub.priority >= best.priority) best = stub;
    }
    if (best === undefined) return undefined;
    best.matched++;
    if (best.scenario !== undefined && best.newState !== undefined) {
      this.scenarios.set(best.scenario, best.apiId, best.newState);
    }
    return copy(best);
  }

  private applies(stub: Stub, request: StubRequest): boolean {
    if (stub.method !== request.method) return false;
    if (stub.apiId !== undefined && stub.apiId !== request.apiId) return false;
    if (stub.times !== undefined && stub.matched >= stub.times) return false;
    if (stub.scenario !== undefined) {
      const required = stub.requiredState ?? STARTED;
      if (this.scenarios.get(stub.scenario, stub.apiId) !== required) return false;
    }
    return matchesPredicate(request.params, stub.params);
  }
}

function copy(stub: Stub): Stub {
  return { ...stub };
}

/** Checks a stub's shape and encodes its result with the default layer. */
function parseStubInput(input: unknown, view: TlSchemaView): StubInput {
  if (!isPlainObject(input)) throw new ControlInputError('a stub must be a JSON object');
  rejectUnknownFields(input, ALLOWED_KEYS, 'stub');
  const method = input.method;
  if (typeof method !== 'string' || method === '') {
    throw new ControlInputError(
      'method must be a TL method name such as "help.getConfig"',
      'method',
    );
  }
  const combinator = view.methodByName(method);
  if (combinator === undefined) {
    throw new ControlInputError(
      `method ${method} is not in layer ${view.layer}; check the spelling (names are case-sensitive)`,
      'method',
    );
  }
  if (input.params !== undefined && !isPlainObject(input.params)) {
    throw new ControlInputError('params must be an object of field predicates', 'params');
  }
  if ((input.result === undefined) === (input.error === undefined)) {
    throw new ControlInputError('a stub needs exactly one of result and error', 'result');
  }
  const error = input.error === undefined ? undefined : parseRpcError(input.error, 'error');
  if (input.result !== undefined) {
    const converted = tlFromJson(input.result, combinator.type, view, 'result', { strict: true });
    try {
      encodeValue(new TlWriter(), combinator.type, converted, view);
    } catch (encodeError) {
      throw new ControlInputError(
        `result does not encode as ${combinator.type}: ${(encodeError as Error).message}`,
        'result',
      );
    }
  }
  const stub: StubInput = { method, result: input.result, error };
  if (input.params !== undefined) stub.params = input.params as Record<string, unknown>;
  if (input.priority !== undefined) stub.priority = integerField(input.priority, 'priority');
  if (input.times !== undefined) stub.times = positiveField(input.times, 'times');
  if (input.apiId !== undefined) stub.apiId = integerField(input.apiId, 'apiId');
  for (const key of ['scenario', 'requiredState', 'newState'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      throw new ControlInputError(`${key} must be a non-empty string`, key);
    }
    stub[key] = value;
  }
  if (stub.scenario === undefined && (stub.requiredState ?? stub.newState) !== undefined) {
    throw new ControlInputError('requiredState and newState need a scenario name', 'scenario');
  }
  return stub;
}

/** Checks an rpc_error given as `{code, message}`. */
export function parseRpcError(value: unknown, field: string): RpcErrorSpec {
  if (!isPlainObject(value)) {
    throw new ControlInputError(`${field} must be {"code": 420, "message": "FLOOD_WAIT_3"}`, field);
  }
  const code = integerField(value.code, `${field}.code`);
  const message = value.message;
  if (typeof message !== 'string' || message === '') {
    throw new ControlInputError(`${field}.message must be a non-empty string`, `${field}.message`);
  }
  return { code, message };
}

/** Reads an integer field or throws ControlInputError naming it. */
export function integerField(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ControlInputError(`${field} must be an integer, got ${JSON.stringify(value)}`, field);
  }
  return value;
}

/** Reads an integer of at least 1 or throws ControlInputError naming it. */
export function positiveField(value: unknown, field: string): number {
  const number = integerField(value, field);
  if (number < 1) throw new ControlInputError(`${field} must be at least 1, got ${number}`, field);
  return number;
}
