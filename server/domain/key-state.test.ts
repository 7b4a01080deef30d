import { describe, expect, it } from 'vitest';
import type { KeyAuthState, KeyAuthorization } from '../rpc/context.js';
import { RpcError } from '../rpc/rpc-error.js';
import { assertMethodAllowed, authorizeKey, requirePassword, signOutKey } from './key-state.js';

function errorFor(method: string, state: KeyAuthState): string | undefined {
  const auth: KeyAuthorization = { state, userId: state === 'unauthorized' ? undefined : 7n };
  try {
    assertMethodAllowed(method, auth);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).errorCode).toBe(401);
    return (error as RpcError).errorMessage;
  }
}

const always = [
  'auth.sendCode',
  'auth.signIn',
  'auth.signUp',
  'auth.checkPassword',
  'auth.requestPasswordRecovery',
  'auth.checkRecoveryPassword',
  'auth.recoverPassword',
  'auth.logOut',
  'account.getPassword',
  'help.getConfig',
  'help.getNearestDc',
  'langpack.getLangPack',
  'invokeWithLayer',
  'initConnection',
  'ping',
];
const pendingOnly = ['account.deleteAccount'];
const authorizedOnly = [
  'users.getUsers',
  'updates.getState',
  'updates.getDifference',
  'account.updatePasswordSettings',
  'account.getPasswordSettings',
  'account.resetPassword',
  'account.declinePasswordReset',
  'account.confirmPasswordEmail',
  'messages.getDialogs',
];

describe('assertMethodAllowed', () => {
  it.each(always)('allows %s in every state', (method) => {
    expect(errorFor(method, 'unauthorized')).toBeUndefined();
    expect(errorFor(method, 'password_pending')).toBeUndefined();
    expect(errorFor(method, 'authorized')).toBeUndefined();
  });

  it.each(pendingOnly)('allows %s once a password is pending', (method) => {
    expect(errorFor(method, 'unauthorized')).toBe('AUTH_KEY_UNREGISTERED');
    expect(errorFor(method, 'password_pending')).toBeUndefined();
    expect(errorFor(method, 'authorized')).toBeUndefined();
  });

  it.each(authorizedOnly)('allows %s only when authorized', (method) => {
    expect(errorFor(method, 'unauthorized')).toBe('AUTH_KEY_UNREGISTERED');
    expect(errorFor(method, 'password_pending')).toBe('SESSION_PASSWORD_NEEDED');
    expect(errorFor(method, 'authorized')).toBeUndefined();
  });
});

describe('key state transitions', () => {
  it('moves through pending, authorized and signed out', () => {
    const auth: KeyAuthorization = { state: 'unauthorized' };
    requirePassword(auth, 5n);
    expect(auth).toEqual({ state: 'password_pending', userId: 5n });
    authorizeKey(auth, 5n);
    expect(auth).toEqual({ state: 'authorized', userId: 5n });
    signOutKey(auth);
    expect(auth.state).toBe('unauthorized');
    expect(auth.userId).toBeUndefined();
  });
});
