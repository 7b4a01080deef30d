import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters, fuzzTimeoutMs } from '../../fuzz/fuzz-settings.js';
import { useMockServer } from '../../test-support/use-mock-server.js';
import type { TlObject } from '../tl/types.js';

const mock = useMockServer();

/** Every admin endpoint that reads a request body. */
const BODY_ENDPOINTS = [
  'POST /accounts',
  'POST /clock',
  'POST /faults',
  'POST /requests/count',
  'POST /requests/find',
  'POST /requests/verify',
  'POST /reset',
  'POST /scenarios/reset',
  'POST /settings',
  'POST /stubs',
  'PUT /scenarios/fuzz/state',
];

/** Keys that the admin API reads, so random objects reach past the first type check. */
const KEYS = [
  'phone',
  'password',
  'method',
  'match',
  'response',
  'error',
  'times',
  'apiId',
  'now',
  'advanceMs',
  'state',
  'kind',
  'delayMs',
  'code',
  'firstName',
  'recoveryEmail',
  'twoFactor',
  'journalSize',
];

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const structured = fc.dictionary(fc.constantFrom(...KEYS), jsonValue, { maxKeys: 6 });
const bodyText = fc.oneof(
  jsonValue.map((value) => JSON.stringify(value)),
  structured.map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.constant(''),
  fc.constant('{"a":'),
  fc.constant('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['),
);

describe('admin API fuzzing', () => {
  it(
    'random bodies to every endpoint get 2xx or 4xx',
    async () => {
      const base = `http://127.0.0.1:${mock.server.port}/__admin`;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...BODY_ENDPOINTS), bodyText, async (endpoint, body) => {
          const [method, path] = endpoint.split(' ');
          const response = await fetch(`${base}${path}`, {
            method,
            body,
            headers: { 'content-type': 'application/json' },
          });
          const text = await response.text();
          expect(response.status, `${endpoint} ${body} → ${text}`).toBeLessThan(500);
          expect(response.status).toBeGreaterThanOrEqual(200);
        }),
        fuzzParameters(300),
      );

      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      const reset = await fetch(`${base}/reset`, { method: 'POST' });
      expect(reset.status).toBeLessThan(300);
      const client = await mock.connect();
      const config = (await client.invoke({ _: 'help.getConfig' })) as TlObject;
      expect(config._).toBe('config');
    },
    fuzzTimeoutMs(60_000),
  );
});
