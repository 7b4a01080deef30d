import { DH_G, DH_PRIME } from '../crypto/telegram-prime.js';
import { RpcError } from '../rpc/rpc-error.js';
import type { TlObject } from '../tl/types.js';
import { passwordFromVerifier, type Account, type StoredPassword } from './accounts.js';
import { isValidVerifier, SRP_ALGO_NAME } from './srp.js';
import {
  bytesParam,
  intParam,
  objectParam,
  optionalBytesParam,
  optionalStringParam,
} from './tl-params.js';

/** Same simple shape check as the fixture schema: something@domain.tld without spaces. */
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Password change requested by `account.passwordInputSettings`. */
export type PasswordChange =
  /** The new_algo, new_password_hash and hint fields (flags.0) are absent. */
  | { kind: 'keep' }
  /**
   * An empty new_password_hash. GramJS and Telethon send it with the SRP algo, mtcute with
   * passwordKdfAlgoUnknown.
   */
  | { kind: 'remove' }
  | { kind: 'set'; password: StoredPassword };

/** Parsed and validated `account.passwordInputSettings`. */
export interface NewSettings {
  password: PasswordChange;
  /** The email field (flags.1): undefined when absent, '' to remove the recovery email. */
  email?: string;
}

/**
 * Parses `account.passwordInputSettings` for an account and validates a new password.
 * Throws NEW_SETTINGS_INVALID for an algo other than SRP with Telegram's p and g = 3, or for a
 * new_password_hash that is not a 256-byte value in (1, p - 1). Throws NEW_SALT_INVALID unless
 * salt2 is the account's salt2 and salt1 extends the salt1 prefix that new_algo offered.
 * Throws EMAIL_INVALID for a malformed email.
 *
 * new_secure_settings (the Telegram Passport secret) is ignored.
 */
export function parseNewSettings(account: Account, settings: TlObject): NewSettings {
  const email = optionalStringParam(settings, 'email');
  if (email !== undefined && email !== '' && !EMAIL_PATTERN.test(email)) {
    throw RpcError.badRequest('EMAIL_INVALID');
  }

  const passwordFields = ['new_algo', 'new_password_hash', 'hint'];
  if (passwordFields.every((field) => settings[field] === undefined)) {
    return { password: { kind: 'keep' }, email };
  }
  const algo = objectParam(settings, 'new_algo');
  const hash = optionalBytesParam(settings, 'new_password_hash') ?? Buffer.alloc(0);
  const hint = optionalStringParam(settings, 'hint') ?? '';
  if (hash.length === 0) return { password: { kind: 'remove' }, email };
  return { password: { kind: 'set', password: newPassword(account, algo, hash, hint) }, email };
}

function newPassword(account: Account, algo: TlObject, hash: Buffer, hint: string) {
  // passwordKdfAlgoUnknown only means "remove", which needs an empty hash.
  if (algo._ !== SRP_ALGO_NAME) throw RpcError.badRequest('NEW_SETTINGS_INVALID');
  if (intParam(algo, 'g') !== DH_G || !bytesParam(algo, 'p').equals(DH_PRIME)) {
    throw RpcError.badRequest('NEW_SETTINGS_INVALID');
  }

  const salt1 = bytesParam(algo, 'salt1');
  const salt2 = bytesParam(algo, 'salt2');
  const prefix = account.newSalt1Prefix;
  const extendsPrefix =
    salt1.length > prefix.length && salt1.subarray(0, prefix.length).equals(prefix);
  if (!extendsPrefix || !salt2.equals(account.salt2)) {
    throw RpcError.badRequest('NEW_SALT_INVALID');
  }

  if (!isValidVerifier(hash)) throw RpcError.badRequest('NEW_SETTINGS_INVALID');
  return passwordFromVerifier(Buffer.from(salt1), Buffer.from(salt2), hash, hint);
}
