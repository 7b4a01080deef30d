import { randomBytes } from 'node:crypto';
import { RpcError } from '../rpc/rpc-error.js';
import type { TlObject } from '../tl/types.js';
import { NEW_SALT1_PREFIX_BYTES, type Account } from './accounts.js';
import type { Domain } from './domain.js';
import { maskEmail } from './email-mask.js';
import { parseNewSettings } from './password-settings.js';
import { verifySrpProof } from './srp.js';
import { bytesParam, longParam } from './tl-params.js';
import { srpAlgo } from './tl-objects.js';

/**
 * The 2FA password itself: `account.getPassword`, the password check used by
 * `auth.checkPassword` and the account methods, and `account.updatePasswordSettings`.
 */
export class TwoFactorFlow {
  constructor(private readonly domain: Domain) {}

  /**
   * Builds `account.password` and, when the account has a password, issues a new srp_id.
   * A key with no user gets the result for an account without a password.
   */
  async getPassword(account: Account | undefined): Promise<TlObject> {
    const result: TlObject = {
      _: 'account.password',
      has_recovery: account?.recoveryEmail !== undefined,
      has_secure_values: false,
      has_password: account?.password !== undefined,
      new_algo: account
        ? srpAlgo(account.newSalt1Prefix, account.salt2)
        : srpAlgo(randomBytes(NEW_SALT1_PREFIX_BYTES), randomBytes(16)),
      // The Passport secret is not supported; clients only need a well-formed algo here.
      new_secure_algo: { _: 'securePasswordKdfAlgoSHA512', salt: randomBytes(8) },
      secure_random: randomBytes(256),
    };
    if (!account) return result;

    const { password, passwordVersion } = account;
    if (password) {
      const challenge = this.domain.srpChallenges.issue({
        accountId: account.id,
        passwordVersion,
        verifier: await password.verifier(),
        salt1: password.salt1,
        salt2: password.salt2,
      });
      result.current_algo = srpAlgo(password.salt1, password.salt2);
      result.srp_B = challenge.srpB;
      result.srp_id = challenge.srpId;
      if (password.hint !== '') result.hint = password.hint;
    }
    if (account.pendingEmailChange) {
      result.email_unconfirmed_pattern = maskEmail(account.pendingEmailChange.email);
    }
    if (account.passwordReset.status === 'requested') {
      result.pending_reset_date = account.passwordReset.untilDate;
    }
    return result;
  }

  /**
   * Checks an `InputCheckPasswordSRP` against the account's current password.
   * `inputCheckPasswordEmpty` passes only when the account has no password. Throws
   * SRP_ID_INVALID (unknown or expired srp_id, or one issued to another account),
   * SRP_PASSWORD_CHANGED (the password changed after the srp_id was issued) or
   * PASSWORD_HASH_INVALID.
   */
  verifyCurrentPassword(account: Account, input: TlObject): void {
    if (input._ === 'inputCheckPasswordEmpty') {
      if (account.password) throw RpcError.badRequest('PASSWORD_HASH_INVALID');
      return;
    }
    if (input._ !== 'inputCheckPasswordSRP') {
      throw new TypeError(
        `Expected inputCheckPasswordEmpty or inputCheckPasswordSRP, got ${input._}. ` +
          'The TL decoder should only produce these two constructors of InputCheckPasswordSRP.',
      );
    }

    const challenge = this.domain.srpChallenges.find(longParam(input, 'srp_id'));
    if (!challenge || challenge.accountId !== account.id) {
      throw RpcError.badRequest('SRP_ID_INVALID');
    }
    if (!account.password || challenge.passwordVersion !== account.passwordVersion) {
      throw RpcError.badRequest('SRP_PASSWORD_CHANGED');
    }
    const proof = { A: bytesParam(input, 'A'), M1: bytesParam(input, 'M1') };
    if (!verifySrpProof(challenge, proof)) throw RpcError.badRequest('PASSWORD_HASH_INVALID');
  }

  /**
   * Sets, changes or removes the password and the recovery email after checking the current
   * password. A new recovery email makes the whole change wait for its confirmation, and the
   * call then throws EMAIL_UNCONFIRMED_X. An empty email removes the recovery email.
   *
   * Throws NEW_SETTINGS_EMPTY when nothing would change, NEW_SETTINGS_INVALID for an email
   * without a password or with a password removal, and the errors of `verifyCurrentPassword`
   * and `parseNewSettings`.
   */
  updatePasswordSettings(account: Account, currentPassword: TlObject, settings: TlObject): void {
    this.verifyCurrentPassword(account, currentPassword);
    const { password, email } = parseNewSettings(account, settings);

    if (password.kind === 'remove') {
      if (!account.password) throw RpcError.badRequest('NEW_SETTINGS_EMPTY');
      if (email) throw RpcError.badRequest('NEW_SETTINGS_INVALID');
      account.removePassword();
      this.domain.emailCodes.discardAccount(account.id);
      return;
    }
    if (password.kind === 'keep') {
      if (email === undefined) throw RpcError.badRequest('NEW_SETTINGS_EMPTY');
      if (!account.password) throw RpcError.badRequest('NEW_SETTINGS_INVALID');
    }

    const newPassword = password.kind === 'set' ? password.password : undefined;
    if (email && email.toLowerCase() !== account.recoveryEmail?.toLowerCase()) {
      throw this.domain.passwordEmail.startConfirmation(account, { email, password: newPassword });
    }

    if (newPassword) {
      account.setPassword(newPassword);
      this.domain.emailCodes.consume(account.id, 'recovery');
      // A password still waiting for email confirmation would undo this change later.
      if (account.pendingEmailChange) account.pendingEmailChange.password = undefined;
    }
    if (email === '') {
      account.recoveryEmail = undefined;
      account.pendingEmailChange = undefined;
      this.domain.emailCodes.discardAccount(account.id);
    }
  }

  /**
   * Returns `account.passwordSettings` with the confirmed recovery email after checking the
   * current password (same errors as `verifyCurrentPassword`).
   */
  getPasswordSettings(account: Account, currentPassword: TlObject): TlObject {
    this.verifyCurrentPassword(account, currentPassword);
    return { _: 'account.passwordSettings', email: account.recoveryEmail };
  }
}
