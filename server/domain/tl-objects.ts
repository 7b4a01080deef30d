import { DH_G, DH_PRIME } from '../crypto/telegram-prime.js';
import type { TlObject } from '../tl/types.js';
import type { Account } from './accounts.js';
import { SRP_ALGO_NAME } from './srp.js';

/**
 * Builds the `user` object for the signed-in user. The TL encoder picks the constructor of the
 * client's layer, drops fields that layer lacks and computes the flags, so one shape serves
 * every layer.
 */
export function selfUser(account: Account): TlObject {
  return {
    _: 'user',
    self: true,
    id: account.id,
    access_hash: account.accessHash,
    first_name: account.firstName,
    last_name: account.lastName,
    username: account.username,
    phone: account.phone,
  };
}

/** Builds the `auth.authorization` result of a successful sign-in. */
export function authorization(account: Account): TlObject {
  return { _: 'auth.authorization', user: selfUser(account) };
}

/** Builds the SRP `PasswordKdfAlgo` with Telegram's prime and g = 3. */
export function srpAlgo(salt1: Buffer, salt2: Buffer): TlObject {
  return { _: SRP_ALGO_NAME, salt1, salt2, g: DH_G, p: DH_PRIME };
}
