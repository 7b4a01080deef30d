/**
 * Raised for any key-exchange request that fails a check or arrives out of order. The caller
 * then sends transport error -404 and drops the exchange. Messages name the failed check and
 * never contain nonces or key material.
 */
export class KeyExchangeError extends Error {
  override readonly name = 'KeyExchangeError';
}
