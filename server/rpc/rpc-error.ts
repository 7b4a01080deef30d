/**
 * An error returned to the client as `rpc_error`, with Telegram's own code and name, for example
 * `new RpcError(401, 'SESSION_PASSWORD_NEEDED')` or `RpcError.floodWait(3)`.
 */
export class RpcError extends Error {
  override readonly name = 'RpcError';

  constructor(
    readonly errorCode: number,
    readonly errorMessage: string,
  ) {
    super(`${errorCode} ${errorMessage}`);
  }

  static badRequest(errorMessage: string): RpcError {
    return new RpcError(400, errorMessage);
  }

  static unauthorized(errorMessage: string): RpcError {
    return new RpcError(401, errorMessage);
  }

  static floodWait(seconds: number): RpcError {
    return new RpcError(420, `FLOOD_WAIT_${Math.max(0, Math.ceil(seconds))}`);
  }

  static internal(errorMessage = 'INTERNAL'): RpcError {
    return new RpcError(500, errorMessage);
  }
}
