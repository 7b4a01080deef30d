import { randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { returnBigInt } from 'telegram/Helpers.js';
import { computeCheck, computeDigest } from 'telegram/Password.js';
import type { TlObject } from '../tl/types.js';

/**
 * Test glue between the mock's decoded TL objects and GramJS 2.26.22's own SRP code
 * (telegram/Password), so that handler tests prove passwords with a real client.
 * The `.test.helper.ts` name keeps it out of the test run and out of the npm package.
 */

function toGramAlgo(algo: TlObject) {
  return new Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow({
    salt1: algo.salt1 as Buffer,
    salt2: algo.salt2 as Buffer,
    g: algo.g as number,
    p: algo.p as Buffer,
  });
}

/** Proves `plaintext` against an `account.password` result, as GramJS signInWithPassword does. */
export async function gramjsCheck(password: TlObject, plaintext: string): Promise<TlObject> {
  const request = new Api.account.Password({
    hasPassword: true,
    currentAlgo: toGramAlgo(password.current_algo as TlObject),
    srp_B: password.srp_B as Buffer,
    srpId: returnBigInt(password.srp_id as bigint),
    newAlgo: toGramAlgo(password.new_algo as TlObject),
    newSecureAlgo: new Api.SecurePasswordKdfAlgoSHA512({ salt: randomBytes(8) }),
    secureRandom: password.secure_random as Buffer,
  });
  const check = await computeCheck(request, plaintext);
  return {
    _: 'inputCheckPasswordSRP',
    srp_id: BigInt(check.srpId.toString()),
    A: Buffer.from(check.A),
    M1: Buffer.from(check.M1),
  };
}

/**
 * Builds `account.passwordInputSettings` for a new password the way GramJS updateTwoFaSettings
 * does: new_algo.salt1 gets 32 random bytes appended and GramJS computeDigest makes the hash.
 */
export async function gramjsNewSettings(
  password: TlObject,
  plaintext: string,
  extra: { hint?: string; email?: string } = {},
): Promise<TlObject> {
  const offered = password.new_algo as TlObject;
  const newAlgo = {
    ...offered,
    salt1: Buffer.concat([offered.salt1 as Buffer, randomBytes(32)]),
  };
  const hash = await computeDigest(toGramAlgo(newAlgo), plaintext);
  return {
    _: 'account.passwordInputSettings',
    new_algo: newAlgo,
    new_password_hash: Buffer.from(hash),
    hint: extra.hint ?? '',
    email: extra.email,
  };
}
