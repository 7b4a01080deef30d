import { ControlInputError, rejectUnknownFields } from './control-input-error.js';
import { seededRandom } from './seeded-random.js';
import { integerField, parseRpcError, positiveField, type RpcErrorSpec } from './stubs.js';
import { isPlainObject } from './tl-json.js';

/** The kinds of fault the mock can inject. */
export const FAULT_TYPES = [
  'transport-error',
  'close-before-reply',
  'close-after-reply',
  'delay',
  'flood-wait',
  'rpc-error',
  'bad-server-salt',
  'clock-skew',
  'gzip-result',
  'split-writes',
] as const;

export type FaultType = (typeof FAULT_TYPES)[number];

/** A fault as POST /__admin/faults takes it. */
export interface FaultInput {
  type: FaultType;
  /** Only requests for this TL method; not allowed for bad-server-salt and clock-skew. */
  method?: string;
  /** Only requests from keys whose initConnection api_id is this. */
  apiId?: number;
  /** Let this many selected requests through before the fault starts. Default 0. */
  after?: number;
  /** Fire at most this many times; for bad-server-salt, the number of messages. */
  times?: number;
  /** Fire with this probability (0 to 1) per selected request, drawn from `seed`. */
  probability?: number;
  /** Seed of the fault's random generator. Default 1. */
  seed?: number;
  /** transport-error: the negative code, -404 or -429. */
  code?: number;
  /** delay: fixed milliseconds, or with maxDelayMs the lower bound of a uniform range. */
  delayMs?: number;
  maxDelayMs?: number;
  /** flood-wait: X in FLOOD_WAIT_X, in seconds. */
  seconds?: number;
  /** rpc-error: the error to return. */
  error?: RpcErrorSpec;
  /** clock-skew: milliseconds added to the mock's clock while the fault exists. */
  skewMs?: number;
  /** split-writes: bytes per TCP write of the reply's packet. Default 1. */
  chunkBytes?: number;
}

/** A stored fault, as GET /__admin/faults lists it. */
export interface Fault extends FaultInput {
  id: string;
  /** Requests (or messages, for bad-server-salt) the fault's selection saw. */
  seen: number;
  /** How many times the fault fired. */
  fired: number;
}

/** Effects of the faults that fired on one request, for the session and the dispatcher. */
export interface FaultEffects {
  faultIds: string[];
  delayMs: number;
  error?: RpcErrorSpec;
  transportError?: number;
  closeBeforeReply: boolean;
  closeAfterReply: boolean;
  gzip: boolean;
  /** Bytes per write for the reply's packet, when a split-writes fault fired. */
  splitWrites?: number;
}

const REQUEST_FREE_TYPES = new Set<FaultType>(['bad-server-salt', 'clock-skew']);
const ALLOWED_KEYS = [
  'type',
  'method',
  'apiId',
  'after',
  'times',
  'probability',
  'seed',
  'code',
  'delayMs',
  'maxDelayMs',
  'seconds',
  'error',
  'skewMs',
  'chunkBytes',
];

/**
 * Injected faults. A fault selects requests by method and api_id, skips the first `after`, fires
 * at most `times` times and, with `probability`, fires on a seeded random draw.
 */
export class FaultRegistry {
  private readonly faults: Fault[] = [];
  private readonly random = new Map<string, () => number>();
  private sequence = 0;

  /** @param onSkewChange receives the total skew in ms whenever clock-skew faults change. */
  constructor(private readonly onSkewChange: (skewMs: number) => void = () => {}) {}

  add(input: unknown): Fault {
    const fault: Fault = {
      ...parseFaultInput(input),
      id: `fault-${++this.sequence}`,
      seen: 0,
      fired: 0,
    };
    this.faults.push(fault);
    this.random.set(fault.id, seededRandom(fault.seed ?? 1));
    if (fault.type === 'clock-skew') this.updateSkew();
    return { ...fault };
  }

  list(apiId?: number): Fault[] {
    return this.faults
      .filter((fault) => apiId === undefined || fault.apiId === apiId)
      .map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const index = this.faults.findIndex((fault) => fault.id === id);
    if (index === -1) return false;
    this.faults.splice(index, 1);
    this.random.delete(id);
    this.updateSkew();
    return true;
  }

  clear(apiId?: number): number {
    let removed = 0;
    for (let i = this.faults.length - 1; i >= 0; i--) {
      if (apiId === undefined || this.faults[i].apiId === apiId) {
        this.random.delete(this.faults[i].id);
        this.faults.splice(i, 1);
        removed++;
      }
    }
    this.updateSkew();
    return removed;
  }

  /** Selects the faults for one RPC request and merges what they ask for. */
  forRequest(method: string, apiId: number | undefined): FaultEffects {
    const effects: FaultEffects = {
      faultIds: [],
      delayMs: 0,
      closeBeforeReply: false,
      closeAfterReply: false,
      gzip: false,
    };
    for (const fault of this.faults) {
      if (REQUEST_FREE_TYPES.has(fault.type)) continue;
      if (fault.method !== undefined && fault.method !== method) continue;
      if (!this.fires(fault, apiId)) continue;
      effects.faultIds.push(fault.id);
      this.apply(fault, effects);
    }
    return effects;
  }

  /** Tells whether a bad-server-salt fault takes this message; counts it when it does. */
  takeBadServerSalt(apiId: number | undefined): string | undefined {
    const fault = this.faults.find((f) => f.type === 'bad-server-salt' && this.fires(f, apiId));
    return fault?.id;
  }

