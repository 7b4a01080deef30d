import { RpcError } from '../rpc/rpc-error.js';
import type { TlObject } from '../tl/types.js';
import type { Account } from './accounts.js';
import type { Domain } from './domain.js';
import { loginCodeFor, normalizePhone } from './login-codes.js';

/** Maximum length of a first or last name at sign-up. Longer names get *NAME_INVALID. */
const MAX_NAME_LENGTH = 64;

/** Result of `auth.signIn` with a correct code. */
export type SignInResult =
  | { status: 'authorized'; account: Account }
  /** The account has 2FA: the key waits for `auth.checkPassword`. */
  | { status: 'password-needed'; account: Account }
  /** No account has this phone: the client may call `auth.signUp` with the same hash. */
  | { status: 'sign-up-required' };

/** Sign-in by phone code and sign-up (`auth.sendCode`, `auth.signIn`, `auth.signUp`). */
export class LoginFlow {
  constructor(private readonly domain: Domain) {}

  /**
   * Sends the phone's login code and returns `auth.sentCode` with a new phone_code_hash.
   * Unknown phones get a code too, for sign-up. Throws PHONE_NUMBER_INVALID.
   */
  sendCode(phoneNumber: string): TlObject {
    const phone = validPhone(phoneNumber);
    const account = this.domain.findAccountByPhone(phone);
    const sent = this.domain.loginCodes.issue(phone, loginCodeFor(phone, account?.loginCode));
    return {
      _: 'auth.sentCode',
      type: { _: 'auth.sentCodeTypeApp', length: sent.code.length },
      phone_code_hash: sent.phoneCodeHash,
    };
  }

  /**
   * Checks a login code. The phone_code_hash is used up unless sign-up is required.
   * Throws PHONE_NUMBER_INVALID, PHONE_CODE_HASH_EMPTY, PHONE_CODE_EMPTY, PHONE_CODE_EXPIRED
   * (unknown, replaced or expired hash) or PHONE_CODE_INVALID.
   */
  signIn(phoneNumber: string, phoneCodeHash: string, phoneCode: string | undefined): SignInResult {
    const phone = validPhone(phoneNumber);
    if (phoneCodeHash === '') throw RpcError.badRequest('PHONE_CODE_HASH_EMPTY');
    if (!phoneCode) throw RpcError.badRequest('PHONE_CODE_EMPTY');
    const lookup = this.domain.loginCodes.find(phone, phoneCodeHash);
    if (lookup.status === 'expired') throw RpcError.badRequest('PHONE_CODE_EXPIRED');
    if (lookup.sent.code !== phoneCode) throw RpcError.badRequest('PHONE_CODE_INVALID');

    const account = this.domain.findAccountByPhone(phone);
    if (!account) return { status: 'sign-up-required' };
    this.domain.loginCodes.consume(phone);
    return account.password
      ? { status: 'password-needed', account }
      : { status: 'authorized', account };
  }

  /**
   * Creates an account without 2FA for a phone that has no account yet, and uses up the hash.
   * Throws PHONE_NUMBER_INVALID, PHONE_CODE_HASH_EMPTY, PHONE_CODE_EXPIRED,
   * PHONE_NUMBER_OCCUPIED, FIRSTNAME_INVALID or LASTNAME_INVALID.
   */
  signUp(phoneNumber: string, phoneCodeHash: string, firstName: string, lastName: string): Account {
    const phone = validPhone(phoneNumber);
    if (phoneCodeHash === '') throw RpcError.badRequest('PHONE_CODE_HASH_EMPTY');
    // NOTE: the hash need not have passed auth.signIn first, because the code went to the
    // phone either way. Telegram may require that step.
    if (this.domain.loginCodes.find(phone, phoneCodeHash).status === 'expired') {
      throw RpcError.badRequest('PHONE_CODE_EXPIRED');
    }
    if (this.domain.findAccountByPhone(phone)) throw RpcError.badRequest('PHONE_NUMBER_OCCUPIED');
    const first = firstName.trim();
    const last = lastName.trim();
    if (first === '' || first.length > MAX_NAME_LENGTH) {
      throw RpcError.badRequest('FIRSTNAME_INVALID');
    }
    if (last.length > MAX_NAME_LENGTH) throw RpcError.badRequest('LASTNAME_INVALID');

    this.domain.loginCodes.consume(phone);
    return this.domain.createAccount({ phone, firstName: first, lastName: last });
  }
}

function validPhone(phoneNumber: string): string {
  const phone = normalizePhone(phoneNumber);
  if (phone === undefined) throw RpcError.badRequest('PHONE_NUMBER_INVALID');
  return phone;
}
