import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { TlObject } from '../tl/types.js';

import type { KeyAuthorization } from '../session/key-authorization.js';

export type { KeyAuthState, KeyAuthorization } from '../session/key-authorization.js';

/** Address that `help.getConfig` advertises in `dc_options`: the mock's own host and port. */
export interface ServedDc {
  dcId: number;
  host: string;
  port: number;
}

/** Context an RPC handler gets besides the request's parameters. */
export interface RpcContext {
  readonly authKeyId: bigint;
  readonly sessionId: bigint;
  /** The API layer that the client declared for this auth key with invokeWithLayer. */
  readonly layer: number;
  readonly auth: KeyAuthorization;
  readonly dc: ServedDc;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * A method implementation. It returns the result value in the shape the TL encoder takes for the
 * method's return type (a TlObject, a boolean for Bool, an array for Vector), or throws RpcError.
 */
export type RpcHandler<Ctx extends RpcContext = RpcContext> = (
  params: TlObject,
  ctx: Ctx,
) => unknown | Promise<unknown>;
