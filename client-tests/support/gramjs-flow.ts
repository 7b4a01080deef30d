/**
 * Steps that the GramJS 2FA suites share: connecting to the mock, login by phone code, the SRP
 * password check and new password settings, all with GramJS 2.26.22's own `Api` classes and
 * `password` helpers.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Api, errors, password, type TelegramClient } from 'telegram';
import { createGramJsClient } from '../../server/adapters/gramjs.js';
import type { Clock } from '../../server/clock.js';
import type { MockServer } from '../../server/mock-server.js';
import { loginCodeOf, targetOf, type FixtureAccount } from './fixture-accounts.js';

/** The SRP algo of `account.password`, the only password KDF that the mock offers. */
export type SrpAlgo = Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow;

/** Email code settings of fixtures/default.json. */
export interface EmailCodeSettings {
  length: number;
  lifetimeSeconds: number;
  maxAttempts: number;
  floodWaitSeconds: number;
}

/** The `emailCode` block of fixtures/default.json, which the default mock loads. */
export const emailCodeSettings = (
  JSON.parse(readFileSync(new URL('../../fixtures/default.json', import.meta.url), 'utf8')) as {
    emailCode: EmailCodeSettings;
  }
).emailCode;

/** Creates a GramJS client aimed at the server and connects it. Destroys it if connect fails. */
export async function connectClient(server: MockServer): Promise<TelegramClient> {
  const client = createGramJsClient(targetOf(server));
  try {
    await client.connect();
  } catch (error) {
    await client.destroy();
    throw error;
  }
  return client;
}

/**
 * Runs `steps` with a connected GramJS client on a new auth key and destroys the client
 * afterwards, also when a step throws, so that GramJS's update loop does not keep vitest alive.
 */
export async function withClient<T>(
  server: MockServer,
  steps: (client: TelegramClient) => Promise<T>,
): Promise<T> {
  const client = await connectClient(server);
  try {
    return await steps(client);
  } finally {
    await client.destroy();
  }
}

/** Sends auth.sendCode, then auth.signIn with the account's login code, and returns the result. */
export async function signInWithCode(
  client: TelegramClient,
  account: Pick<FixtureAccount, 'phone' | 'loginCode'>,
): Promise<Api.auth.TypeAuthorization> {
  const sent = await client.invoke(
    new Api.auth.SendCode({
      phoneNumber: account.phone,
      apiId: 1,
      apiHash: 'mtmock',
      settings: new Api.CodeSettings({}),
    }),
  );
  if (!(sent instanceof Api.auth.SentCode)) {
    throw new Error(`auth.sendCode returned ${sent.className}, expected auth.SentCode`);
  }
  return client.invoke(
    new Api.auth.SignIn({
      phoneNumber: account.phone,
      phoneCodeHash: sent.phoneCodeHash,
      phoneCode: loginCodeOf(account as FixtureAccount),
    }),
  );
}

/**
 * Signs in an account that has 2FA up to the password step. Fails the test unless auth.signIn
 * raises 401 SESSION_PASSWORD_NEEDED.
 */
export async function signInUntilPassword(
  client: TelegramClient,
  account: Pick<FixtureAccount, 'phone' | 'loginCode'>,
): Promise<void> {
  const error = await rpcErrorOf(signInWithCode(client, account));
  expect(error).toMatchObject({ code: 401, errorMessage: 'SESSION_PASSWORD_NEEDED' });
}

/** Fetches account.getPassword and builds GramJS's SRP proof for `plainPassword` from it. */
export async function passwordCheck(
  client: TelegramClient,
  plainPassword: string,
): Promise<Api.InputCheckPasswordSRP> {
  const accountPassword = await client.invoke(new Api.account.GetPassword());
  return password.computeCheck(accountPassword, plainPassword);
}

/** Sends auth.checkPassword with a fresh SRP proof for `plainPassword`. */
export async function checkPassword(
  client: TelegramClient,
  plainPassword: string,
): Promise<Api.auth.TypeAuthorization> {
  const proof = await passwordCheck(client, plainPassword);
  return client.invoke(new Api.auth.CheckPassword({ password: proof }));
}

/** Signs in an account that has 2FA: login code, then auth.checkPassword with `plainPassword`. */
export async function signInWithPassword(
  client: TelegramClient,
  account: Pick<FixtureAccount, 'phone' | 'loginCode'>,
  plainPassword: string,
): Promise<Api.auth.TypeAuthorization> {
  await signInUntilPassword(client, account);
  return checkPassword(client, plainPassword);
}

/**
 * Fetches account.getPassword and returns its new_algo with 32 random bytes appended to salt1,
 * which is how GramJS's updateTwoFaSettings builds the algo of a new password.
 */
export async function newSrpAlgo(client: TelegramClient): Promise<SrpAlgo> {
  const accountPassword = await client.invoke(new Api.account.GetPassword());
  const algo = accountPassword.newAlgo;
  if (!(algo instanceof Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow)) {
    throw new Error(`account.password.new_algo is ${algo.className}, expected the SRP algo`);
  }
  algo.salt1 = Buffer.concat([algo.salt1, randomBytes(32)]);
  return algo;
}

/** Builds `account.passwordInputSettings` for a new password, with the hash from computeDigest. */
export async function newPasswordSettings(
  client: TelegramClient,
  plainPassword: string,
  hint: string,
): Promise<Api.account.PasswordInputSettings> {
  const newAlgo = await newSrpAlgo(client);
  return new Api.account.PasswordInputSettings({
    newAlgo,
    newPasswordHash: await password.computeDigest(newAlgo, plainPassword),
    hint,
  });
}

/** Returns the user id of an `auth.authorization` as a decimal string. Throws for other results. */
export function authorizedUserId(result: Api.auth.TypeAuthorization): string {
  if (!(result instanceof Api.auth.Authorization)) {
    throw new Error(`expected auth.Authorization, got ${result.className}`);
  }
  return result.user.id.toString();
}

/**
 * Resolves to the error that `call` rejects with. Fails the test when the call resolves, or
 * rejects with something other than GramJS's RPCError (a network or client-side error).
 */
export async function rpcErrorOf(call: Promise<unknown>): Promise<errors.RPCError> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    if (error instanceof errors.RPCError) return error;
    throw error;
  }
  throw new Error(`expected an RPC error, but the call returned ${classNameOf(outcome)}`);
}

function classNameOf(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'className' in value) {
    return String(value.className);
  }
  return JSON.stringify(value);
}

/**
 * A clock that follows the system time plus an offset that only grows. The 7-day password reset
 * wait passes with `advanceSeconds` instead of in real time.
 */
export class MovableClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock forward by whole seconds, the unit of TL dates. */
  advanceSeconds(seconds: number): void {
    if (seconds < 0) throw new RangeError(`a MovableClock only moves forward, got ${seconds} s`);
    this.offsetMs += seconds * 1000;
  }

  /** Returns the clock's time in whole Unix seconds. */
  unixSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
