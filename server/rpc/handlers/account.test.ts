import { describe, expect, it } from 'vitest';
import { DH_PRIME } from '../../crypto/telegram-prime.js';
import { gramjsCheck, gramjsNewSettings } from '../../domain/gramjs-srp.test.helper.js';
import {
  ALICE,
  BOB,
  CAROL,
  createHarness,
  DAVE,
  type Harness,
} from '../../domain/rpc-harness.test.helper.js';
import { SRP_ALGO_NAME } from '../../domain/srp.js';
import type { TlObject } from '../../tl/types.js';
import type { RpcContext } from '../context.js';

const SEVEN_DAYS = 7 * 24 * 60 * 60;

function rpcError(errorCode: number, errorMessage: string) {
  return { name: 'RpcError', errorCode, errorMessage };
}

/** Creates a key already signed in to the account. auth.test.ts covers the sign-in flows. */
function signedInKey(harness: Harness, userId: bigint): RpcContext {
  const ctx = harness.newKey();
  ctx.auth.state = 'authorized';
  ctx.auth.userId = userId;
  return ctx;
}

async function getPassword(harness: Harness, ctx: RpcContext): Promise<TlObject> {
  return (await harness.call(ctx, 'account.getPassword')) as TlObject;
}

/** Proves `plaintext` with GramJS through account.getPasswordSettings. */
async function passwordWorks(harness: Harness, ctx: RpcContext, plaintext: string) {
  const check = await gramjsCheck(await getPassword(harness, ctx), plaintext);
  try {
    await harness.call(ctx, 'account.getPasswordSettings', { password: check });
    return true;
  } catch (error) {
    expect(error).toMatchObject(rpcError(400, 'PASSWORD_HASH_INVALID'));
    return false;
  }
}

/** Sets, changes or removes a password the way GramJS updateTwoFaSettings does. */
async function updatePassword(
  harness: Harness,
  ctx: RpcContext,
  current: string | undefined,
  next: string | undefined,
  extra: { hint?: string; email?: string } = {},
) {
  const password = await getPassword(harness, ctx);
  const check =
    current === undefined ? { _: 'inputCheckPasswordEmpty' } : await gramjsCheck(password, current);
  const newSettings =
    next === undefined
      ? { ...(await gramjsNewSettings(password, 'unused')), new_password_hash: Buffer.alloc(0) }
      : await gramjsNewSettings(password, next, extra);
  return harness.call(ctx, 'account.updatePasswordSettings', {
    password: check,
    new_settings: newSettings,
  });
}

describe('account.getPassword', () => {
  it('describes no password to a key without a user', async () => {
    const harness = createHarness();
    const password = await getPassword(harness, harness.newKey());
    expect(password).toMatchObject({
      _: 'account.password',
      has_password: false,
      has_recovery: false,
      new_algo: { _: SRP_ALGO_NAME, g: 3, p: DH_PRIME },
      new_secure_algo: { _: 'securePasswordKdfAlgoSHA512' },
    });
    expect((password.new_algo as TlObject).salt1).toHaveLength(8);
    expect(password.secure_random).toHaveLength(256);
    expect(password.srp_id).toBeUndefined();
    expect(password.current_algo).toBeUndefined();
  });

  it('issues a fresh 256-byte srp_B and srp_id for a password', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, ALICE.id);
    const first = await getPassword(harness, ctx);
    const second = await getPassword(harness, ctx);
    expect(first).toMatchObject({
      has_password: true,
      has_recovery: true,
      hint: "alice's usual",
      current_algo: { _: SRP_ALGO_NAME, g: 3, p: DH_PRIME },
    });
    expect((first.current_algo as TlObject).salt1).toHaveLength(40);
    expect(first.srp_B).toHaveLength(256);
    expect(first.srp_id).not.toBe(second.srp_id);
    expect(first.email_unconfirmed_pattern).toBeUndefined();
  });

  it('shows an unconfirmed recovery email as a pattern', async () => {
    const harness = createHarness();
    const password = await getPassword(harness, signedInKey(harness, CAROL.id));
    expect(password).toMatchObject({
      has_password: true,
      has_recovery: false,
      email_unconfirmed_pattern: 'c****@e******.org',
    });
  });
});

