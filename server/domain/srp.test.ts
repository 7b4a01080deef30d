import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Api } from 'telegram';
import { returnBigInt } from 'telegram/Helpers.js';
import { computeCheck, computeDigest } from 'telegram/Password.js';
import { describe, expect, it } from 'vitest';
import { bigintToBytes, bytesToBigint, modPowPrime, powGenerator } from '../crypto/mod-pow.js';
import { DH_PRIME, DH_PRIME_BIGINT } from '../crypto/telegram-prime.js';
import {
  computePasswordHash,
  computeVerifier,
  createSrpServerValues,
  isValidVerifier,
  verifySrpProof,
  type SrpCheckInput,
} from './srp.js';

const P = DH_PRIME_BIGINT;

function gramAlgo(salt1: Buffer, salt2: Buffer) {
  return new Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow({
    salt1,
    salt2,
    g: 3,
    p: DH_PRIME,
  });
}

/** Builds the server state for one srp_id, then lets GramJS compute a proof for `attempt`. */
async function gramjsAttempt(password: string, attempt: string) {
  const salt1 = randomBytes(40);
  const salt2 = randomBytes(16);
  const verifier = await computeVerifier(password, salt1, salt2);
  const { b, srpB } = createSrpServerValues(verifier);
  const request = new Api.account.Password({
    hasPassword: true,
    currentAlgo: gramAlgo(salt1, salt2),
    srp_B: srpB,
    srpId: returnBigInt(42n),
    newAlgo: gramAlgo(salt1.subarray(0, 8), salt2),
    newSecureAlgo: new Api.SecurePasswordKdfAlgoSHA512({ salt: randomBytes(8) }),
    secureRandom: randomBytes(256),
  });
  const check = await computeCheck(request, attempt);
  const input: SrpCheckInput = { verifier, b, srpB, salt1, salt2 };
  return { input, proof: { A: check.A, M1: check.M1 } };
}

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function minimalBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

/**
 * Computes a client proof from the formulas, independently of srp.ts. With `padded = false` it
 * hashes A and S without leading zero bytes, as @mtproto/core's getSRPParams does.
 */
function testClientProof(
  x: Buffer,
  a: Buffer,
  server: { srpB: Buffer; salt1: Buffer; salt2: Buffer },
  padded: boolean,
) {
  const encode = (value: bigint) => (padded ? bigintToBytes(value) : minimalBytes(value));
  const gPadded = bigintToBytes(3n);
  const k = bytesToBigint(sha256(DH_PRIME, gPadded));
  const v = bytesToBigint(powGenerator(x));
  const A = bytesToBigint(powGenerator(a));
  const aBytes = encode(A);
  const u = bytesToBigint(sha256(aBytes, server.srpB));
  const gb = (((bytesToBigint(server.srpB) - k * v) % P) + P) % P;
  const exponent = bytesToBigint(a) + u * bytesToBigint(x);
  const S = bytesToBigint(modPowPrime(gb, exponent));
  const hp = sha256(DH_PRIME);
  const hg = sha256(gPadded);
  const xored = Buffer.from(hp.map((byte, i) => byte ^ hg[i]));
  const M1 = sha256(
    xored,
    sha256(server.salt1),
    sha256(server.salt2),
    aBytes,
    server.srpB,
    sha256(encode(S)),
  );
  return { A: aBytes, M1, aTopByte: bigintToBytes(A)[0], sTopByte: bigintToBytes(S)[0] };
}

/** Server state with a known x, so that tests skip PBKDF2. */
function serverForX(x: Buffer) {
  const salt1 = randomBytes(40);
  const salt2 = randomBytes(16);
  const verifier = powGenerator(x);
  const { b, srpB } = createSrpServerValues(verifier);
  return { verifier, b, srpB, salt1, salt2 };
}

describe('computeVerifier', () => {
  it('matches GramJS computeDigest', async () => {
    const salt1 = randomBytes(40);
    const salt2 = randomBytes(16);
    for (const password of ['hunter2', 'pässwörd ключ 🔑', ' ']) {
      const expected = await computeDigest(gramAlgo(salt1, salt2), password);
      const actual = await computeVerifier(password, salt1, salt2);
      expect(actual.toString('hex')).toBe(expected.toString('hex'));
    }
  });

  it('depends on both salts', async () => {
    const salt1 = randomBytes(40);
    const salt2 = randomBytes(16);
    const base = await computePasswordHash('pw', salt1, salt2);
    const otherSalt1 = await computePasswordHash('pw', randomBytes(40), salt2);
    const otherSalt2 = await computePasswordHash('pw', salt1, randomBytes(16));
    expect(base.equals(otherSalt1)).toBe(false);
    expect(base.equals(otherSalt2)).toBe(false);
  });
});

