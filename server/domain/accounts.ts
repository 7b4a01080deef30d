import { createHash, randomBytes } from 'node:crypto';
import type { FixtureAccount } from './fixtures.js';
import { computeVerifier } from './srp.js';

/** Length of the salt1 prefix that `account.password.new_algo` offers; clients append 32 bytes. */
export const NEW_SALT1_PREFIX_BYTES = 8;
const SALT2_BYTES = 16;

/** A 2FA password as the server stores it: the salts and the SRP verifier, never the plaintext. */
export interface StoredPassword {
  salt1: Buffer;
  salt2: Buffer;
  hint: string;
  /** Resolves to v = g^x mod p as 256 bytes. Fixture passwords compute it on first call. */
  verifier(): Promise<Buffer>;
}

/** State of a password reset (`account.resetPassword`) for an account without recovery email. */
export type PasswordResetState =
  | { status: 'none' }
  /** The password goes when `account.resetPassword` is called again at or after untilDate. */
  | { status: 'requested'; untilDate: number }
  /** Declined with `account.declinePasswordReset`. A new request waits until retryDate. */
  | { status: 'declined'; retryDate: number };

/** An `updatePasswordSettings` change that waits until its new recovery email is confirmed. */
export interface PendingEmailChange {
  email: string;
  /** Password to set on confirmation. Undefined keeps the current password. */
  password?: StoredPassword;
}

/** Public view of an account for the admin API, without verifiers, salts or codes. */
export interface AccountSummary {
  id: bigint;
  phone: string;
  firstName: string;
  lastName: string;
  username?: string;
  hasPassword: boolean;
  hint?: string;
  recoveryEmail?: string;
  unconfirmedEmail?: string;
  /** Unix seconds at which a requested password reset can complete. */
  pendingResetDate?: number;
}

/** Fields of a new account. */
export interface AccountProfile {
  id: bigint;
  phone: string;
  firstName: string;
  lastName: string;
  username?: string;
  loginCode?: string;
  recoveryCode?: string;
}

/** A user account with its 2FA state. Only the domain changes it. */
export class Account {
  readonly id: bigint;
  readonly phone: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly username?: string;
  readonly accessHash: bigint;
  readonly loginCode?: string;
  /** Code that password recovery sends instead of a random one. */
  readonly seededRecoveryCode?: string;
  /** salt2 of every password of this account; clients must keep it when they set a new one. */
  readonly salt2: Buffer;

  password?: StoredPassword;
  /** Grows with every password change, so that older srp_ids get SRP_PASSWORD_CHANGED. */
  passwordVersion = 0;
  /** salt1 prefix offered in new_algo; it changes whenever the password changes. */
  newSalt1Prefix: Buffer;
  /** The confirmed recovery email, if any. */
  recoveryEmail?: string;
  pendingEmailChange?: PendingEmailChange;
  passwordReset: PasswordResetState = { status: 'none' };

  constructor(profile: AccountProfile) {
    this.id = profile.id;
    this.phone = profile.phone;
    this.firstName = profile.firstName;
    this.lastName = profile.lastName;
    this.username = profile.username;
    this.loginCode = profile.loginCode;
    this.seededRecoveryCode = profile.recoveryCode;
    this.accessHash = deriveBytes('access-hash', this.id, 8).readBigInt64BE();
    this.salt2 = deriveBytes('salt2', this.id, SALT2_BYTES);
    this.newSalt1Prefix = deriveBytes('new-salt1-prefix', this.id, NEW_SALT1_PREFIX_BYTES);
  }

  /** Replaces the password (or sets the first one) and cancels a pending reset. */
  setPassword(password: StoredPassword): void {
    this.password = password;
    this.passwordChanged();
  }

  /** Removes the password and with it the recovery email and every pending change. */
  removePassword(): void {
    this.password = undefined;
    this.recoveryEmail = undefined;
    this.pendingEmailChange = undefined;
    this.passwordChanged();
  }

  summary(): AccountSummary {
    return {
      id: this.id,
      phone: this.phone,
      firstName: this.firstName,
      lastName: this.lastName,
      username: this.username,
      hasPassword: this.password !== undefined,
      hint: this.password?.hint,
      recoveryEmail: this.recoveryEmail,
      unconfirmedEmail: this.pendingEmailChange?.email,
      pendingResetDate:
        this.passwordReset.status === 'requested' ? this.passwordReset.untilDate : undefined,
    };
  }

  private passwordChanged(): void {
    this.passwordVersion += 1;
    this.newSalt1Prefix = randomBytes(NEW_SALT1_PREFIX_BYTES);
    this.passwordReset = { status: 'none' };
  }
}

/**
 * Memoized verifiers of fixture passwords. Fixture salts depend only on the account id, so a
 * verifier stays valid across `Domain.reset()` and PBKDF2 runs once per password.
 */
export class VerifierCache {
  private readonly verifiers = new Map<string, Promise<Buffer>>();

  /** Returns the verifier, computing it in the background on the first call. */
  get(password: string, salt1: Buffer, salt2: Buffer): Promise<Buffer> {
    const key = createHash('sha256')
      .update(salt1)
      .update(salt2)
      .update(password, 'utf8')
      .digest('hex');
    let verifier = this.verifiers.get(key);
    if (!verifier) {
      verifier = computeVerifier(password, salt1, salt2);
      // A failed computation must not stay cached, so that the next call retries it.
      verifier.catch(() => this.verifiers.delete(key));
      this.verifiers.set(key, verifier);
    }
    return verifier;
  }
}

/**
 * Creates an account from its fixture. The stored salt1 is a prefix plus 32 bytes, as a client
 * would build it, and both salts are derived from the id so that runs are repeatable. No
 * PBKDF2 runs here; the verifier is computed on first use.
 */
export function accountFromFixture(fixture: FixtureAccount, cache: VerifierCache): Account {
  const account = new Account(fixture);
  const { password } = fixture;
  if (password === undefined) return account;

  const salt1 = Buffer.concat([
    deriveBytes('fixture-salt1-prefix', fixture.id, NEW_SALT1_PREFIX_BYTES),
    deriveBytes('fixture-salt1-client', fixture.id, 32),
  ]);
  const salt2 = account.salt2;
  account.password = {
    salt1,
    salt2,
    hint: fixture.hint ?? '',
    verifier: () => cache.get(password, salt1, salt2),
  };
  account.passwordVersion = 1;

  const email = fixture.recoveryEmail;
  if (email?.confirmed) account.recoveryEmail = email.address;
  else if (email) account.pendingEmailChange = { email: email.address };
  return account;
}

/** Returns a password whose verifier a client computed (new_password_hash). */
export function passwordFromVerifier(
  salt1: Buffer,
  salt2: Buffer,
  verifier: Buffer,
  hint: string,
): StoredPassword {
  const stored = Buffer.from(verifier);
  return { salt1, salt2, hint, verifier: () => Promise.resolve(stored) };
}

/** Derives stable per-account bytes: the first `length` bytes of SHA-256 over a label and id. */
function deriveBytes(label: string, id: bigint, length: number): Buffer {
  return createHash('sha256').update(`mtmock:${label}:${id}`).digest().subarray(0, length);
}
