import type { Domain } from '../../domain/domain.js';
import { authorizeKey, requirePassword, signOutKey } from '../../domain/key-state.js';
import { authorization } from '../../domain/tl-objects.js';
import {
  objectParam,
  optionalObjectParam,
  optionalStringParam,
  stringParam,
} from '../../domain/tl-params.js';
import type { RpcHandler } from '../context.js';
import { RpcError } from '../rpc-error.js';

/**
 * Creates the `auth.*` handlers for login, 2FA password check and password recovery, keyed by
 * TL method name. They change the key's state in `ctx.auth`; the dispatcher has already
 * checked that the state allows the method (`assertMethodAllowed`).
 */
export function createAuthHandlers(domain: Domain): Record<string, RpcHandler> {
  return {
    'auth.sendCode': (params) => domain.login.sendCode(stringParam(params, 'phone_number')),

    'auth.signIn': (params, ctx) => {
      const result = domain.login.signIn(
        stringParam(params, 'phone_number'),
        stringParam(params, 'phone_code_hash'),
        optionalStringParam(params, 'phone_code'),
      );
      if (result.status === 'sign-up-required') {
        return { _: 'auth.authorizationSignUpRequired' };
      }
      const userId = result.account.id.toString();
      if (result.status === 'password-needed') {
        requirePassword(ctx.auth, result.account.id);
        ctx.log.info({ userId }, 'sign-in waits for the 2FA password');
        throw RpcError.unauthorized('SESSION_PASSWORD_NEEDED');
      }
      authorizeKey(ctx.auth, result.account.id);
      ctx.log.info({ userId }, 'signed in with a login code');
      return authorization(result.account);
    },

    'auth.signUp': (params, ctx) => {
      const account = domain.login.signUp(
        stringParam(params, 'phone_number'),
        stringParam(params, 'phone_code_hash'),
        stringParam(params, 'first_name'),
        stringParam(params, 'last_name'),
      );
      authorizeKey(ctx.auth, account.id);
      ctx.log.info({ userId: account.id.toString() }, 'signed up a new account');
      return authorization(account);
    },

    'auth.logOut': (_params, ctx) => {
      if (ctx.auth.userId !== undefined) {
        ctx.log.info({ userId: ctx.auth.userId.toString() }, 'signed out');
      }
      signOutKey(ctx.auth);
      return { _: 'auth.loggedOut' };
    },

    'auth.checkPassword': (params, ctx) => {
      const account = domain.accountForKey(ctx.auth);
      domain.twoFactor.verifyCurrentPassword(account, objectParam(params, 'password'));
      authorizeKey(ctx.auth, account.id);
      ctx.log.info({ userId: account.id.toString() }, 'signed in with the 2FA password');
      return authorization(account);
    },

    'auth.requestPasswordRecovery': (_params, ctx) =>
      domain.recovery.requestPasswordRecovery(domain.accountForKey(ctx.auth)),

    'auth.checkRecoveryPassword': (params, ctx) => {
      const account = domain.accountForKey(ctx.auth);
      domain.recovery.checkRecoveryPassword(account, stringParam(params, 'code'));
      return true;
    },

    'auth.recoverPassword': (params, ctx) => {
      const account = domain.accountForKey(ctx.auth);
      const emailUnconfirmed = domain.recovery.recoverPassword(
        account,
        stringParam(params, 'code'),
        optionalObjectParam(params, 'new_settings'),
      );
      authorizeKey(ctx.auth, account.id);
      ctx.log.info({ userId: account.id.toString() }, 'signed in by 2FA password recovery');
      if (emailUnconfirmed) throw emailUnconfirmed;
      return authorization(account);
    },
  };
}
