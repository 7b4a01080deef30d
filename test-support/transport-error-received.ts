/** Raised when the server responds with a transport error packet, such as -404. */
export class TransportErrorReceived extends Error {
  override readonly name = 'TransportErrorReceived';

  constructor(
    /** The negative code, for example -404. */
    readonly code: number,
    context: string,
  ) {
    super(`the server sent transport error ${code} (${context})`);
  }
}

/** Returns the code of a transport error packet, or undefined for any other payload. */
export function transportErrorCode(payload: Buffer): number | undefined {
  if (payload.length !== 4) return undefined;
  const code = payload.readInt32LE(0);
  return code < 0 ? code : undefined;
}
