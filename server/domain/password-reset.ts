import { unixSeconds } from '../clock.js';
import { RpcError } from '../rpc/rpc-error.js';
import type { TlObject } from '../tl/types.js';
import type { Account } from './accounts.js';
import type { Domain } from './domain.js';

/**
 * Wait between a reset request and the reset.
 * NOTE: Telegram's API docs do not state its length; the mock uses 7 days.
 */
export const PASSWORD_RESET_WAIT_SECONDS = 7 * 24 * 60 * 60;

/**
 * Wait after `account.declinePasswordReset` before a new request is accepted.
 * NOTE: Telegram's API docs do not state its length either; 7 days is a guess.
 */
export const PASSWORD_RESET_RETRY_SECONDS = 7 * 24 * 60 * 60;

/** Password reset without a recovery email (`account.resetPassword`, `declinePasswordReset`). */
export class PasswordResetFlow {
  constructor(private readonly domain: Domain) {}

  /**
   * Requests a reset, or completes it once the wait is over. Returns
   * `account.resetPasswordRequestedWait` for a new or waiting request, `resetPasswordOk` after
   * the wait (the password is then removed), or `resetPasswordFailedWait` shortly after a
   * declined request. Throws PASSWORD_EMPTY when the account has no password.
   *
   * The reset completes only through this call; the mock never removes the password on its own.
   */
  resetPassword(account: Account): TlObject {
    if (!account.password) throw RpcError.badRequest('PASSWORD_EMPTY');
    const now = unixSeconds(this.domain.clock);
    const state = account.passwordReset;

    if (state.status === 'requested') {
      if (now < state.untilDate) {
        return { _: 'account.resetPasswordRequestedWait', until_date: state.untilDate };
      }
      account.removePassword();
      this.domain.emailCodes.discardAccount(account.id);
      return { _: 'account.resetPasswordOk' };
    }
    if (state.status === 'declined' && now < state.retryDate) {
      return { _: 'account.resetPasswordFailedWait', retry_date: state.retryDate };
    }

    const untilDate = now + PASSWORD_RESET_WAIT_SECONDS;
    account.passwordReset = { status: 'requested', untilDate };
    return { _: 'account.resetPasswordRequestedWait', until_date: untilDate };
  }

  /** Cancels a requested reset. Throws RESET_REQUEST_MISSING when none is pending. */
  declinePasswordReset(account: Account): void {
    if (account.passwordReset.status !== 'requested') {
      throw RpcError.badRequest('RESET_REQUEST_MISSING');
    }
    const retryDate = unixSeconds(this.domain.clock) + PASSWORD_RESET_RETRY_SECONDS;
    account.passwordReset = { status: 'declined', retryDate };
  }
}