describe('account.updatePasswordSettings', () => {
  it('sets, changes and removes a password', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, DAVE.id);
    const before = await getPassword(harness, ctx);

    expect(await updatePassword(harness, ctx, undefined, 'first-pw', { hint: 'one' })).toBe(true);
    const afterSet = await getPassword(harness, ctx);
    expect(afterSet).toMatchObject({ has_password: true, hint: 'one' });
    const offered = (before.new_algo as TlObject).salt1 as Buffer;
    expect(((afterSet.current_algo as TlObject).salt1 as Buffer).subarray(0, 8)).toEqual(offered);
    expect((afterSet.new_algo as TlObject).salt1).not.toEqual(offered);
    expect(await passwordWorks(harness, ctx, 'first-pw')).toBe(true);

    expect(await updatePassword(harness, ctx, 'first-pw', 'second-pw')).toBe(true);
    expect(await passwordWorks(harness, ctx, 'first-pw')).toBe(false);
    expect(await passwordWorks(harness, ctx, 'second-pw')).toBe(true);

    expect(await updatePassword(harness, ctx, 'second-pw', undefined)).toBe(true);
    expect((await getPassword(harness, ctx)).has_password).toBe(false);
  });

  it('removes a password with passwordKdfAlgoUnknown, as mtcute does', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, BOB.id);
    const check = await gramjsCheck(await getPassword(harness, ctx), BOB.password);
    await harness.call(ctx, 'account.updatePasswordSettings', {
      password: check,
      new_settings: {
        _: 'account.passwordInputSettings',
        new_algo: { _: 'passwordKdfAlgoUnknown' },
        new_password_hash: Buffer.alloc(0),
        hint: '',
      },
    });
    expect((await getPassword(harness, ctx)).has_password).toBe(false);
  });

  it('checks the current password first', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, BOB.id);
    await expect(updatePassword(harness, ctx, undefined, 'x')).rejects.toMatchObject(
      rpcError(400, 'PASSWORD_HASH_INVALID'),
    );
    await expect(updatePassword(harness, ctx, 'not-bob', 'x')).rejects.toMatchObject(
      rpcError(400, 'PASSWORD_HASH_INVALID'),
    );
    expect(await passwordWorks(harness, ctx, BOB.password)).toBe(true);
  });

  it('answers NEW_SETTINGS_EMPTY when nothing would change', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, DAVE.id);
    await expect(updatePassword(harness, ctx, undefined, undefined)).rejects.toMatchObject(
      rpcError(400, 'NEW_SETTINGS_EMPTY'),
    );
    await expect(
      harness.call(ctx, 'account.updatePasswordSettings', {
        password: { _: 'inputCheckPasswordEmpty' },
        new_settings: { _: 'account.passwordInputSettings' },
      }),
    ).rejects.toMatchObject(rpcError(400, 'NEW_SETTINGS_EMPTY'));
  });

  it('rejects invalid salts, hashes and emails', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, DAVE.id);
    const good = await gramjsNewSettings(await getPassword(harness, ctx), 'pw');
    const algo = good.new_algo as TlObject;
    const cases: Array<[string, TlObject]> = [
      ['NEW_SALT_INVALID', { ...good, new_algo: { ...algo, salt1: Buffer.alloc(40) } }],
      ['NEW_SETTINGS_INVALID', { ...good, new_password_hash: Buffer.alloc(256) }],
      ['NEW_SETTINGS_INVALID', { ...good, new_algo: { ...algo, p: Buffer.alloc(256, 1) } }],
      ['EMAIL_INVALID', { ...good, email: 'dave@' }],
      ['NEW_SETTINGS_INVALID', { _: 'account.passwordInputSettings', email: 'dave@example.com' }],
    ];
    for (const [error, newSettings] of cases) {
      await expect(
        harness.call(ctx, 'account.updatePasswordSettings', {
          password: { _: 'inputCheckPasswordEmpty' },
          new_settings: newSettings,
        }),
        error,
      ).rejects.toMatchObject(rpcError(400, error));
    }
    expect((await getPassword(harness, ctx)).has_password).toBe(false);
  });

  it('applies a change with a new email only after confirmation', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, DAVE.id);
    await expect(
      updatePassword(harness, ctx, undefined, 'dave-pw', { email: 'dave@example.com' }),
    ).rejects.toMatchObject(rpcError(400, 'EMAIL_UNCONFIRMED_6'));

    expect(await getPassword(harness, ctx)).toMatchObject({
      has_password: false,
      email_unconfirmed_pattern: 'd***@e******.com',
    });
    const mail = harness.domain.mailbox.latest('dave@example.com')!;
    expect(mail.purpose).toBe('email-confirmation');
    expect(mail.code).toMatch(/^[0-9]{6}$/);

    const wrong = mail.code === '000000' ? '111111' : '000000';
    await expect(
      harness.call(ctx, 'account.confirmPasswordEmail', { code: wrong }),
    ).rejects.toMatchObject(rpcError(400, 'CODE_INVALID'));
    expect(await harness.call(ctx, 'account.confirmPasswordEmail', { code: mail.code })).toBe(true);

    expect(await getPassword(harness, ctx)).toMatchObject({
      has_password: true,
      has_recovery: true,
    });
    expect(await passwordWorks(harness, ctx, 'dave-pw')).toBe(true);
    await expect(
      harness.call(ctx, 'account.confirmPasswordEmail', { code: mail.code }),
    ).rejects.toMatchObject(rpcError(400, 'EMAIL_HASH_EXPIRED'));
  });

  it('removes the recovery email when given an empty one', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, ALICE.id);
    const check = await gramjsCheck(await getPassword(harness, ctx), ALICE.password);
    await harness.call(ctx, 'account.updatePasswordSettings', {
      password: check,
      new_settings: { _: 'account.passwordInputSettings', email: '' },
    });
    expect(await getPassword(harness, ctx)).toMatchObject({
      has_password: true,
      has_recovery: false,
    });
  });
});

