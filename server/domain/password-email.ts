import { RpcError } from '../rpc/rpc-error.js';
import type { Account, PendingEmailChange } from './accounts.js';
import type { Domain } from './domain.js';

/**
 * Confirmation of a new 2FA recovery email (`account.confirmPasswordEmail`,
 * `resendPasswordEmail`, `cancelPasswordEmail`).
 *
 * As tdlib documents for setPassword, a change that comes with a new recovery email is not
 * applied until the email is confirmed: until then the old password and email stay, and
 * `account.password` shows email_unconfirmed_pattern.
 */
export class PasswordEmailFlow {
  constructor(private readonly domain: Domain) {}

  /**
   * Stores a change as pending, replacing any earlier one, and mails a confirmation code to
   * the new address. Returns the 400 EMAIL_UNCONFIRMED_X error (X = code length) for the
   * caller to throw.
   */
  startConfirmation(account: Account, change: PendingEmailChange): RpcError {
    account.pendingEmailChange = change;
    const code = this.sendCode(account, change.email);
    return RpcError.badRequest(`EMAIL_UNCONFIRMED_${code.length}`);
  }

  /**
   * Applies the pending change once the code matches. Throws EMAIL_HASH_EXPIRED when nothing
   * is pending or the code expired, CODE_INVALID for an empty or wrong code, or FLOOD_WAIT_X.
   */
  confirm(account: Account, code: string): void {
    const change = requirePending(account);
    const check = this.domain.emailCodes.check(account.id, 'email-confirmation', code);
    switch (check.status) {
      case 'valid':
        break;
      case 'expired':
        throw RpcError.badRequest('EMAIL_HASH_EXPIRED');
      case 'flood-wait':
        throw RpcError.floodWait(check.seconds);
      case 'empty':
      case 'wrong':
        throw RpcError.badRequest('CODE_INVALID');
    }

    this.domain.emailCodes.consume(account.id, 'email-confirmation');
    if (change.password) {
      account.setPassword(change.password);
      this.domain.emailCodes.consume(account.id, 'recovery');
    }
    account.recoveryEmail = change.email;
    account.pendingEmailChange = undefined;
  }

  /** Mails a new code for the pending change. Throws EMAIL_HASH_EXPIRED when none is pending. */
  resend(account: Account): void {
    const change = requirePending(account);
    this.sendCode(account, change.email);
  }

  /** Drops the pending change. Throws EMAIL_HASH_EXPIRED when none is pending. */
  cancel(account: Account): void {
    requirePending(account);
    account.pendingEmailChange = undefined;
    this.domain.emailCodes.consume(account.id, 'email-confirmation');
  }

  private sendCode(account: Account, address: string): string {
    const code = this.domain.emailCodes.issue(account.id, 'email-confirmation');
    this.domain.mailbox.send(address, 'email-confirmation', code);
    return code;
  }
}

function requirePending(account: Account): PendingEmailChange {
  if (!account.pendingEmailChange) throw RpcError.badRequest('EMAIL_HASH_EXPIRED');
  return account.pendingEmailChange;
}
