/** Authorization state of one auth key, as Telegram tracks it per key. */
export type KeyAuthState = 'unauthorized' | 'password_pending' | 'authorized';

/**
 * Per-auth-key record that RPC handlers read and change. The session layer creates it when the
 * key exchange finishes and drops it with the key.
 */
export interface KeyAuthorization {
  state: KeyAuthState;
  /** The account the key is signed in to, or is waiting for a 2FA password for. */
  userId?: bigint;
}
