/**
 * Error codes of the TL codec. The `INPUT_*` codes are the names Telegram sends in `rpc_error`
 * for such requests, so the RPC layer can pass them on.
 * - `INPUT_CONSTRUCTOR_INVALID`: an unknown id, or a constructor of the wrong type, where a value
 *   of a known type was expected.
 * - `INPUT_METHOD_INVALID`: an unknown id where a method call may appear (a top-level object,
 *   `!X`, `Object`).
 * - `INPUT_FETCH_ERROR`: a negative or oversized vector count, nesting deeper than the limit, or
 *   trailing bytes. Running out of data raises `TlReadError` from the reader instead.
 * - `ENCODE_NAME_INVALID`: no constructor or method with the value's `_` name in the layer.
 * - `ENCODE_VALUE_INVALID`: a value of the wrong JS type, or a missing required object field.
 * - `SCHEMA_TYPE_INVALID`: a schema type the codec cannot resolve, which is a schema bug.
 */
export type TlCodecErrorCode =
  | 'INPUT_CONSTRUCTOR_INVALID'
  | 'INPUT_METHOD_INVALID'
  | 'INPUT_FETCH_ERROR'
  | 'ENCODE_NAME_INVALID'
  | 'ENCODE_VALUE_INVALID'
  | 'SCHEMA_TYPE_INVALID';

/** Error raised by the TL decoder and encoder, with a code for the RPC layer. */
export class TlCodecError extends Error {
  override readonly name = 'TlCodecError';

  constructor(
    readonly code: TlCodecErrorCode,
    message: string,
    /** The constructor or method id involved, when there is one. */
    readonly constructorId?: number,
  ) {
    super(message);
  }
}

/** Formats a constructor id as Telegram writes it: 8 lower-case hex digits. */
export function formatTlId(id: number): string {
  return (id >>> 0).toString(16).padStart(8, '0');
}
