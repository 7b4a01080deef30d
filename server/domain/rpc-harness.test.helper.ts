import { createLogger } from '../logger.js';
import type { RpcContext, RpcHandler } from '../rpc/context.js';
import { createAccountHandlers } from '../rpc/handlers/account.js';
import { createAuthHandlers } from '../rpc/handlers/auth.js';
import type { TlObject } from '../tl/types.js';
import { Domain } from './domain.js';
import { loadFixtures } from './fixtures.js';
import { assertMethodAllowed } from './key-state.js';

/**
 * Test harness for the auth and account handlers: the default fixtures, a clock that tests
 * move by hand, and auth keys whose calls pass the key-state check first, as the dispatcher
 * does. The `.test.helper.ts` name keeps it out of the test run and out of the npm package.
 */

/** A clock that only moves when a test calls `advance`. */
export interface ManualClock {
  now(): number;
  advance(seconds: number): void;
}

export interface Harness {
  clock: ManualClock;
  domain: Domain;
  /** Creates the context of a new auth key that is not signed in. */
  newKey(): RpcContext;
  /** Calls a handler like the dispatcher: key-state check, then the handler. */
  call(ctx: RpcContext, method: string, params?: Record<string, unknown>): Promise<unknown>;
}

/** Account ids and phones of fixtures/default.json. */
export const ALICE = { id: 1001n, phone: '15550000001', password: 'alice-password' };
export const BOB = { id: 1002n, phone: '15550000002', password: 'bob-password' };
export const CAROL = { id: 1003n, phone: '15550000003', password: 'carol-password' };
export const DAVE = { id: 1004n, phone: '15550000004', loginCode: '12345' };

const silentLog = createLogger('silent');

export function createHarness(): Harness {
  let time = 1_700_000_000_000;
  const clock: ManualClock = {
    now: () => time,
    advance: (seconds) => {
      time += seconds * 1000;
    },
  };
  const domain = new Domain(loadFixtures(), clock);
  const handlers: Record<string, RpcHandler> = {
    ...createAuthHandlers(domain),
    ...createAccountHandlers(domain),
  };
  let nextKeyId = 1n;

  return {
    clock,
    domain,
    newKey: () => ({
      authKeyId: nextKeyId++,
      sessionId: 1n,
      layer: 198,
      auth: { state: 'unauthorized' },
      dc: { dcId: 2, host: '127.0.0.1', port: 443 },
      clock,
      log: silentLog,
    }),
    call: async (ctx, method, params = {}) => {
      assertMethodAllowed(method, ctx.auth);
      const handler = handlers[method];
      if (!handler) throw new Error(`no handler for ${method} in the test harness`);
      return handler({ _: method, ...params } as TlObject, ctx);
    },
  };
}

/** Runs `auth.sendCode` and `auth.signIn` with the phone's code; returns the sign-in result. */
export async function signInWithCode(
  harness: Harness,
  ctx: RpcContext,
  phone: string,
  code = phone.slice(-5),
): Promise<unknown> {
  const sent = (await harness.call(ctx, 'auth.sendCode', {
    phone_number: phone,
    api_id: 1,
    api_hash: 'hash',
    settings: { _: 'codeSettings' },
  })) as TlObject;
  return harness.call(ctx, 'auth.signIn', {
    phone_number: phone,
    phone_code_hash: sent.phone_code_hash,
    phone_code: code,
  });
}
