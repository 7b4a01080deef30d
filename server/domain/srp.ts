import { createHash, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { bigintToBytes, bytesToBigint, modPowPrime, powGenerator } from '../crypto/mod-pow.js';
import { DH_G, DH_PRIME, DH_PRIME_BIGINT, DH_PRIME_BYTES } from '../crypto/telegram-prime.js';

/**
 * Telegram's 2FA password check, an SRP-6a variant (core.telegram.org/api/srp). All numbers are
 * modulo Telegram's 2048-bit prime p with g = 3, and pad(x) is x as 256 big-endian bytes.
 */

/** TL name of the only password algorithm Telegram uses. */
export const SRP_ALGO_NAME = 'passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow';

const PBKDF2_ITERATIONS = 100_000;
const pbkdf2Async = promisify(pbkdf2);

const P = DH_PRIME_BIGINT;
const G_PADDED = bigintToBytes(BigInt(DH_G));
/** SRP multiplier k = H(pad(p) ‖ pad(g)). */
const K_MULTIPLIER = bytesToBigint(sha256(DH_PRIME, G_PADDED));
/** H(p) xor H(pad(g)), the first part of M1, which depends only on p and g. */
const PRIME_AND_GENERATOR_HASH = xorBytes(sha256(DH_PRIME), sha256(G_PADDED));
/** Clients reject g^b outside (2^1984, p - 2^1984), so the server draws b again in that case. */
const RANGE_MARGIN = 1n << 1984n;

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** SH(data, salt) = H(salt ‖ data ‖ salt). */
function saltedHash(data: Uint8Array, salt: Uint8Array): Buffer {
  return sha256(salt, data, salt);
}

function xorBytes(a: Buffer, b: Buffer): Buffer {
  const result = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) result[i] = a[i] ^ b[i];
  return result;
}

/**
 * Computes the password hash x = PH2(password, salt1, salt2) as 32 bytes. PBKDF2, the slow step
 * (roughly 50-100 ms, an estimate), runs on the libuv thread pool instead of the event loop.
 */
export async function computePasswordHash(
  password: string,
  salt1: Uint8Array,
  salt2: Uint8Array,
): Promise<Buffer> {
  const ph1 = saltedHash(saltedHash(Buffer.from(password, 'utf8'), salt1), salt2);
  const stretched = await pbkdf2Async(ph1, salt1, PBKDF2_ITERATIONS, 64, 'sha512');
  return saltedHash(stretched, salt2);
}

/** Computes the verifier v = g^x mod p as 256 bytes, the value clients send as new_password_hash. */
export async function computeVerifier(
  password: string,
  salt1: Uint8Array,
  salt2: Uint8Array,
): Promise<Buffer> {
  return powGenerator(await computePasswordHash(password, salt1, salt2));
}

/**
 * Returns whether a new_password_hash from a client can be a verifier: 256 bytes and
 * 1 < v < p - 1. The value p - 1 is excluded too because it is degenerate (its powers are only
 * 1 and p - 1), and OpenSSL rejects it as a base.
 */
export function isValidVerifier(hash: Uint8Array): boolean {
  if (hash.length !== DH_PRIME_BYTES) return false;
  const v = bytesToBigint(hash);
  return v > 1n && v < P - 1n;
}

/** The server's half of one SRP exchange: the secret b and srp_B = pad(B). */
export interface SrpServerValues {
  b: Buffer;
  srpB: Buffer;
}

/** Draws a random b and computes B = (k·v + g^b) mod p for a verifier. */
export function createSrpServerValues(verifier: Uint8Array): SrpServerValues {
  const v = bytesToBigint(verifier);
  for (;;) {
    const b = randomBytes(DH_PRIME_BYTES);
    const gb = bytesToBigint(powGenerator(b));
    if (gb <= RANGE_MARGIN || gb >= P - RANGE_MARGIN) continue;
    const B = (K_MULTIPLIER * v + gb) % P;
    if (B === 0n) continue;
    return { b, srpB: bigintToBytes(B) };
  }
}

/** Everything the server stored for one srp_id, as needed to check a proof. */
export interface SrpCheckInput {
  verifier: Uint8Array;
  b: Uint8Array;
  srpB: Uint8Array;
  /** Salts of the current password (current_algo), not of new_algo. */
  salt1: Uint8Array;
  salt2: Uint8Array;
}

/** The client's proof from inputCheckPasswordSRP. */
export interface SrpProof {
  A: Uint8Array;
  M1: Uint8Array;
}

/**
 * Checks a client's SRP proof: u = H(pad(A) ‖ pad(B)), S = (A·v^u)^b mod p, K = H(pad(S)) and
 * M1 = H(H(p) xor H(pad g) ‖ H(salt1) ‖ H(salt2) ‖ pad(A) ‖ pad(B) ‖ K), compared in constant
 * time. A must lie in (1, p - 1).
 *
 * @mtproto/core's getSRPParams sends A without leading zero bytes and hashes A and S that way.
 * Against a strict server its login fails whenever A or S has a zero top byte, about 1 time in
 * 128. The check therefore also accepts M1 computed from A exactly as received and from S
 * without leading zeros.
 */
export function verifySrpProof(input: SrpCheckInput, proof: SrpProof): boolean {
  if (proof.M1.length !== 32) return false;
  if (proof.A.length === 0 || proof.A.length > DH_PRIME_BYTES) return false;
  const A = bytesToBigint(proof.A);
  if (A <= 1n || A >= P - 1n) return false;

  const paddedA = bigintToBytes(A);
  const secret = computeSessionSecret(input, paddedA);
  if (secret && matchesM1(input, paddedA, secret, proof.M1)) return true;

  const rawA = Buffer.from(proof.A);
  const rawSecret = rawA.equals(paddedA) ? secret : computeSessionSecret(input, rawA);
  if (!rawSecret) return false;
  const unpaddedSecret = stripLeadingZeros(rawSecret);
  if (rawA.equals(paddedA) && unpaddedSecret.length === rawSecret.length) return false;
  return matchesM1(input, rawA, unpaddedSecret, proof.M1);
}

/** Computes S = (A·v^u)^b mod p as 256 bytes, with u hashed from `aForHash`. */
function computeSessionSecret(input: SrpCheckInput, aForHash: Buffer): Buffer | undefined {
  const u = bytesToBigint(sha256(aForHash, input.srpB));
  if (u === 0n) return undefined;
  const A = bytesToBigint(aForHash);
  const vu = modPow(bytesToBigint(input.verifier), u);
  const S = modPow((A * vu) % P, bytesToBigint(input.b));
  return bigintToBytes(S);
}

function matchesM1(input: SrpCheckInput, aForHash: Buffer, secret: Buffer, m1: Uint8Array) {
  const expected = sha256(
    PRIME_AND_GENERATOR_HASH,
    sha256(input.salt1),
    sha256(input.salt2),
    aForHash,
    input.srpB,
    sha256(secret),
  );
  return timingSafeEqual(expected, m1);
}

/** base^exponent mod p, also for the bases 0, 1 and p - 1 that OpenSSL refuses. */
function modPow(base: bigint, exponent: bigint): bigint {
  if (base === 0n || base === 1n) return base;
  if (base === P - 1n) return exponent % 2n === 0n ? 1n : base;
  return bytesToBigint(modPowPrime(base, exponent));
}

function stripLeadingZeros(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}
