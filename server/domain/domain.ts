import { systemClock, type Clock } from '../clock.js';
import type { KeyAuthorization } from '../rpc/context.js';
import { RpcError } from '../rpc/rpc-error.js';
import type { TlObject } from '../tl/types.js';
import {
  Account,
  accountFromFixture,
  VerifierCache,
  type AccountProfile,
  type AccountSummary,
} from './accounts.js';
import { EmailCodeStore } from './email-codes.js';
import { FixtureError, parseFixtureAccount, type FixtureIssue, type Fixtures } from './fixtures.js';
import { LoginFlow } from './login.js';
import { LoginCodeStore } from './login-codes.js';
import { Mailbox } from './mailbox.js';
import { PasswordEmailFlow } from './password-email.js';
import { PasswordResetFlow } from './password-reset.js';
import { RecoveryFlow } from './recovery.js';
import { SrpChallengeStore } from './srp-challenges.js';
import { selfUser } from './tl-objects.js';
import { TwoFactorFlow } from './two-factor.js';

/** User ids that sign-up gives out start above this value and above every fixture id. */
const FIRST_SIGN_UP_ID = 1_000_000n;

/**
 * The mock's user data and every login, 2FA and recovery operation on it. It starts from
 * fixtures, returns to them on `reset()`, and takes all times from the injected clock.
 *
 * Creating it runs no PBKDF2: fixture password verifiers are computed on first use, or ahead
 * of time by `warmUp()`.
 */
export class Domain {
  /** Emails with codes that the mock sent, for tests and the admin API. */
  readonly mailbox: Mailbox;
  readonly emailCodes: EmailCodeStore;
  readonly loginCodes: LoginCodeStore;
  readonly srpChallenges: SrpChallengeStore;

  readonly login: LoginFlow;
  readonly twoFactor: TwoFactorFlow;
  readonly passwordEmail: PasswordEmailFlow;
  readonly passwordReset: PasswordResetFlow;
  readonly recovery: RecoveryFlow;

  private readonly byId = new Map<bigint, Account>();
  private readonly byPhone = new Map<string, Account>();
  private readonly verifierCache = new VerifierCache();

  constructor(
    readonly fixtures: Fixtures,
    readonly clock: Clock = systemClock,
  ) {
    this.mailbox = new Mailbox(clock);
    this.emailCodes = new EmailCodeStore(clock, fixtures.emailCode);
    this.loginCodes = new LoginCodeStore(clock, fixtures.loginCode);
    this.srpChallenges = new SrpChallengeStore(clock);
    this.login = new LoginFlow(this);
    this.twoFactor = new TwoFactorFlow(this);
    this.passwordEmail = new PasswordEmailFlow(this);
    this.passwordReset = new PasswordResetFlow(this);
    this.recovery = new RecoveryFlow(this);
    this.loadAccounts();
  }

  /** Summaries of all accounts, in the order they were added. */
  get accounts(): AccountSummary[] {
    return [...this.byId.values()].map((account) => account.summary());
  }

  findAccount(id: bigint): Account | undefined {
    return this.byId.get(id);
  }

  /** Finds an account by phone number in digits only. */
  findAccountByPhone(phone: string): Account | undefined {
    return this.byPhone.get(phone);
  }

  /**
   * Returns the account that a key is signed in to or waits for a password for. Throws
   * 401 AUTH_KEY_UNREGISTERED when the key has no user, or its user is gone after a reset.
   */
  accountForKey(auth: KeyAuthorization): Account {
    const account = auth.userId === undefined ? undefined : this.byId.get(auth.userId);
    if (!account) throw RpcError.unauthorized('AUTH_KEY_UNREGISTERED');
    return account;
  }

  /** Returns the `user` object of the account a key is signed in to, or undefined. */
  selfUser(auth: KeyAuthorization): TlObject | undefined {
    if (auth.state !== 'authorized' || auth.userId === undefined) return undefined;
    const account = this.byId.get(auth.userId);
    return account ? selfUser(account) : undefined;
  }

  /**
   * Adds an account described like a fixture account (for the admin API). Throws FixtureError
   * naming the field when it is invalid or its id, phone or username is taken.
   */
  addAccount(raw: unknown): AccountSummary {
    const fixture = parseFixtureAccount(raw);
    const issues: FixtureIssue[] = [];
    const username = fixture.username?.toLowerCase();
    for (const account of this.byId.values()) {
      if (account.id === fixture.id) {
        issues.push(takenIssue('/id', String(fixture.id), account));
      }
      if (account.phone === fixture.phone) {
        issues.push(takenIssue('/phone', fixture.phone, account));
      }
      if (username !== undefined && account.username?.toLowerCase() === username) {
        issues.push(takenIssue('/username', fixture.username, account));
      }
    }
    if (issues.length > 0) throw new FixtureError('account', issues);

    const account = accountFromFixture(fixture, this.verifierCache);
    this.insert(account);
    return account.summary();
  }

  /** Creates an account without 2FA for `auth.signUp`, with the next free user id. */
  createAccount(profile: Omit<AccountProfile, 'id'>): Account {
    let maxId = FIRST_SIGN_UP_ID;
    for (const id of this.byId.keys()) if (id > maxId) maxId = id;
    const account = new Account({ ...profile, id: maxId + 1n });
    this.insert(account);
    return account;
  }

  /** Returns every account, code, email and SRP challenge to the state right after start-up. */
  reset(): void {
    this.mailbox.clear();
    this.emailCodes.clear();
    this.loginCodes.clear();
    this.srpChallenges.clear();
    this.byId.clear();
    this.byPhone.clear();
    this.loadAccounts();
  }

  /**
   * Computes the SRP verifiers of all fixture passwords in the background (PBKDF2 with 100,000
   * iterations, roughly 50-100 ms each on the libuv thread pool). Call it after the server
   * reports ready, so that the first `account.getPassword` does not wait for it.
   */
  async warmUp(): Promise<void> {
    const passwords = [...this.byId.values()].flatMap((account) => account.password ?? []);
    // Two at a time, so that two of libuv's four default threads stay free for file writes. The
    // log goes through them, and a stop waits for the log.
    const queue = [...passwords];
    const worker = async () => {
      for (let password = queue.shift(); password; password = queue.shift()) {
        await password.verifier();
      }
    };
    await Promise.all([worker(), worker()]);
  }

  private loadAccounts(): void {
    for (const fixture of this.fixtures.accounts) {
      this.insert(accountFromFixture(fixture, this.verifierCache));
    }
  }

  private insert(account: Account): void {
    this.byId.set(account.id, account);
    this.byPhone.set(account.phone, account);
  }
}

function takenIssue(pointer: string, value: unknown, owner: Account): FixtureIssue {
  return { pointer, message: `is already used by account ${owner.id}`, value };
}