describe('createSrpServerValues', () => {
  it('returns a 256-byte B whose g^b part passes the client range check', () => {
    const x = randomBytes(32);
    const v = bytesToBigint(powGenerator(x));
    const k = bytesToBigint(sha256(DH_PRIME, bigintToBytes(3n)));
    for (let i = 0; i < 5; i++) {
      const { b, srpB } = createSrpServerValues(bigintToBytes(v));
      expect(srpB.length).toBe(256);
      const B = bytesToBigint(srpB);
      expect(B > 0n).toBe(true);
      expect(B < P).toBe(true);
      const gb = (((B - k * v) % P) + P) % P;
      expect(gb).toBe(bytesToBigint(powGenerator(b)));
      expect(gb > 1n << 1984n).toBe(true);
      expect(P - gb > 1n << 1984n).toBe(true);
    }
  });
});

describe('verifySrpProof', () => {
  it('accepts a GramJS proof for the right password', async () => {
    const { input, proof } = await gramjsAttempt('correct horse', 'correct horse');
    expect(proof.A.length).toBe(256);
    expect(verifySrpProof(input, proof)).toBe(true);
  });

  it('rejects a GramJS proof for a wrong password', async () => {
    const { input, proof } = await gramjsAttempt('correct horse', 'correct hors');
    expect(verifySrpProof(input, proof)).toBe(false);
  });

  it('rejects a proof checked against other salts', async () => {
    const { input, proof } = await gramjsAttempt('pw', 'pw');
    expect(verifySrpProof({ ...input, salt2: randomBytes(16) }, proof)).toBe(false);
  });

  it('rejects A outside (1, p - 1) and malformed sizes', async () => {
    const { input, proof } = await gramjsAttempt('pw', 'pw');
    const badA = [
      Buffer.alloc(256),
      bigintToBytes(1n),
      bigintToBytes(P - 1n),
      bigintToBytes(P),
      Buffer.alloc(0),
      Buffer.concat([Buffer.from([1]), Buffer.from(proof.A)]),
    ];
    for (const A of badA) expect(verifySrpProof(input, { A, M1: proof.M1 })).toBe(false);
    expect(verifySrpProof(input, { A: proof.A, M1: Buffer.from(proof.M1).subarray(1) })).toBe(
      false,
    );
  });

  it('accepts any valid proof and rejects any flipped M1 byte', () => {
    const x = randomBytes(32);
    const server = serverForX(x);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 256, maxLength: 256 }),
        fc.nat({ max: 31 }),
        (a, index) => {
          const proof = testClientProof(x, Buffer.from(a), server, true);
          expect(verifySrpProof(server, proof)).toBe(true);
          const flipped = Buffer.from(proof.M1);
          flipped[index] ^= 0x01;
          expect(verifySrpProof(server, { A: proof.A, M1: flipped })).toBe(false);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('accepts the unpadded A and S of @mtproto/core', () => {
    const x = randomBytes(32);
    const server = serverForX(x);
    let shortA: ReturnType<typeof testClientProof> | undefined;
    let shortS: ReturnType<typeof testClientProof> | undefined;
    // About 1 in 256 random exponents gives an A or an S with a zero top byte.
    for (let i = 0; i < 20_000 && !(shortA && shortS); i++) {
      const a = randomBytes(256);
      const proof = testClientProof(x, a, server, false);
      if (proof.aTopByte === 0) shortA ??= proof;
      else if (proof.sTopByte === 0) shortS ??= proof;
    }
    expect(shortA).toBeDefined();
    expect(shortS).toBeDefined();
    expect(shortA!.A.length).toBeLessThan(256);
    expect(verifySrpProof(server, shortA!)).toBe(true);
    expect(shortS!.A.length).toBe(256);
    expect(verifySrpProof(server, shortS!)).toBe(true);
  });

  it('rejects an unpadded proof made with the wrong x', () => {
    const server = serverForX(randomBytes(32));
    for (let i = 0; i < 2000; i++) {
      const proof = testClientProof(randomBytes(32), randomBytes(256), server, false);
      if (proof.aTopByte !== 0) continue;
      expect(verifySrpProof(server, proof)).toBe(false);
      return;
    }
    throw new Error('no A with a zero top byte in 2000 draws; the test needs one');
  });
});

describe('isValidVerifier', () => {
  it('takes 256-byte values strictly between 1 and p - 1', () => {
    expect(isValidVerifier(powGenerator(randomBytes(32)))).toBe(true);
    expect(isValidVerifier(bigintToBytes(2n))).toBe(true);
    expect(isValidVerifier(bigintToBytes(1n))).toBe(false);
    expect(isValidVerifier(bigintToBytes(P - 1n))).toBe(false);
    expect(isValidVerifier(bigintToBytes(P))).toBe(false);
    expect(isValidVerifier(Buffer.alloc(255, 1))).toBe(false);
  });
});
