import type { ControlPlane } from '../control/control-plane.js';
import { ControlInputError, rejectUnknownFields } from '../control/control-input-error.js';
import type { ControllableClock } from '../control/controllable-clock.js';
import {
  COUNT_EXPECTATION_FIELDS,
  parseCountExpectation,
  parseRequestPattern,
  type RequestPattern,
} from '../control/journal.js';
import { integerField } from '../control/stubs.js';
import { isPlainObject } from '../control/tl-json.js';
import type { TlRegistry } from '../tl/registry.js';
import { openApiDocument } from './openapi.js';

/** The server parts that the control endpoints read and change. */
export interface ControlTarget {
  readonly control: ControlPlane;
  readonly clock: ControllableClock;
  resetNamespace(apiId: number): number;
}

/** A control endpoint: path parameters come from `:name` segments of its pattern. */
export type ControlRoute = (
  target: ControlTarget,
  url: URL,
  body: unknown,
  pathParams: Record<string, string>,
) => unknown;

/**
 * Endpoints of the control plane, keyed by method and path pattern under /__admin. The
 * registry is needed to validate stubs against the default layer.
 */
export function controlRoutes(registry: TlRegistry): Record<string, ControlRoute> {
  return {
    'GET /docs': () => openApiDocument(),

    'GET /stubs': ({ control }, url) => ({ stubs: control.stubs.list(apiIdOf(url)) }),
    'POST /stubs': ({ control }, _url, body) => ({
      stub: control.stubs.add(body, registry.view()),
    }),
    'DELETE /stubs': ({ control }, url) => ({ removed: control.stubs.clear(apiIdOf(url)) }),
    'GET /stubs/unmatched': ({ control }, url) => ({
      stubs: control.stubs.unmatched(apiIdOf(url)),
    }),
    'DELETE /stubs/:id': ({ control }, _url, _body, { id }) => {
      if (!control.stubs.remove(id)) throw notFound('stub', id, 'GET /__admin/stubs');
      return { removed: 1 };
    },

    'GET /requests': ({ control }, url) => {
      const query = Object.fromEntries(url.searchParams);
      const limit = query.limit === undefined ? undefined : positiveQuery(query.limit, 'limit');
      delete query.limit;
      const pattern = parseRequestPattern(query);
      return journalPage(control, pattern, limit);
    },
    'POST /requests/find': ({ control }, _url, body) => {
      const input = objectBody(body);
      const limit = input.limit === undefined ? undefined : integerField(input.limit, 'limit');
      return journalPage(control, parseRequestPattern(input, ['limit']), limit);
    },
    'DELETE /requests': ({ control }, url) => {
      control.journal.clear(apiIdOf(url));
      return { status: 'ok' };
    },
    'POST /requests/count': ({ control }, _url, body) => ({
      count: control.journal.count(parseRequestPattern(objectBody(body))),
    }),
    'POST /requests/verify': ({ control }, _url, body) => {
      const input = objectBody(body);
      return control.journal.verify(
        parseRequestPattern(input, COUNT_EXPECTATION_FIELDS),
        parseCountExpectation(input),
      );
    },

    'GET /faults': ({ control }, url) => ({ faults: control.faults.list(apiIdOf(url)) }),
    'POST /faults': ({ control }, _url, body) => ({ fault: control.faults.add(body) }),
    'DELETE /faults': ({ control }, url) => ({ removed: control.faults.clear(apiIdOf(url)) }),
    'DELETE /faults/:id': ({ control }, _url, _body, { id }) => {
      if (!control.faults.remove(id)) throw notFound('fault', id, 'GET /__admin/faults');
      return { removed: 1 };
    },

    'GET /scenarios': ({ control }, url) => ({
      scenarios: control.scenarios.list(apiIdOf(url)),
    }),
    'PUT /scenarios/:name/state': ({ control }, url, body, { name }) => {
      const input = objectBody(body);
      if (typeof input.state !== 'string' || input.state === '') {
        throw new ControlInputError('state must be a non-empty string', 'state');
      }
      const apiId = apiIdOf(url);
      control.scenarios.set(name, apiId, input.state);
      return { scenario: { name, apiId, state: input.state } };
    },
    'POST /scenarios/reset': ({ control }, url) => {
      control.scenarios.reset(apiIdOf(url));
      return { scenarios: control.scenarios.list(apiIdOf(url)) };
    },

    'GET /clock': ({ clock }) => clock.state(),
    'POST /clock': ({ clock }, _url, body) => {
      changeClock(clock, objectBody(body));
      return clock.state();
    },

    'GET /settings': ({ control }) => ({ journalSize: control.journal.maxSize }),
    'POST /settings': ({ control }, _url, body) => {
      const input = objectBody(body);
      rejectUnknownFields(input, ['journalSize'], 'settings');
      if (input.journalSize !== undefined) {
        const size = integerField(input.journalSize, 'journalSize');
        if (size > MAX_JOURNAL_SIZE) {
          throw new ControlInputError(
            `journalSize must be at most ${MAX_JOURNAL_SIZE}, got ${size}`,
            'journalSize',
          );
        }
        control.journal.resize(size);
      }
      return { journalSize: control.journal.maxSize };
    },
  };
}

