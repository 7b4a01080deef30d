import { readFileSync } from 'node:fs';
import type { MockServer } from '../../server/mock-server.js';
import type { MockTarget } from '../../server/adapters/gramjs.js';

/** One account of fixtures/default.json, as the client suites use it. */
export interface FixtureAccount {
  id: number;
  phone: string;
  firstName: string;
  password?: string;
  recoveryEmail?: { address: string; confirmed: boolean };
  loginCode?: string;
}

const fixtures = JSON.parse(
  readFileSync(new URL('../../fixtures/default.json', import.meta.url), 'utf8'),
) as { accounts: FixtureAccount[] };

/** Returns the fixture account with this username; throws when fixtures/default.json lacks it. */
export function fixtureAccount(username: string): FixtureAccount {
  const account = fixtures.accounts.find(
    (candidate) => (candidate as { username?: string }).username === username,
  );
  if (!account) throw new Error(`fixtures/default.json has no account with username ${username}`);
  return account;
}

/** Returns an account's login code: its loginCode, or else the phone's last 5 digits. */
export function loginCodeOf(account: FixtureAccount): string {
  return account.loginCode ?? account.phone.slice(-5);
}

/** Alice: 2FA password and a confirmed recovery email. */
export const alice = fixtureAccount('alice_recovery');
/** Bob: 2FA password without a recovery email. */
export const bob = fixtureAccount('bob_no_email');
/** Dave: no 2FA password. */
export const dave = fixtureAccount('dave_no_password');

/** Returns where a started mock listens and its key, as the adapters take it. */
export function targetOf(server: MockServer): MockTarget {
  return { host: server.host, port: server.port, publicKeyPem: server.serverKey.publicKeyPem };
}
