import { RpcError } from '../rpc/rpc-error.js';
import type { TlObject } from '../tl/types.js';
import type { Account } from './accounts.js';
import type { Domain } from './domain.js';
import { maskEmail } from './email-mask.js';
import { parseNewSettings } from './password-settings.js';

/**
 * 2FA password recovery through the confirmed recovery email (`auth.requestPasswordRecovery`,
 * `auth.checkRecoveryPassword`, `auth.recoverPassword`). The code goes to the mailbox.
 */
export class RecoveryFlow {
  constructor(private readonly domain: Domain) {}

  /**
   * Mails a recovery code (the account's seeded code, or random digits) and returns
   * `auth.passwordRecovery` with the masked address. A new request replaces the earlier code.
   * Throws PASSWORD_EMPTY without a password, PASSWORD_RECOVERY_NA without a confirmed email.
   */
  requestPasswordRecovery(account: Account): TlObject {
    const address = requireRecoveryEmail(account);
    const code = this.domain.emailCodes.issue(account.id, 'recovery', account.seededRecoveryCode);
    this.domain.mailbox.send(address, 'recovery', code);
    return { _: 'auth.passwordRecovery', email_pattern: maskEmail(address) };
  }

  /**
   * Checks a recovery code without using it up. Throws CODE_EMPTY, CODE_INVALID,
   * PASSWORD_RECOVERY_EXPIRED (never requested, expired or already used) or FLOOD_WAIT_X.
   */
  checkRecoveryPassword(account: Account, code: string): void {
    this.checkCode(account, code);
  }

  /**
   * Uses up a recovery code and sets the password from `newSettings`, or removes it when they
   * are absent. The caller signs the key in. A used code gets PASSWORD_RECOVERY_EXPIRED.
   *
   * An email in `newSettings` that differs from the recovery email waits for confirmation as
   * in `account.updatePasswordSettings`. The new password still applies at once, and the
   * method returns the EMAIL_UNCONFIRMED_X error for the caller to throw once it has signed the
   * key in, so the client can confirm the email with account.confirmPasswordEmail.
   * NOTE: Telegram's docs do not say how recovery with an email responds; this follows
   * updatePasswordSettings.
   *
   * Throws CODE_EMPTY, PASSWORD_EMPTY, PASSWORD_RECOVERY_NA, the code errors of
   * `checkRecoveryPassword`, and NEW_SETTINGS_INVALID, NEW_SALT_INVALID or EMAIL_INVALID for
   * bad settings. NEW_SETTINGS_INVALID also covers settings without a new password.
   */
  recoverPassword(
    account: Account,
    code: string,
    newSettings: TlObject | undefined,
  ): RpcError | undefined {
    if (code === '') throw RpcError.badRequest('CODE_EMPTY');
    requireRecoveryEmail(account);
    this.checkCode(account, code);
    const settings = newSettings ? parseNewSettings(account, newSettings) : undefined;
    if (settings?.password.kind === 'keep') throw RpcError.badRequest('NEW_SETTINGS_INVALID');

    this.domain.emailCodes.consume(account.id, 'recovery');
    if (!settings || settings.password.kind === 'remove') {
      account.removePassword();
      this.domain.emailCodes.discardAccount(account.id);
      return undefined;
    }

    account.setPassword(settings.password.password);
    if (account.pendingEmailChange) account.pendingEmailChange.password = undefined;
    const { email } = settings;
    if (email === '') {
      account.recoveryEmail = undefined;
      account.pendingEmailChange = undefined;
    } else if (email && email.toLowerCase() !== account.recoveryEmail?.toLowerCase()) {
      return this.domain.passwordEmail.startConfirmation(account, { email });
    }
    return undefined;
  }

  private checkCode(account: Account, code: string): void {
    const check = this.domain.emailCodes.check(account.id, 'recovery', code);
    switch (check.status) {
      case 'valid':
        return;
      case 'empty':
        throw RpcError.badRequest('CODE_EMPTY');
      case 'expired':
        throw RpcError.badRequest('PASSWORD_RECOVERY_EXPIRED');
      case 'wrong':
        throw RpcError.badRequest('CODE_INVALID');
      case 'flood-wait':
        throw RpcError.floodWait(check.seconds);
    }
  }
}

function requireRecoveryEmail(account: Account): string {
  if (!account.password) throw RpcError.badRequest('PASSWORD_EMPTY');
  if (!account.recoveryEmail) throw RpcError.badRequest('PASSWORD_RECOVERY_NA');
  return account.recoveryEmail;
}