function journalPage(control: ControlPlane, pattern: RequestPattern, limit?: number) {
  const requests = control.journal.find(pattern, limit);
  return {
    requests,
    total: control.journal.size,
    maxSize: control.journal.maxSize,
    evicted: control.journal.evicted,
  };
}

/** Applies `{"set": ms}`, `{"advance": ms}` or `{"system": true}`. */
function changeClock(clock: ControllableClock, input: Record<string, unknown>): void {
  const actions = ['set', 'advance', 'system'].filter((key) => input[key] !== undefined);
  if (actions.length !== 1) {
    throw new ControlInputError(
      'send exactly one of {"set": ms}, {"advance": ms} or {"system": true}',
      actions[1] ?? 'set',
    );
  }
  if (input.system !== undefined) {
    if (input.system !== true) throw new ControlInputError('system must be true', 'system');
    clock.useSystem();
    return;
  }
  const field = actions[0] as 'set' | 'advance';
  const ms = input[field];
  if (typeof ms !== 'number' || !Number.isInteger(ms)) {
    throw new ControlInputError(`${field} must be a whole number of milliseconds`, field);
  }
  // server_time in the key exchange is a signed 32-bit count of seconds.
  const target = field === 'set' ? ms : clock.now() + ms;
  if (target < 0 || target > MAX_CLOCK_MS) {
    throw new ControlInputError(
      `${field} would put the clock at ${target} ms, outside 0 to ${MAX_CLOCK_MS} ms ` +
        '(server_time is a signed 32-bit count of seconds)',
      field,
    );
  }
  if (field === 'set') clock.set(ms);
  else clock.advance(ms);
}

/** Largest journal the admin API allows, to keep its memory bounded. */
const MAX_JOURNAL_SIZE = 1_000_000;

/** Latest time server_time can carry: 2^31 - 1 seconds (January 2038), in milliseconds. */
const MAX_CLOCK_MS = (2 ** 31 - 1) * 1000;

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isPlainObject(body)) throw new ControlInputError('the request body must be a JSON object');
  return body;
}

function apiIdOf(url: URL): number | undefined {
  const text = url.searchParams.get('apiId');
  if (text === null) return undefined;
  return integerField(/^-?\d+$/.test(text) ? Number(text) : text, 'apiId');
}

function positiveQuery(text: string, field: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1)) throw new ControlInputError(`${field} must be a positive integer`, field);
  return value;
}

function notFound(kind: string, id: string, listing: string): ControlInputError {
  return new ControlInputError(`no ${kind} with id ${id}; list them with ${listing}`, 'id', 404);
}