  private fires(fault: Fault, apiId: number | undefined): boolean {
    if (fault.apiId !== undefined && fault.apiId !== apiId) return false;
    if (fault.times !== undefined && fault.fired >= fault.times) return false;
    fault.seen++;
    if (fault.seen <= (fault.after ?? 0)) return false;
    if (fault.probability !== undefined) {
      const draw = this.random.get(fault.id)?.() ?? 0;
      if (draw >= fault.probability) return false;
    }
    fault.fired++;
    return true;
  }

  private apply(fault: Fault, effects: FaultEffects): void {
    switch (fault.type) {
      case 'transport-error':
        effects.transportError = fault.code ?? -404;
        return;
      case 'close-before-reply':
        effects.closeBeforeReply = true;
        return;
      case 'close-after-reply':
        effects.closeAfterReply = true;
        return;
      case 'delay':
        effects.delayMs += this.delayOf(fault);
        return;
      case 'flood-wait':
        effects.error = { code: 420, message: `FLOOD_WAIT_${fault.seconds ?? 1}` };
        return;
      case 'rpc-error':
        effects.error = fault.error;
        return;
      case 'gzip-result':
        effects.gzip = true;
        return;
      case 'split-writes':
        effects.splitWrites = fault.chunkBytes ?? 1;
        return;
      default:
        return;
    }
  }

  private delayOf(fault: Fault): number {
    const low = fault.delayMs ?? 0;
    if (fault.maxDelayMs === undefined) return low;
    const draw = this.random.get(fault.id)?.() ?? 0;
    return Math.round(low + draw * (fault.maxDelayMs - low));
  }

  private updateSkew(): void {
    const total = this.faults
      .filter((fault) => fault.type === 'clock-skew')
      .reduce((sum, fault) => sum + (fault.skewMs ?? 0), 0);
    this.onSkewChange(total);
  }
}

function parseFaultInput(input: unknown): FaultInput {
  if (!isPlainObject(input)) throw new ControlInputError('a fault must be a JSON object');
  rejectUnknownFields(input, ALLOWED_KEYS, 'fault');
  const type = input.type as FaultType;
  if (!FAULT_TYPES.includes(type)) {
    throw new ControlInputError(
      `type must be one of ${FAULT_TYPES.join(', ')}, got ${JSON.stringify(input.type)}`,
      'type',
    );
  }
  const fault: FaultInput = { type };
  if (input.method !== undefined) {
    if (REQUEST_FREE_TYPES.has(type)) {
      throw new ControlInputError(
        `${type} applies before a message is decoded, so it takes no method`,
        'method',
      );
    }
    if (typeof input.method !== 'string' || input.method === '') {
      throw new ControlInputError('method must be a TL method name', 'method');
    }
    fault.method = input.method;
  }
  if (input.apiId !== undefined) fault.apiId = integerField(input.apiId, 'apiId');
  if (input.after !== undefined) fault.after = nonNegative(input.after, 'after');
  if (input.times !== undefined) fault.times = positiveField(input.times, 'times');
  if (input.seed !== undefined) fault.seed = integerField(input.seed, 'seed');
  if (input.probability !== undefined) {
    const p = input.probability;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new ControlInputError(
        `probability must be a number from 0 to 1, got ${JSON.stringify(p)}`,
        'probability',
      );
    }
    fault.probability = p;
  }
  readTypeFields(type, input, fault);
  return fault;
}

/** Transport error codes Telegram sends: unknown key, flood, and invalid DC. */
const TRANSPORT_ERROR_CODES: readonly number[] = [-404, -429, -444];

/** Node timers hold at most 2^31 - 1 ms (about 24.8 days); a longer delay would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

function delayField(value: unknown, field: string): number {
  const ms = nonNegative(value, field);
  if (ms > MAX_DELAY_MS) {
    throw new ControlInputError(`${field} must be at most ${MAX_DELAY_MS} ms, got ${ms}`, field);
  }
  return ms;
}

function readTypeFields(type: FaultType, input: Record<string, unknown>, fault: FaultInput): void {
  switch (type) {
    case 'transport-error': {
      const code = input.code === undefined ? -404 : integerField(input.code, 'code');
      if (!TRANSPORT_ERROR_CODES.includes(code)) {
        throw new ControlInputError(
          `code must be one of Telegram's transport errors ${TRANSPORT_ERROR_CODES.join(', ')}, ` +
            `got ${code}`,
          'code',
        );
      }
      fault.code = code;
      return;
    }
    case 'delay':
      fault.delayMs = delayField(input.delayMs, 'delayMs');
      if (input.maxDelayMs !== undefined) {
        fault.maxDelayMs = delayField(input.maxDelayMs, 'maxDelayMs');
        if (fault.maxDelayMs < fault.delayMs) {
          throw new ControlInputError('maxDelayMs must not be below delayMs', 'maxDelayMs');
        }
      }
      return;
    case 'flood-wait':
      fault.seconds = nonNegative(input.seconds, 'seconds');
      return;
    case 'rpc-error':
      fault.error = parseRpcError(input.error, 'error');
      return;
    case 'clock-skew':
      fault.skewMs = integerField(input.skewMs, 'skewMs');
      return;
    case 'split-writes':
      fault.chunkBytes =
        input.chunkBytes === undefined ? 1 : positiveField(input.chunkBytes, 'chunkBytes');
      return;
    default:
      return;
  }
}

function nonNegative(value: unknown, field: string): number {
  const number = integerField(value, field);
  if (number < 0)
    throw new ControlInputError(`${field} must not be negative, got ${number}`, field);
  return number;
}