describe('account.getPasswordSettings', () => {
  it('returns the confirmed recovery email', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, ALICE.id);
    const check = await gramjsCheck(await getPassword(harness, ctx), ALICE.password);
    expect(await harness.call(ctx, 'account.getPasswordSettings', { password: check })).toEqual({
      _: 'account.passwordSettings',
      email: 'alice@example.com',
    });
    await expect(
      harness.call(ctx, 'account.getPasswordSettings', {
        password: { _: 'inputCheckPasswordEmpty' },
      }),
    ).rejects.toMatchObject(rpcError(400, 'PASSWORD_HASH_INVALID'));
  });
});

describe('recovery email confirmation', () => {
  it('confirms a fixture email after resending the code', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, CAROL.id);
    await expect(
      harness.call(ctx, 'account.confirmPasswordEmail', { code: '123456' }),
    ).rejects.toMatchObject(rpcError(400, 'EMAIL_HASH_EXPIRED'));

    expect(await harness.call(ctx, 'account.resendPasswordEmail')).toBe(true);
    const first = harness.domain.mailbox.latest('carol@example.org')!;
    expect(await harness.call(ctx, 'account.resendPasswordEmail')).toBe(true);
    const second = harness.domain.mailbox.latest('carol@example.org')!;
    expect(harness.domain.mailbox.list('carol@example.org')).toHaveLength(2);

    if (first.code !== second.code) {
      await expect(
        harness.call(ctx, 'account.confirmPasswordEmail', { code: first.code }),
      ).rejects.toMatchObject(rpcError(400, 'CODE_INVALID'));
    }
    expect(await harness.call(ctx, 'account.confirmPasswordEmail', { code: second.code })).toBe(
      true,
    );
    expect(await getPassword(harness, ctx)).toMatchObject({ has_recovery: true });
    expect((await getPassword(harness, ctx)).email_unconfirmed_pattern).toBeUndefined();
    expect(await passwordWorks(harness, ctx, CAROL.password)).toBe(true);
  });

  it('expires a confirmation code', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, CAROL.id);
    await harness.call(ctx, 'account.resendPasswordEmail');
    const { code } = harness.domain.mailbox.latest('carol@example.org')!;
    harness.clock.advance(3600);
    await expect(harness.call(ctx, 'account.confirmPasswordEmail', { code })).rejects.toMatchObject(
      rpcError(400, 'EMAIL_HASH_EXPIRED'),
    );
  });

  it('cancels a pending email', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, CAROL.id);
    expect(await harness.call(ctx, 'account.cancelPasswordEmail')).toBe(true);
    expect((await getPassword(harness, ctx)).email_unconfirmed_pattern).toBeUndefined();
    for (const method of [
      'account.cancelPasswordEmail',
      'account.resendPasswordEmail',
      'account.confirmPasswordEmail',
    ]) {
      await expect(harness.call(ctx, method, { code: '123456' }), method).rejects.toMatchObject(
        rpcError(400, 'EMAIL_HASH_EXPIRED'),
      );
    }
  });
});

