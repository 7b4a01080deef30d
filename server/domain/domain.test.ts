import { pbkdf2, pbkdf2Sync } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Domain } from './domain.js';
import { FixtureError, loadFixtures } from './fixtures.js';

// Count PBKDF2 calls: start-up must not run it at all, and never synchronously.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, pbkdf2: vi.fn(actual.pbkdf2), pbkdf2Sync: vi.fn(actual.pbkdf2Sync) };
});

const pbkdf2Calls = () => vi.mocked(pbkdf2).mock.calls.length;
const pbkdf2SyncCalls = () => vi.mocked(pbkdf2Sync).mock.calls.length;

function fixedClock(time = 1_700_000_000_000) {
  return { now: () => time };
}

beforeEach(() => {
  vi.mocked(pbkdf2).mockClear();
  vi.mocked(pbkdf2Sync).mockClear();
});

describe('Domain start-up', () => {
  it('runs no PBKDF2 while loading fixtures and creating the domain', () => {
    const domain = new Domain(loadFixtures(), fixedClock());
    expect(domain.accounts).toHaveLength(4);
    expect(pbkdf2Calls()).toBe(0);
    expect(pbkdf2SyncCalls()).toBe(0);
  });

  it('warms up each fixture password once, asynchronously', async () => {
    const domain = new Domain(loadFixtures(), fixedClock());
    await domain.warmUp();
    expect(pbkdf2Calls()).toBe(3);
    expect(pbkdf2SyncCalls()).toBe(0);

    domain.reset();
    await domain.warmUp();
    expect(pbkdf2Calls()).toBe(3);
  });

  it('computes a verifier on the first getPassword', async () => {
    const domain = new Domain(loadFixtures(), fixedClock());
    const bob = domain.findAccountByPhone('15550000002')!;
    const password = await domain.twoFactor.getPassword(bob);
    expect(password.has_password).toBe(true);
    expect(pbkdf2Calls()).toBe(1);
    expect(pbkdf2SyncCalls()).toBe(0);
  });
});

describe('Domain accounts', () => {
  it('summarizes accounts without secrets', () => {
    const domain = new Domain(loadFixtures(), fixedClock());
    const [alice, bob, carol, dave] = domain.accounts;
    expect(alice).toMatchObject({
      id: 1001n,
      hasPassword: true,
      recoveryEmail: 'alice@example.com',
    });
    expect(bob).toMatchObject({ hasPassword: true, recoveryEmail: undefined });
    expect(carol).toMatchObject({ unconfirmedEmail: 'carol@example.org' });
    expect(dave).toMatchObject({ hasPassword: false });
    const text = JSON.stringify(domain.accounts, (_k, v) => (typeof v === 'bigint' ? `${v}` : v));
    expect(text).not.toContain('alice-password');
    expect(text).not.toMatch(/salt|verifier|246810/);
  });

  it('adds a valid account', () => {
    const domain = new Domain(loadFixtures(), fixedClock());
    const added = domain.addAccount({
      id: '2001',
      phone: '15550002001',
      firstName: 'Erin',
      lastName: 'Added',
      password: 'erin-password',
    });
    expect(added).toMatchObject({ id: 2001n, hasPassword: true });
    expect(domain.findAccountByPhone('15550002001')?.id).toBe(2001n);
  });

  it('rejects an added account with a bad or taken field', () => {
    const domain = new Domain(loadFixtures(), fixedClock());
    let error: unknown;
    try {
      domain.addAccount({ id: 1001, phone: '15550000004', firstName: 'X', lastName: 'Y' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FixtureError);
    expect((error as FixtureError).issues.map((issue) => issue.pointer)).toEqual(['/id', '/phone']);
    expect((error as FixtureError).field).toBe('/id');
    expect((error as Error).message).toContain('is already used by account 1001');

    expect(() => domain.addAccount({ id: 3, phone: 'abc', firstName: 'X', lastName: 'Y' })).toThrow(
      /\/phone must match pattern/,
    );
  });

  it('returns to the fixtures on reset', () => {
    const domain = new Domain(loadFixtures(), fixedClock());
    domain.addAccount({ id: 2001, phone: '15550002001', firstName: 'Erin', lastName: '' });
    domain.findAccount(1002n)!.removePassword();
    domain.mailbox.send('bob@example.com', 'recovery', '123456');

    domain.reset();
    expect(domain.findAccount(2001n)).toBeUndefined();
    expect(domain.findAccount(1002n)?.password).toBeDefined();
    expect(domain.mailbox.list()).toEqual([]);
  });

  it('gives signed-up accounts fresh ids above the fixtures', () => {
    const domain = new Domain(loadFixtures(), fixedClock());
    const first = domain.createAccount({ phone: '15550003001', firstName: 'New', lastName: '' });
    const second = domain.createAccount({ phone: '15550003002', firstName: 'New', lastName: '' });
    expect(first.id).toBe(1_000_001n);
    expect(second.id).toBe(1_000_002n);
  });

  it('returns the self user only for authorized keys', () => {
    const domain = new Domain(loadFixtures(), fixedClock());
    expect(domain.selfUser({ state: 'authorized', userId: 1004n })).toMatchObject({
      _: 'user',
      self: true,
      id: 1004n,
      first_name: 'Dave',
      last_name: 'NoPassword',
      username: 'dave_no_password',
      phone: '15550000004',
    });
    expect(domain.selfUser({ state: 'password_pending', userId: 1001n })).toBeUndefined();
    expect(domain.selfUser({ state: 'unauthorized' })).toBeUndefined();
    expect(domain.selfUser({ state: 'authorized', userId: 9n })).toBeUndefined();
  });
});

describe('Mailbox', () => {
  it('filters by address, ignoring case, and by purpose', () => {
    const domain = new Domain(loadFixtures(), fixedClock(42_000));
    domain.mailbox.send('Alice@Example.com', 'recovery', '111111');
    domain.mailbox.send('bob@example.com', 'email-confirmation', '222222');
    domain.mailbox.send('alice@example.com', 'email-confirmation', '333333');

    expect(domain.mailbox.list('alice@example.com').map((m) => m.code)).toEqual([
      '111111',
      '333333',
    ]);
    expect(domain.mailbox.list({ purpose: 'email-confirmation' }).map((m) => m.code)).toEqual([
      '222222',
      '333333',
    ]);
    expect(domain.mailbox.latest({ to: 'ALICE@example.com' })).toMatchObject({
      code: '333333',
      sentAt: 42_000,
      purpose: 'email-confirmation',
    });
  });
});
