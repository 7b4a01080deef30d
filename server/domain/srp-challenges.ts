import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { createSrpServerValues, type SrpCheckInput } from './srp.js';

/**
 * Seconds an srp_id from `account.getPassword` stays valid. Telegram does not document its
 * value; piltover keeps one for 30 minutes, and so does the mock.
 */
export const SRP_CHALLENGE_TTL_SECONDS = 30 * 60;

/** Server-side state of one `account.getPassword` result, kept until its srp_id expires. */
export interface SrpChallenge extends SrpCheckInput {
  srpId: bigint;
  accountId: bigint;
  /** The account's password version when the challenge was issued. */
  passwordVersion: number;
  /** Milliseconds since the Unix epoch. */
  expiresAt: number;
}

/** Data of the account's current password that a challenge is built from. */
export interface ChallengePassword {
  accountId: bigint;
  passwordVersion: number;
  verifier: Buffer;
  salt1: Buffer;
  salt2: Buffer;
}

/**
 * Issued SRP challenges by srp_id. Every `account.getPassword` gets a new one. Challenges stay
 * after a password change, so that a proof for the old password gets SRP_PASSWORD_CHANGED
 * instead of SRP_ID_INVALID.
 */
export class SrpChallengeStore {
  private readonly challenges = new Map<bigint, SrpChallenge>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlSeconds = SRP_CHALLENGE_TTL_SECONDS,
  ) {}

  /** Draws a fresh b and srp_B for the password and stores them under a new random srp_id. */
  issue(password: ChallengePassword): SrpChallenge {
    this.dropExpired();
    const { b, srpB } = createSrpServerValues(password.verifier);
    const challenge: SrpChallenge = {
      ...password,
      b,
      srpB,
      srpId: randomSrpId(),
      expiresAt: this.clock.now() + this.ttlSeconds * 1000,
    };
    this.challenges.set(challenge.srpId, challenge);
    return challenge;
  }

  /** Returns the challenge for an srp_id, or undefined when it is unknown or expired. */
  find(srpId: bigint): SrpChallenge | undefined {
    const challenge = this.challenges.get(BigInt.asIntN(64, srpId));
    if (!challenge || this.clock.now() >= challenge.expiresAt) return undefined;
    return challenge;
  }

  clear(): void {
    this.challenges.clear();
  }

  private dropExpired(): void {
    const now = this.clock.now();
    for (const [srpId, challenge] of this.challenges) {
      if (now >= challenge.expiresAt) this.challenges.delete(srpId);
    }
  }
}

/** Draws a positive 63-bit id, which reads the same whether a decoder treats longs as signed. */
function randomSrpId(): bigint {
  return randomBytes(8).readBigUInt64BE() & ((1n << 63n) - 1n);
}