describe('account.resetPassword', () => {
  it('waits 7 days, then removes the password', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, BOB.id);
    const start = Math.floor(harness.clock.now() / 1000);
    const requested = { _: 'account.resetPasswordRequestedWait', until_date: start + SEVEN_DAYS };

    expect(await harness.call(ctx, 'account.resetPassword')).toEqual(requested);
    expect((await getPassword(harness, ctx)).pending_reset_date).toBe(start + SEVEN_DAYS);
    harness.clock.advance(SEVEN_DAYS - 1);
    expect(await harness.call(ctx, 'account.resetPassword')).toEqual(requested);
    harness.clock.advance(1);
    expect(await harness.call(ctx, 'account.resetPassword')).toEqual({
      _: 'account.resetPasswordOk',
    });

    const password = await getPassword(harness, ctx);
    expect(password.has_password).toBe(false);
    expect(password.pending_reset_date).toBeUndefined();
    await expect(harness.call(ctx, 'account.resetPassword')).rejects.toMatchObject(
      rpcError(400, 'PASSWORD_EMPTY'),
    );
  });

  it('makes a declined reset wait before the next request', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, BOB.id);
    await harness.call(ctx, 'account.resetPassword');
    expect(await harness.call(ctx, 'account.declinePasswordReset')).toBe(true);
    expect((await getPassword(harness, ctx)).pending_reset_date).toBeUndefined();
    await expect(harness.call(ctx, 'account.declinePasswordReset')).rejects.toMatchObject(
      rpcError(400, 'RESET_REQUEST_MISSING'),
    );

    const declinedAt = Math.floor(harness.clock.now() / 1000);
    harness.clock.advance(60);
    expect(await harness.call(ctx, 'account.resetPassword')).toEqual({
      _: 'account.resetPasswordFailedWait',
      retry_date: declinedAt + SEVEN_DAYS,
    });
    harness.clock.advance(SEVEN_DAYS);
    expect(await harness.call(ctx, 'account.resetPassword')).toMatchObject({
      _: 'account.resetPasswordRequestedWait',
    });
    expect(await passwordWorks(harness, ctx, BOB.password)).toBe(true);
  });

  it('needs a password to reset', async () => {
    const harness = createHarness();
    const ctx = signedInKey(harness, DAVE.id);
    await expect(harness.call(ctx, 'account.resetPassword')).rejects.toMatchObject(
      rpcError(400, 'PASSWORD_EMPTY'),
    );
    await expect(harness.call(ctx, 'account.declinePasswordReset')).rejects.toMatchObject(
      rpcError(400, 'RESET_REQUEST_MISSING'),
    );
  });
});
