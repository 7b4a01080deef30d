import type { TlObject } from '../../tl/types.js';
import type { KeyAuthorization, RpcHandler } from '../context.js';
import { RpcError } from '../rpc-error.js';

/** Looks up the `user` object (with `self: true`) of the account an auth key is signed in to. */
export type SelfUserLookup = (auth: KeyAuthorization) => TlObject | undefined;

/**
 * users.getUsers returns a user only for inputUserSelf, which is what clients send to check their
 * login. Other users are unknown to the mock, so they come back as userEmpty.
 */
export function createUsersHandlers(selfUser: SelfUserLookup): Record<string, RpcHandler> {
  return {
    'users.getUsers': (params, ctx) => {
      const ids = params.id as TlObject[];
      return ids.map((input) => {
        if (input._ !== 'inputUserSelf') return { _: 'userEmpty', id: input.user_id ?? 0n };
        const user = selfUser(ctx.auth);
        if (!user) throw RpcError.unauthorized('AUTH_KEY_UNREGISTERED');
        return user;
      });
    },
  };
}
