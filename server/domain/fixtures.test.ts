import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultFixturesPath,
  FixtureError,
  loadFixtures,
  parseFixtureAccount,
  type FixtureIssue,
} from './fixtures.js';

const minimalAccount = { id: 1, phone: '15550009999', firstName: 'Zed', lastName: '' };

function issuesOf(load: () => unknown): FixtureIssue[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(FixtureError);
    return (error as FixtureError).issues;
  }
  throw new Error('expected a FixtureError');
}

function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('loadFixtures', () => {
  it('loads the default fixtures with the four account kinds', () => {
    const fixtures = loadFixtures(defaultFixturesPath());
    const byName = new Map(fixtures.accounts.map((a) => [a.firstName, a]));
    expect(byName.get('Alice')).toMatchObject({
      id: 1001n,
      recoveryEmail: { confirmed: true },
      recoveryCode: '246810',
    });
    expect(byName.get('Bob')?.password).toBeDefined();
    expect(byName.get('Bob')?.recoveryEmail).toBeUndefined();
    expect(byName.get('Carol')?.recoveryEmail?.confirmed).toBe(false);
    expect(byName.get('Dave')?.password).toBeUndefined();
  });

  it('loads the default file when called without a source', () => {
    expect(loadFixtures().accounts.length).toBe(
      loadFixtures(defaultFixturesPath()).accounts.length,
    );
  });

  it('fills in the documented defaults', () => {
    const fixtures = loadFixtures({ accounts: [] });
    expect(fixtures.emailCode).toEqual({
      length: 6,
      lifetimeSeconds: 3600,
      maxAttempts: 5,
      floodWaitSeconds: 300,
    });
    expect(fixtures.loginCode).toEqual({ lifetimeSeconds: 300 });
  });

  it('does not change the object it is given', () => {
    const input = { accounts: [minimalAccount] };
    loadFixtures(input);
    expect(input).toEqual({ accounts: [minimalAccount] });
  });

  it('turns numeric and string ids into bigints', () => {
    const fixtures = loadFixtures({
      accounts: [
        minimalAccount,
        { ...minimalAccount, id: '9223372036854775807', phone: '15550009998' },
      ],
    });
    expect(fixtures.accounts.map((a) => a.id)).toEqual([1n, 9223372036854775807n]);
  });

  it('names the field and value of a bad phone', () => {
    const issues = issuesOf(() =>
      loadFixtures({ accounts: [{ ...minimalAccount, phone: '+1 555' }] }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0].pointer).toBe('/accounts/0/phone');
    expect(issues[0].value).toBe('+1 555');
    expect(issues[0].expected).toMatch(/digits only/);
  });

  it('reports every problem at once', () => {
    const message = messageOf(() =>
      loadFixtures({
        emailCode: { length: 2 },
        accounts: [{ id: 'x1', phone: '15550009999', firstName: '', lastName: 'L', pasword: 'x' }],
      }),
    );
    expect(message).toContain('/emailCode/length must be >= 4 (value: 2)');
    expect(message).toContain('/accounts/0/id has an invalid type or format (value: "x1")');
    expect(message).toContain('/accounts/0/firstName');
    expect(message).toContain(
      '/accounts/0/pasword is an unknown field (check the spelling) (value hidden)',
    );
    expect(message).toContain('fixtures/fixtures.schema.json');
  });

  it('names missing required fields', () => {
    const issues = issuesOf(() => loadFixtures({ accounts: [{ id: 5, phone: '15550009999' }] }));
    expect(issues.map((issue) => issue.pointer).sort()).toEqual([
      '/accounts/0/firstName',
      '/accounts/0/lastName',
    ]);
    expect(issuesOf(() => loadFixtures({}))[0].pointer).toBe('/accounts');
  });

  it('requires a password for a hint and a recovery email', () => {
    const issues = issuesOf(() =>
      loadFixtures({
        accounts: [
          {
            ...minimalAccount,
            hint: 'h',
            recoveryEmail: { address: 'z@example.com', confirmed: true },
          },
        ],
      }),
    );
    expect(issues.map((issue) => issue.pointer).sort()).toEqual([
      '/accounts/0/hint',
      '/accounts/0/recoveryEmail',
    ]);
    expect(issues[0].message).toContain('"password"');
  });

  it('requires a recovery email for a seeded recovery code', () => {
    const issues = issuesOf(() =>
      loadFixtures({ accounts: [{ ...minimalAccount, password: 'pw', recoveryCode: '123456' }] }),
    );
    expect(issues).toEqual([
      expect.objectContaining({ pointer: '/accounts/0/recoveryCode', value: '123456' }),
    ]);
  });

  it('hides password values in messages', () => {
    const message = messageOf(() =>
      loadFixtures({ accounts: [{ ...minimalAccount, password: 123456789 }] }),
    );
    expect(message).toContain('/accounts/0/password must be string (value hidden)');
    expect(message).not.toContain('123456789');
  });

  it('rejects duplicate ids, phones and usernames', () => {
    const issues = issuesOf(() =>
      loadFixtures({
        accounts: [
          { ...minimalAccount, username: 'zed_one' },
          { ...minimalAccount, id: '1', phone: '15550009998' },
          { ...minimalAccount, id: 2, username: 'ZED_ONE' },
        ],
      }),
    );
    expect(issues.map((issue) => issue.pointer)).toEqual([
      '/accounts/1/id',
      '/accounts/2/phone',
      '/accounts/2/username',
    ]);
    expect(issues[0].message).toContain('/accounts/0');
  });

  it('rejects ids above the signed 64-bit range', () => {
    const issues = issuesOf(() =>
      loadFixtures({ accounts: [{ ...minimalAccount, id: '9223372036854775808' }] }),
    );
    expect(issues[0].pointer).toBe('/accounts/0/id');
    expect(issues[0].message).toContain('2^63 - 1');
  });

  it('reports unreadable files and invalid JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtmock-fixtures-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "accounts": [ }');
    expect(messageOf(() => loadFixtures(broken))).toMatch(/broken\.json[\s\S]*not valid JSON/);
    expect(messageOf(() => loadFixtures(join(dir, 'missing.json')))).toContain('ENOENT');
  });
});

describe('parseFixtureAccount', () => {
  it('returns a valid account with a bigint id', () => {
    expect(parseFixtureAccount({ ...minimalAccount, id: '77' }).id).toBe(77n);
  });

  it('names fields relative to the account', () => {
    const issues = issuesOf(() => parseFixtureAccount({ ...minimalAccount, username: 'no' }));
    expect(issues).toEqual([expect.objectContaining({ pointer: '/username', value: 'no' })]);
  });
});
