/**
 * The OpenAPI 3.0 description of the admin API, served at GET /__admin/docs. It lists every
 * endpoint with its parameters and body shapes; docs/admin-api.md has examples.
 */
import { FAULT_TYPES } from '../control/faults.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const integer: Schema = { type: 'integer' };
const string: Schema = { type: 'string' };
const apiIdQuery = {
  name: 'apiId',
  in: 'query',
  required: false,
  description: 'Limit to one namespace: the api_id that clients send in initConnection.',
  schema: integer,
};

function jsonBody(schema: Schema): Schema {
  return { required: true, content: { 'application/json': { schema } } };
}

function ok(description: string, schema: Schema): Schema {
  return {
    200: { description, content: { 'application/json': { schema } } },
    400: { description: 'Invalid input; `field` names the value.', content: errorContent() },
  };
}

function errorContent(): Schema {
  return { 'application/json': { schema: ref('Error') } };
}

function listOf(key: string, item: string): Schema {
  return { type: 'object', properties: { [key]: { type: 'array', items: ref(item) } } };
}

const removed: Schema = { type: 'object', properties: { removed: integer } };

const schemas: Record<string, Schema> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: { error: string, field: string },
  },
  RpcError: {
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { type: 'integer', example: 420 },
      message: { type: 'string', example: 'FLOOD_WAIT_3' },
    },
  },
  StubInput: {
    type: 'object',
    required: ['method'],
    description:
      'Exactly one of result and error. TL values in JSON: long as a decimal string, bytes as ' +
      '"hex:…" or "base64:…", objects as {"_": "constructor", …}.',
    properties: {
      method: { type: 'string', example: 'messages.getDialogs' },
      params: { type: 'object', description: 'Partial match on the request fields.' },
      result: { description: 'A TL value of the method return type.' },
      error: ref('RpcError'),
      priority: { type: 'integer', default: 0, description: 'Higher wins; ties go to the newest.' },
      times: { type: 'integer', minimum: 1 },
      scenario: string,
      requiredState: { type: 'string', default: 'Started' },
      newState: string,
      apiId: integer,
    },
  },
  Stub: {
    allOf: [
      ref('StubInput'),
      {
        type: 'object',
        properties: { id: string, matched: integer, createdAt: integer },
      },
    ],
  },
  FaultInput: {
    type: 'object',
    required: ['type'],
    properties: {
      type: {
        type: 'string',
        enum: [...FAULT_TYPES],
      },
      method: string,
      apiId: integer,
      after: { type: 'integer', minimum: 0 },
      times: { type: 'integer', minimum: 1 },
      probability: { type: 'number', minimum: 0, maximum: 1 },
      seed: integer,
      code: { type: 'integer', example: -404 },
      delayMs: integer,
      maxDelayMs: integer,
      seconds: integer,
      chunkBytes: { type: 'integer', minimum: 1 },
      error: ref('RpcError'),
      skewMs: integer,
    },
  },
  Fault: {
    allOf: [
      ref('FaultInput'),
      { type: 'object', properties: { id: string, seen: integer, fired: integer } },
    ],
  },
  RequestPattern: {
    type: 'object',
    properties: {
      method: string,
      authKeyId: { type: 'string', description: '16 hex digits' },
      apiId: integer,
      since: { type: 'integer', description: 'ms since the epoch, inclusive' },
      until: { type: 'integer', description: 'ms since the epoch, exclusive' },
      outcome: { type: 'string', description: 'ok, error, dropped or an rpc_error message' },
      params: { type: 'object' },
    },
  },
  JournalEntry: {
    type: 'object',
    properties: {
      seq: integer,
      time: integer,
      connectionId: integer,
      authKeyId: string,
      sessionId: string,
      msgId: string,
      apiId: integer,
      layer: integer,
      method: string,
      params: { type: 'object' },
      outcome: { type: 'string', enum: ['ok', 'error', 'dropped'] },
      result: string,
      error: ref('RpcError'),
      stubId: string,
      faultIds: { type: 'array', items: string },
      latencyMs: { type: 'number' },
    },
  },
  JournalPage: {
    type: 'object',
    properties: {
      requests: { type: 'array', items: ref('JournalEntry') },
      total: integer,
      maxSize: integer,
      evicted: integer,
    },
  },
  VerifyResult: {
    type: 'object',
    properties: {
      ok: { type: 'boolean' },
      count: integer,
      expected: { type: 'object' },
      nearMisses: { type: 'array', items: { type: 'object' } },
    },
  },
  Scenario: {
    type: 'object',
    properties: { name: string, apiId: integer, state: string },
  },
  Clock: {
    type: 'object',
    properties: {
      now: integer,
      mode: { type: 'string', enum: ['system', 'fixed'] },
      offsetMs: integer,
      skewMs: integer,
    },
  },
};

