import type { KeyAuthorization } from '../rpc/context.js';
import { RpcError } from '../rpc/rpc-error.js';

/** Namespaces that a key may call before it is signed in. */
const UNAUTHORIZED_NAMESPACES = ['auth.', 'help.', 'langpack.'];

/** Methods outside those namespaces that a key may call before it is signed in. */
const UNAUTHORIZED_METHODS = new Set(['account.getPassword']);

/** Methods that a key whose sign-in waits for the 2FA password may call in addition. */
const PASSWORD_PENDING_METHODS = new Set([
  'account.getPassword',
  'auth.checkPassword',
  'auth.requestPasswordRecovery',
  'auth.checkRecoveryPassword',
  'auth.recoverPassword',
  'account.deleteAccount',
  'auth.logOut',
]);

/**
 * Returns whether a key in the given state may call a method. Names without a namespace
 * (invokeWithLayer, initConnection, ping and the other MTProto service calls) are always
 * allowed, because every API method has a namespace.
 */
export function isMethodAllowed(methodName: string, auth: KeyAuthorization): boolean {
  if (auth.state === 'authorized' || !methodName.includes('.')) return true;
  if (UNAUTHORIZED_METHODS.has(methodName)) return true;
  if (UNAUTHORIZED_NAMESPACES.some((namespace) => methodName.startsWith(namespace))) return true;
  return auth.state === 'password_pending' && PASSWORD_PENDING_METHODS.has(methodName);
}

/**
 * Throws the 401 error that Telegram returns when a key may not call a method yet:
 * AUTH_KEY_UNREGISTERED for a key that is not signed in, SESSION_PASSWORD_NEEDED for a key
 * that still has to pass the 2FA password check. The dispatcher calls this before each handler.
 */
export function assertMethodAllowed(methodName: string, auth: KeyAuthorization): void {
  if (isMethodAllowed(methodName, auth)) return;
  throw RpcError.unauthorized(
    auth.state === 'password_pending' ? 'SESSION_PASSWORD_NEEDED' : 'AUTH_KEY_UNREGISTERED',
  );
}

/** Marks the key as signed in to the user. */
export function authorizeKey(auth: KeyAuthorization, userId: bigint): void {
  auth.state = 'authorized';
  auth.userId = userId;
}

/** Marks the key as waiting for the user's 2FA password. */
export function requirePassword(auth: KeyAuthorization, userId: bigint): void {
  auth.state = 'password_pending';
  auth.userId = userId;
}

/** Marks the key as signed out. */
export function signOutKey(auth: KeyAuthorization): void {
  auth.state = 'unauthorized';
  auth.userId = undefined;
}
