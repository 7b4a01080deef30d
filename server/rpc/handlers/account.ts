import type { Domain } from '../../domain/domain.js';
import { objectParam, stringParam } from '../../domain/tl-params.js';
import type { RpcHandler } from '../context.js';

/**
 * Creates the `account.*` handlers for the 2FA password lifecycle, keyed by TL method name:
 * reading, setting, changing and removing the password, confirming its recovery email, and
 * resetting it without email.
 */
export function createAccountHandlers(domain: Domain): Record<string, RpcHandler> {
  return {
    'account.getPassword': (_params, ctx) => {
      // A key with no user may call it and gets the result for an account without a password.
      const account =
        ctx.auth.userId === undefined ? undefined : domain.findAccount(ctx.auth.userId);
      return domain.twoFactor.getPassword(account);
    },

    'account.getPasswordSettings': (params, ctx) =>
      domain.twoFactor.getPasswordSettings(
        domain.accountForKey(ctx.auth),
        objectParam(params, 'password'),
      ),

    'account.updatePasswordSettings': (params, ctx) => {
      const account = domain.accountForKey(ctx.auth);
      domain.twoFactor.updatePasswordSettings(
        account,
        objectParam(params, 'password'),
        objectParam(params, 'new_settings'),
      );
      ctx.log.info({ userId: account.id.toString() }, 'updated the 2FA password settings');
      return true;
    },

    'account.confirmPasswordEmail': (params, ctx) => {
      const account = domain.accountForKey(ctx.auth);
      domain.passwordEmail.confirm(account, stringParam(params, 'code'));
      ctx.log.info({ userId: account.id.toString() }, 'confirmed the 2FA recovery email');
      return true;
    },

    'account.resendPasswordEmail': (_params, ctx) => {
      domain.passwordEmail.resend(domain.accountForKey(ctx.auth));
      return true;
    },

    'account.cancelPasswordEmail': (_params, ctx) => {
      domain.passwordEmail.cancel(domain.accountForKey(ctx.auth));
      return true;
    },

    'account.resetPassword': (_params, ctx) => {
      const account = domain.accountForKey(ctx.auth);
      const result = domain.passwordReset.resetPassword(account);
      ctx.log.info({ userId: account.id.toString(), result: result._ }, 'password reset request');
      return result;
    },

    'account.declinePasswordReset': (_params, ctx) => {
      domain.passwordReset.declinePasswordReset(domain.accountForKey(ctx.auth));
      return true;
    },
  };
}