const paths: Record<string, Schema> = {
  '/health': {
    get: { summary: 'Server status and port', responses: ok('Status', { type: 'object' }) },
  },
  '/server-key': {
    get: { summary: 'RSA public key and fingerprint', responses: ok('Key', { type: 'object' }) },
  },
  '/mailbox': {
    get: { summary: 'Emails the mock sent', responses: ok('Emails', { type: 'object' }) },
  },
  '/accounts': {
    post: {
      summary: 'Add an account',
      requestBody: jsonBody({ type: 'object' }),
      responses: ok('Account', { type: 'object' }),
    },
  },
  '/reset': {
    post: {
      summary:
        'Reset everything, or with apiId only that namespace (its stubs, faults, journal, scenarios and keys)',
      parameters: [apiIdQuery],
      responses: ok('Reset done', { type: 'object' }),
    },
  },
  '/docs': {
    get: { summary: 'This OpenAPI document', responses: ok('OpenAPI 3.0', { type: 'object' }) },
  },
  '/stubs': {
    get: {
      summary: 'List stubs',
      parameters: [apiIdQuery],
      responses: ok('Stubs', listOf('stubs', 'Stub')),
    },
    post: {
      summary: 'Add a stub',
      requestBody: jsonBody(ref('StubInput')),
      responses: ok('The stored stub', { type: 'object', properties: { stub: ref('Stub') } }),
    },
    delete: {
      summary: 'Remove all stubs',
      parameters: [apiIdQuery],
      responses: ok('Count', removed),
    },
  },
  '/stubs/unmatched': {
    get: {
      summary: 'Stubs that never matched',
      parameters: [apiIdQuery],
      responses: ok('Stubs', listOf('stubs', 'Stub')),
    },
  },
  '/stubs/{id}': {
    delete: {
      summary: 'Remove one stub',
      parameters: [{ name: 'id', in: 'path', required: true, schema: string }],
      responses: {
        ...ok('Removed', removed),
        404: { description: 'No such stub', content: errorContent() },
      },
    },
  },
  '/requests': {
    get: {
      summary: 'List journaled requests, oldest first',
      parameters: ['method', 'authKeyId', 'apiId', 'since', 'until', 'outcome', 'limit'].map(
        (name) => ({
          name,
          in: 'query',
          required: false,
          schema: ['method', 'authKeyId', 'outcome'].includes(name) ? string : integer,
        }),
      ),
      responses: ok('Requests', ref('JournalPage')),
    },
    delete: {
      summary: 'Clear the journal',
      parameters: [apiIdQuery],
      responses: ok('Cleared', { type: 'object' }),
    },
  },
  '/requests/find': {
    post: {
      summary: 'Find requests with parameter predicates',
      requestBody: jsonBody({
        allOf: [ref('RequestPattern'), { type: 'object', properties: { limit: integer } }],
      }),
      responses: ok('Requests', ref('JournalPage')),
    },
  },
  '/requests/count': {
    post: {
      summary: 'Count matching requests',
      requestBody: jsonBody(ref('RequestPattern')),
      responses: ok('Count', { type: 'object', properties: { count: integer } }),
    },
  },
  '/requests/verify': {
    post: {
      summary: 'Check a count (count, atLeast, atMost; default at least 1) and list near misses',
      requestBody: jsonBody({
        allOf: [
          ref('RequestPattern'),
          { type: 'object', properties: { count: integer, atLeast: integer, atMost: integer } },
        ],
      }),
      responses: ok('Result', ref('VerifyResult')),
    },
  },
  '/faults': {
    get: {
      summary: 'List faults',
      parameters: [apiIdQuery],
      responses: ok('Faults', listOf('faults', 'Fault')),
    },
    post: {
      summary: 'Add a fault',
      requestBody: jsonBody(ref('FaultInput')),
      responses: ok('The stored fault', { type: 'object', properties: { fault: ref('Fault') } }),
    },
    delete: {
      summary: 'Remove all faults',
      parameters: [apiIdQuery],
      responses: ok('Count', removed),
    },
  },
  '/faults/{id}': {
    delete: {
      summary: 'Remove one fault',
      parameters: [{ name: 'id', in: 'path', required: true, schema: string }],
      responses: {
        ...ok('Removed', removed),
        404: { description: 'No such fault', content: errorContent() },
      },
    },
  },
  '/scenarios': {
    get: {
      summary: 'List scenarios and states',
      parameters: [apiIdQuery],
      responses: ok('Scenarios', listOf('scenarios', 'Scenario')),
    },
  },
  '/scenarios/{name}/state': {
    put: {
      summary: 'Set a scenario state',
      parameters: [{ name: 'name', in: 'path', required: true, schema: string }, apiIdQuery],
      requestBody: jsonBody({ type: 'object', required: ['state'], properties: { state: string } }),
      responses: ok('Scenario', { type: 'object', properties: { scenario: ref('Scenario') } }),
    },
  },
  '/scenarios/reset': {
    post: {
      summary: 'Return scenarios to Started',
      parameters: [apiIdQuery],
      responses: ok('Scenarios', listOf('scenarios', 'Scenario')),
    },
  },
  '/clock': {
    get: { summary: 'Read the mock clock', responses: ok('Clock', ref('Clock')) },
    post: {
      summary:
        'Set ({"set": ms}, frozen), advance ({"advance": ms}) or release ({"system": true}) the clock',
      requestBody: jsonBody({
        type: 'object',
        properties: { set: integer, advance: integer, system: { type: 'boolean' } },
      }),
      responses: ok('Clock', ref('Clock')),
    },
  },
  '/settings': {
    get: {
      summary: 'Read settings',
      responses: ok('Settings', { type: 'object', properties: { journalSize: integer } }),
    },
    post: {
      summary: 'Change the journal capacity',
      requestBody: jsonBody({
        type: 'object',
        properties: { journalSize: { type: 'integer', minimum: 1 } },
      }),
      responses: ok('Settings', { type: 'object', properties: { journalSize: integer } }),
    },
  },
};

/** Returns the OpenAPI document of the admin API, with server-relative paths under /__admin. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'mtmock admin API',
      version: '0.1.0',
      description:
        'Control plane of mtmock, a Telegram-compatible MTProto server for tests: stubs, ' +
        'request journal, faults, scenarios, clock and namespaces (by api_id).',
    },
    servers: [{ url: '/__admin' }],
    paths,
    components: { schemas },
  };
}
