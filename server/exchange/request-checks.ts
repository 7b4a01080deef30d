import { bytesToBigint } from '../crypto/mod-pow.js';
import type { TlObject } from '../tl/types.js';
import { KeyExchangeError } from './key-exchange-error.js';
import type { PqChallenge } from './pq.js';
import { bufferField, intField } from './request-fields.js';

/** Checks of key-exchange requests and of p_q_inner_data against what the server sent. */

export const NONCE_SIZE = 16;
const NEW_NONCE_SIZE = 32;

const INNER_DATA_TYPES = new Set([
  'p_q_inner_data',
  'p_q_inner_data_dc',
  'p_q_inner_data_temp',
  'p_q_inner_data_temp_dc',
]);

/** The nonces of one exchange: the client's nonce and the server_nonce of resPQ. */
export interface ExchangeNonces {
  nonce: Buffer;
  serverNonce: Buffer;
}

/** Fields of p_q_inner_data* that the rest of the exchange needs. */
export interface InnerDataFields {
  newNonce: Buffer;
  /** Lifetime in seconds, present for p_q_inner_data_temp and _temp_dc. */
  expiresIn?: number;
  /** The `dc` field, present for p_q_inner_data_dc and _temp_dc. */
  dcId?: number;
}

/** Checks the nonce and server_nonce fields of a request or inner object. */
export function checkNonces(object: TlObject, expected: ExchangeNonces): void {
  if (!bufferField(object, 'nonce', NONCE_SIZE).equals(expected.nonce)) {
    throw new KeyExchangeError(`${object._}.nonce differs from the nonce of req_pq_multi`);
  }
  if (!bufferField(object, 'server_nonce', NONCE_SIZE).equals(expected.serverNonce)) {
    throw new KeyExchangeError(`${object._}.server_nonce differs from the one resPQ sent`);
  }
}

/** Checks that p and q are the factors of pq, p < q, as minimal big-endian bytes. */
export function checkFactors(object: TlObject, challenge: PqChallenge): void {
  const p = bufferField(object, 'p');
  const q = bufferField(object, 'q');
  if (p.equals(challenge.p) && q.equals(challenge.q)) return;

  const pValue = bytesToBigint(p);
  const qValue = bytesToBigint(q);
  let reason = 'they are not the prime factors of pq';
  if (pValue === bytesToBigint(challenge.q) && qValue === bytesToBigint(challenge.p)) {
    reason = 'p must be the smaller factor';
  } else if (pValue === bytesToBigint(challenge.p) && qValue === bytesToBigint(challenge.q)) {
    reason = 'they must be big-endian without leading zero bytes';
  }
  throw new KeyExchangeError(
    `${object._}: p (${p.toString('hex')}) and q (${q.toString('hex')}) do not match pq ` +
      `${challenge.pq.toString('hex')}: ${reason}`,
  );
}

/** Checks the decrypted p_q_inner_data* against the plain request and returns its fields. */
export function checkInnerData(
  inner: TlObject,
  expected: ExchangeNonces & { challenge: PqChallenge },
): InnerDataFields {
  if (!INNER_DATA_TYPES.has(inner._)) {
    throw new KeyExchangeError(
      `req_DH_params: encrypted_data contains ${inner._}; expected p_q_inner_data, ` +
        'p_q_inner_data_dc, p_q_inner_data_temp or p_q_inner_data_temp_dc',
    );
  }
  if (!bufferField(inner, 'pq').equals(expected.challenge.pq)) {
    throw new KeyExchangeError(`${inner._}.pq differs from the pq resPQ sent`);
  }
  checkFactors(inner, expected.challenge);
  checkNonces(inner, expected);
  const newNonce = bufferField(inner, 'new_nonce', NEW_NONCE_SIZE);

  const isTemp = inner._ === 'p_q_inner_data_temp' || inner._ === 'p_q_inner_data_temp_dc';
  const hasDc = inner._ === 'p_q_inner_data_dc' || inner._ === 'p_q_inner_data_temp_dc';
  const expiresIn = isTemp ? intField(inner, 'expires_in') : undefined;
  if (expiresIn !== undefined && expiresIn <= 0) {
    throw new KeyExchangeError(
      `${inner._}.expires_in is ${expiresIn}; a temporary key needs a positive lifetime in seconds`,
    );
  }
  // NOTE: dc is passed on to the caller unchecked; rejecting a wrong DC (-444) is its decision.
  const dcId = hasDc ? intField(inner, 'dc') : undefined;
  return { newNonce, expiresIn, dcId };
}
