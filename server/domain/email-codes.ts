import { randomInt } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { EmailCodeSettings } from './fixtures.js';
import type { EmailCodePurpose } from './mailbox.js';

/** Outcome of checking a code that a client typed. */
export type EmailCodeCheck =
  | { status: 'valid' }
  | { status: 'empty' }
  /** No code was sent, it was used already, or its lifetime is over. */
  | { status: 'expired' }
  | { status: 'wrong' }
  | { status: 'flood-wait'; seconds: number };

interface IssuedCode {
  code: string;
  /** Milliseconds since the Unix epoch. */
  expiresAt: number;
}

interface FailedAttempts {
  count: number;
  /** Set once `count` reaches the maximum: no code is checked before this time. */
  blockedUntil?: number;
}

/**
 * Email codes per account and purpose, with expiry and a limit on wrong attempts.
 *
 * After `maxAttempts` wrong codes every further check gets a flood wait, even with the right
 * code. The failure count survives a newly sent code, so requesting codes again does not reset
 * the limit. It resets after a valid code or once the flood wait is over.
 */
export class EmailCodeStore {
  private readonly codes = new Map<string, IssuedCode>();
  private readonly failures = new Map<string, FailedAttempts>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: EmailCodeSettings,
  ) {}

  /**
   * Stores a new code, replacing any earlier one for the same account and purpose, and returns
   * it. Without `seededCode` the code is random digits of the configured length.
   */
  issue(accountId: bigint, purpose: EmailCodePurpose, seededCode?: string): string {
    const code = seededCode ?? this.randomCode();
    const expiresAt = this.clock.now() + this.settings.lifetimeSeconds * 1000;
    this.codes.set(key(accountId, purpose), { code, expiresAt });
    return code;
  }

  /** Checks a code without using it up. */
  check(accountId: bigint, purpose: EmailCodePurpose, code: string): EmailCodeCheck {
    if (code === '') return { status: 'empty' };
    const id = key(accountId, purpose);
    const now = this.clock.now();

    const failed = this.failures.get(id);
    if (failed?.blockedUntil !== undefined) {
      if (now < failed.blockedUntil) {
        return { status: 'flood-wait', seconds: Math.ceil((failed.blockedUntil - now) / 1000) };
      }
      this.failures.delete(id);
    }

    const issued = this.codes.get(id);
    if (!issued || now >= issued.expiresAt) return { status: 'expired' };
    if (issued.code !== code) {
      this.recordFailure(id, now);
      return { status: 'wrong' };
    }
    this.failures.delete(id);
    return { status: 'valid' };
  }

  /** Removes the code so that it cannot be used again. */
  consume(accountId: bigint, purpose: EmailCodePurpose): void {
    this.codes.delete(key(accountId, purpose));
  }

  /** Removes every code of one account, for example when its password goes. Failure counts stay. */
  discardAccount(accountId: bigint): void {
    for (const purpose of ['recovery', 'email-confirmation'] as const) {
      this.codes.delete(key(accountId, purpose));
    }
  }

  clear(): void {
    this.codes.clear();
    this.failures.clear();
  }

  private recordFailure(id: string, now: number): void {
    const failed = this.failures.get(id) ?? { count: 0 };
    failed.count += 1;
    if (failed.count >= this.settings.maxAttempts) {
      failed.blockedUntil = now + this.settings.floodWaitSeconds * 1000;
    }
    this.failures.set(id, failed);
  }

  private randomCode(): string {
    const { length } = this.settings;
    return String(randomInt(0, 10 ** length)).padStart(length, '0');
  }
}

function key(accountId: bigint, purpose: EmailCodePurpose): string {
  return `${accountId}:${purpose}`;
}
