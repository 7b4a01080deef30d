import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { LoginCodeSettings } from './fixtures.js';

/**
 * Normalizes a phone number as a client sends it ('+1 555 000-0001') to digits only.
 * Returns undefined unless 5 to 15 digits remain (E.164 numbers have at most 15).
 */
export function normalizePhone(phoneNumber: string): string | undefined {
  const digits = phoneNumber.replace(/[\s()+-]/g, '');
  return /^[0-9]{5,15}$/.test(digits) ? digits : undefined;
}

/**
 * Returns the login code for a phone: the account's fixed `loginCode` if it has one, otherwise
 * the last 5 digits of the phone number. The same phone always gets the same code.
 */
export function loginCodeFor(phone: string, fixedCode?: string): string {
  return fixedCode ?? phone.slice(-5);
}

/** A login code sent by `auth.sendCode`. */
export interface SentLoginCode {
  phone: string;
  phoneCodeHash: string;
  code: string;
  /** Milliseconds since the Unix epoch. */
  expiresAt: number;
}

/** Result of looking up a phone_code_hash. */
export type LoginCodeLookup =
  | { status: 'found'; sent: SentLoginCode }
  /** Unknown hash, a hash for another phone, a hash replaced by a newer one, or too old. */
  | { status: 'expired' };

/**
 * Sent login codes, one per phone. A new `auth.sendCode` for a phone replaces its earlier
 * phone_code_hash, which then counts as expired.
 */
export class LoginCodeStore {
  private readonly byPhone = new Map<string, SentLoginCode>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: LoginCodeSettings,
  ) {}

  /** Records a sent code and returns it with a fresh phone_code_hash. */
  issue(phone: string, code: string): SentLoginCode {
    const sent: SentLoginCode = {
      phone,
      phoneCodeHash: randomBytes(9).toString('hex'),
      code,
      expiresAt: this.clock.now() + this.settings.lifetimeSeconds * 1000,
    };
    this.byPhone.set(phone, sent);
    return sent;
  }

  /** Looks up the code that `phoneCodeHash` refers to for this phone. */
  find(phone: string, phoneCodeHash: string): LoginCodeLookup {
    const sent = this.byPhone.get(phone);
    if (!sent || sent.phoneCodeHash !== phoneCodeHash || this.clock.now() >= sent.expiresAt) {
      return { status: 'expired' };
    }
    return { status: 'found', sent };
  }

  /** Removes the phone's code, so that its phone_code_hash cannot be used again. */
  consume(phone: string): void {
    this.byPhone.delete(phone);
  }

  clear(): void {
    this.byPhone.clear();
  }
}
