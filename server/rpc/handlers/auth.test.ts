import { describe, expect, it } from 'vitest';
import { gramjsCheck, gramjsNewSettings } from '../../domain/gramjs-srp.test.helper.js';
import {
  ALICE,
  BOB,
  CAROL,
  createHarness,
  DAVE,
  signInWithCode,
  type Harness,
} from '../../domain/rpc-harness.test.helper.js';
import type { TlObject } from '../../tl/types.js';
import type { RpcContext } from '../context.js';

function rpcError(errorCode: number, errorMessage: string) {
  return { name: 'RpcError', errorCode, errorMessage };
}

async function sendCode(harness: Harness, ctx: RpcContext, phone: string): Promise<TlObject> {
  return (await harness.call(ctx, 'auth.sendCode', {
    phone_number: phone,
    api_id: 1,
    api_hash: 'hash',
    settings: { _: 'codeSettings' },
  })) as TlObject;
}

/** Signs a new key in up to the 2FA password check. */
async function pendingKey(harness: Harness, phone: string): Promise<RpcContext> {
  const ctx = harness.newKey();
  await expect(signInWithCode(harness, ctx, phone)).rejects.toMatchObject(
    rpcError(401, 'SESSION_PASSWORD_NEEDED'),
  );
  return ctx;
}

async function getPassword(harness: Harness, ctx: RpcContext): Promise<TlObject> {
  return (await harness.call(ctx, 'account.getPassword')) as TlObject;
}

async function checkPassword(harness: Harness, ctx: RpcContext, plaintext: string) {
  const check = await gramjsCheck(await getPassword(harness, ctx), plaintext);
  return harness.call(ctx, 'auth.checkPassword', { password: check });
}

describe('auth.sendCode', () => {
  it('sends an app code whose length matches the code', async () => {
    const harness = createHarness();
    const ctx = harness.newKey();
    const sent = await sendCode(harness, ctx, `+${ALICE.phone}`);
    expect(sent).toMatchObject({
      _: 'auth.sentCode',
      type: { _: 'auth.sentCodeTypeApp', length: 5 },
    });
    expect(sent.phone_code_hash).toMatch(/^[0-9a-f]{18}$/);
  });

  it('sends a code to an unknown phone for sign-up', async () => {
    const harness = createHarness();
    const sent = await sendCode(harness, harness.newKey(), '4915112345678');
    expect(sent._).toBe('auth.sentCode');
  });

  it('rejects an invalid phone number', async () => {
    const harness = createHarness();
    await expect(sendCode(harness, harness.newKey(), '12ab')).rejects.toMatchObject(
      rpcError(400, 'PHONE_NUMBER_INVALID'),
    );
  });
});

describe('auth.signIn', () => {
  it('signs in an account without 2FA', async () => {
    const harness = createHarness();
    const ctx = harness.newKey();
    const result = await signInWithCode(harness, ctx, DAVE.phone, DAVE.loginCode);
    expect(result).toMatchObject({
      _: 'auth.authorization',
      user: { _: 'user', self: true, id: DAVE.id, phone: DAVE.phone, first_name: 'Dave' },
    });
    expect(typeof (result as { user: TlObject }).user.access_hash).toBe('bigint');
    expect(ctx.auth).toEqual({ state: 'authorized', userId: DAVE.id });
  });

  it('asks for the 2FA password and limits the key', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    expect(ctx.auth).toEqual({ state: 'password_pending', userId: ALICE.id });
    for (const method of ['users.getUsers', 'updates.getState', 'account.resetPassword']) {
      await expect(harness.call(ctx, method)).rejects.toMatchObject(
        rpcError(401, 'SESSION_PASSWORD_NEEDED'),
      );
    }
  });

  it('rejects empty, wrong and stale codes and hashes', async () => {
    const harness = createHarness();
    const ctx = harness.newKey();
    const { phone_code_hash: hash } = await sendCode(harness, ctx, DAVE.phone);
    const signIn = (params: Record<string, unknown>) =>
      harness.call(ctx, 'auth.signIn', { phone_number: DAVE.phone, ...params });

    await expect(signIn({ phone_code_hash: '', phone_code: '12345' })).rejects.toMatchObject(
      rpcError(400, 'PHONE_CODE_HASH_EMPTY'),
    );
    await expect(signIn({ phone_code_hash: hash })).rejects.toMatchObject(
      rpcError(400, 'PHONE_CODE_EMPTY'),
    );
    await expect(signIn({ phone_code_hash: hash, phone_code: '' })).rejects.toMatchObject(
      rpcError(400, 'PHONE_CODE_EMPTY'),
    );
    await expect(
      signIn({ phone_code_hash: 'feedface', phone_code: '12345' }),
    ).rejects.toMatchObject(rpcError(400, 'PHONE_CODE_EXPIRED'));
    await expect(signIn({ phone_code_hash: hash, phone_code: '54321' })).rejects.toMatchObject(
      rpcError(400, 'PHONE_CODE_INVALID'),
    );
    await expect(
      harness.call(ctx, 'auth.signIn', {
        phone_number: BOB.phone,
        phone_code_hash: hash,
        phone_code: '12345',
      }),
    ).rejects.toMatchObject(rpcError(400, 'PHONE_CODE_EXPIRED'));
    expect(ctx.auth.state).toBe('unauthorized');

    await expect(signIn({ phone_code_hash: hash, phone_code: '12345' })).resolves.toMatchObject({
      _: 'auth.authorization',
    });
    await expect(signIn({ phone_code_hash: hash, phone_code: '12345' })).rejects.toMatchObject(
      rpcError(400, 'PHONE_CODE_EXPIRED'),
    );
  });

  it('expires a code after its lifetime', async () => {
    const harness = createHarness();
    const ctx = harness.newKey();
    const { phone_code_hash: hash } = await sendCode(harness, ctx, DAVE.phone);
    harness.clock.advance(300);
    await expect(
      harness.call(ctx, 'auth.signIn', {
        phone_number: DAVE.phone,
        phone_code_hash: hash,
        phone_code: DAVE.loginCode,
      }),
    ).rejects.toMatchObject(rpcError(400, 'PHONE_CODE_EXPIRED'));
  });
});

describe('auth.signUp', () => {
  const phone = '4915112345678';

  it('signs up an unknown phone after signUpRequired', async () => {
    const harness = createHarness();
    const ctx = harness.newKey();
    const { phone_code_hash: hash } = await sendCode(harness, ctx, phone);
    const signIn = await harness.call(ctx, 'auth.signIn', {
      phone_number: phone,
      phone_code_hash: hash,
      phone_code: '45678',
    });
    expect(signIn).toEqual({ _: 'auth.authorizationSignUpRequired' });
    expect(ctx.auth.state).toBe('unauthorized');

    const signUp = (firstName: string) =>
      harness.call(ctx, 'auth.signUp', {
        phone_number: phone,
        phone_code_hash: hash,
        first_name: firstName,
        last_name: 'Person',
      });
    await expect(signUp('  ')).rejects.toMatchObject(rpcError(400, 'FIRSTNAME_INVALID'));
    const result = (await signUp('New')) as { user: TlObject };
    expect(result.user).toMatchObject({ first_name: 'New', last_name: 'Person', phone });
    expect(ctx.auth).toEqual({ state: 'authorized', userId: result.user.id });
    expect(harness.domain.findAccountByPhone(phone)?.password).toBeUndefined();
    await expect(signUp('Again')).rejects.toMatchObject(rpcError(400, 'PHONE_CODE_EXPIRED'));
  });

  it('rejects a phone that has an account', async () => {
    const harness = createHarness();
    const ctx = harness.newKey();
    const { phone_code_hash: hash } = await sendCode(harness, ctx, DAVE.phone);
    await expect(
      harness.call(ctx, 'auth.signUp', {
        phone_number: DAVE.phone,
        phone_code_hash: hash,
        first_name: 'Dup',
        last_name: '',
      }),
    ).rejects.toMatchObject(rpcError(400, 'PHONE_NUMBER_OCCUPIED'));
  });
});

describe('auth.logOut', () => {
  it('signs the key out', async () => {
    const harness = createHarness();
    const ctx = harness.newKey();
    await signInWithCode(harness, ctx, DAVE.phone, DAVE.loginCode);
    expect(await harness.call(ctx, 'auth.logOut')).toEqual({ _: 'auth.loggedOut' });
    expect(ctx.auth.state).toBe('unauthorized');
    await expect(harness.call(ctx, 'users.getUsers')).rejects.toMatchObject(
      rpcError(401, 'AUTH_KEY_UNREGISTERED'),
    );
  });
});

describe('auth.checkPassword', () => {
  it('accepts the password that GramJS proves', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    const result = await checkPassword(harness, ctx, ALICE.password);
    expect(result).toMatchObject({ _: 'auth.authorization', user: { id: ALICE.id, self: true } });
    expect(ctx.auth).toEqual({ state: 'authorized', userId: ALICE.id });
  });

  it('rejects a wrong password and keeps the key pending', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    await expect(checkPassword(harness, ctx, 'alice-passwort')).rejects.toMatchObject(
      rpcError(400, 'PASSWORD_HASH_INVALID'),
    );
    expect(ctx.auth.state).toBe('password_pending');
  });

  it('rejects an empty check while a password exists', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, BOB.phone);
    await expect(
      harness.call(ctx, 'auth.checkPassword', { password: { _: 'inputCheckPasswordEmpty' } }),
    ).rejects.toMatchObject(rpcError(400, 'PASSWORD_HASH_INVALID'));
  });

  it('rejects unknown, foreign and expired srp_ids', async () => {
    const harness = createHarness();
    const alice = await pendingKey(harness, ALICE.phone);
    const bob = await pendingKey(harness, BOB.phone);
    const check = await gramjsCheck(await getPassword(harness, alice), ALICE.password);

    const unknown = { ...check, srp_id: (check.srp_id as bigint) ^ 1n };
    await expect(
      harness.call(alice, 'auth.checkPassword', { password: unknown }),
    ).rejects.toMatchObject(rpcError(400, 'SRP_ID_INVALID'));
    await expect(
      harness.call(bob, 'auth.checkPassword', { password: check }),
    ).rejects.toMatchObject(rpcError(400, 'SRP_ID_INVALID'));
    harness.clock.advance(30 * 60);
    await expect(
      harness.call(alice, 'auth.checkPassword', { password: check }),
    ).rejects.toMatchObject(rpcError(400, 'SRP_ID_INVALID'));
  });

  it('answers SRP_PASSWORD_CHANGED for an srp_id from before a change', async () => {
    const harness = createHarness();
    const stale = await pendingKey(harness, BOB.phone);
    const staleCheck = await gramjsCheck(await getPassword(harness, stale), BOB.password);

    const other = await pendingKey(harness, BOB.phone);
    await checkPassword(harness, other, BOB.password);
    const current = await getPassword(harness, other);
    await harness.call(other, 'account.updatePasswordSettings', {
      password: await gramjsCheck(current, BOB.password),
      new_settings: await gramjsNewSettings(current, 'bob-new-password'),
    });

    await expect(
      harness.call(stale, 'auth.checkPassword', { password: staleCheck }),
    ).rejects.toMatchObject(rpcError(400, 'SRP_PASSWORD_CHANGED'));
    await expect(checkPassword(harness, stale, 'bob-new-password')).resolves.toMatchObject({
      _: 'auth.authorization',
    });
  });

  it('needs a key that started signing in', async () => {
    const harness = createHarness();
    await expect(
      harness.call(harness.newKey(), 'auth.checkPassword', {
        password: { _: 'inputCheckPasswordEmpty' },
      }),
    ).rejects.toMatchObject(rpcError(401, 'AUTH_KEY_UNREGISTERED'));
  });
});

describe('auth.requestPasswordRecovery', () => {
  it('mails the seeded code and returns the masked address', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    const result = await harness.call(ctx, 'auth.requestPasswordRecovery');
    expect(result).toEqual({ _: 'auth.passwordRecovery', email_pattern: 'a****@e******.com' });
    expect(harness.domain.mailbox.list('alice@example.com')).toEqual([
      expect.objectContaining({ code: '246810', purpose: 'recovery', sentAt: harness.clock.now() }),
    ]);
  });

  it('rejects accounts without a confirmed email or a password', async () => {
    const harness = createHarness();
    for (const phone of [BOB.phone, CAROL.phone]) {
      const ctx = await pendingKey(harness, phone);
      await expect(harness.call(ctx, 'auth.requestPasswordRecovery')).rejects.toMatchObject(
        rpcError(400, 'PASSWORD_RECOVERY_NA'),
      );
    }
    const dave = harness.newKey();
    await signInWithCode(harness, dave, DAVE.phone, DAVE.loginCode);
    await expect(harness.call(dave, 'auth.requestPasswordRecovery')).rejects.toMatchObject(
      rpcError(400, 'PASSWORD_EMPTY'),
    );
    await expect(
      harness.call(harness.newKey(), 'auth.requestPasswordRecovery'),
    ).rejects.toMatchObject(rpcError(401, 'AUTH_KEY_UNREGISTERED'));
    expect(harness.domain.mailbox.list()).toEqual([]);
  });
});

describe('auth.checkRecoveryPassword', () => {
  it('checks a code without using it up', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    const check = (code: string) => harness.call(ctx, 'auth.checkRecoveryPassword', { code });

    await expect(check('246810')).rejects.toMatchObject(rpcError(400, 'PASSWORD_RECOVERY_EXPIRED'));
    await harness.call(ctx, 'auth.requestPasswordRecovery');
    await expect(check('')).rejects.toMatchObject(rpcError(400, 'CODE_EMPTY'));
    await expect(check('135790')).rejects.toMatchObject(rpcError(400, 'CODE_INVALID'));
    expect(await check('246810')).toBe(true);
    expect(await check('246810')).toBe(true);
    expect(ctx.auth.state).toBe('password_pending');
  });

  it('expires the code after its lifetime', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    await harness.call(ctx, 'auth.requestPasswordRecovery');
    harness.clock.advance(3599);
    expect(await harness.call(ctx, 'auth.checkRecoveryPassword', { code: '246810' })).toBe(true);
    harness.clock.advance(1);
    await expect(
      harness.call(ctx, 'auth.checkRecoveryPassword', { code: '246810' }),
    ).rejects.toMatchObject(rpcError(400, 'PASSWORD_RECOVERY_EXPIRED'));
  });

  it('answers FLOOD_WAIT after five wrong codes', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    await harness.call(ctx, 'auth.requestPasswordRecovery');
    const check = (code: string) => harness.call(ctx, 'auth.checkRecoveryPassword', { code });
    for (let i = 0; i < 5; i++) {
      await expect(check('000000')).rejects.toMatchObject(rpcError(400, 'CODE_INVALID'));
    }
    await expect(check('246810')).rejects.toMatchObject(rpcError(420, 'FLOOD_WAIT_300'));
    await expect(
      harness.call(ctx, 'auth.recoverPassword', { code: '246810' }),
    ).rejects.toMatchObject(rpcError(420, 'FLOOD_WAIT_300'));
    harness.clock.advance(300);
    expect(await check('246810')).toBe(true);
  });
});

describe('auth.recoverPassword', () => {
  it('removes the password without new settings and signs the key in', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    await harness.call(ctx, 'auth.requestPasswordRecovery');
    const result = await harness.call(ctx, 'auth.recoverPassword', { code: '246810' });
    expect(result).toMatchObject({ _: 'auth.authorization', user: { id: ALICE.id } });
    expect(ctx.auth).toEqual({ state: 'authorized', userId: ALICE.id });
    const password = await getPassword(harness, ctx);
    expect(password).toMatchObject({ has_password: false, has_recovery: false });
    // The password is gone with the code, so a second use reports that first.
    await expect(
      harness.call(ctx, 'auth.recoverPassword', { code: '246810' }),
    ).rejects.toMatchObject(rpcError(400, 'PASSWORD_EMPTY'));
  });

  it('sets the new password that GramJS computed', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    await harness.call(ctx, 'auth.requestPasswordRecovery');
    const newSettings = await gramjsNewSettings(await getPassword(harness, ctx), 'recovered-pw', {
      hint: 'new hint',
    });
    await harness.call(ctx, 'auth.recoverPassword', { code: '246810', new_settings: newSettings });
    expect(ctx.auth.state).toBe('authorized');

    await expect(
      harness.call(ctx, 'auth.recoverPassword', { code: '246810', new_settings: newSettings }),
    ).rejects.toMatchObject(rpcError(400, 'PASSWORD_RECOVERY_EXPIRED'));

    const next = await pendingKey(harness, ALICE.phone);
    expect((await getPassword(harness, next)).hint).toBe('new hint');
    await expect(checkPassword(harness, next, ALICE.password)).rejects.toMatchObject(
      rpcError(400, 'PASSWORD_HASH_INVALID'),
    );
    await expect(checkPassword(harness, next, 'recovered-pw')).resolves.toMatchObject({
      _: 'auth.authorization',
    });
  });

  it('rejects bad new settings and keeps the code', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    await harness.call(ctx, 'auth.requestPasswordRecovery');
    const good = await gramjsNewSettings(await getPassword(harness, ctx), 'recovered-pw');
    const algo = good.new_algo as TlObject;
    const salt1 = algo.salt1 as Buffer;
    const hash = good.new_password_hash as Buffer;
    const p = algo.p as Buffer;

    const cases: Array<[string, TlObject]> = [
      ['NEW_SALT_INVALID', { ...good, new_algo: { ...algo, salt1: salt1.subarray(0, 8) } }],
      ['NEW_SALT_INVALID', { ...good, new_algo: { ...algo, salt1: Buffer.alloc(40, 7) } }],
      ['NEW_SALT_INVALID', { ...good, new_algo: { ...algo, salt2: Buffer.alloc(16, 7) } }],
      ['NEW_SETTINGS_INVALID', { ...good, new_algo: { ...algo, g: 2 } }],
      ['NEW_SETTINGS_INVALID', { ...good, new_password_hash: hash.subarray(1) }],
      ['NEW_SETTINGS_INVALID', { ...good, new_password_hash: p }],
      ['NEW_SETTINGS_INVALID', { ...good, new_algo: { _: 'passwordKdfAlgoUnknown' } }],
      ['NEW_SETTINGS_INVALID', { _: 'account.passwordInputSettings', email: 'a@example.com' }],
      ['EMAIL_INVALID', { ...good, email: 'not an email' }],
    ];
    for (const [error, newSettings] of cases) {
      await expect(
        harness.call(ctx, 'auth.recoverPassword', { code: '246810', new_settings: newSettings }),
        error,
      ).rejects.toMatchObject(rpcError(400, error));
    }
    expect(ctx.auth.state).toBe('password_pending');
    await expect(
      harness.call(ctx, 'auth.recoverPassword', { code: '246810', new_settings: good }),
    ).resolves.toMatchObject({ _: 'auth.authorization' });
  });

  it('removes the password with passwordKdfAlgoUnknown and an empty hash', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    await harness.call(ctx, 'auth.requestPasswordRecovery');
    await harness.call(ctx, 'auth.recoverPassword', {
      code: '246810',
      new_settings: {
        _: 'account.passwordInputSettings',
        new_algo: { _: 'passwordKdfAlgoUnknown' },
        new_password_hash: Buffer.alloc(0),
        hint: '',
      },
    });
    expect((await getPassword(harness, ctx)).has_password).toBe(false);
  });

  it('keeps a new email in new settings pending until it is confirmed', async () => {
    const harness = createHarness();
    const ctx = await pendingKey(harness, ALICE.phone);
    await harness.call(ctx, 'auth.requestPasswordRecovery');
    const newSettings = await gramjsNewSettings(await getPassword(harness, ctx), 'recovered-pw', {
      email: 'alice.new@example.net',
    });
    await expect(
      harness.call(ctx, 'auth.recoverPassword', { code: '246810', new_settings: newSettings }),
    ).rejects.toMatchObject(rpcError(400, 'EMAIL_UNCONFIRMED_6'));
    expect(ctx.auth.state).toBe('authorized');

    const password = await getPassword(harness, ctx);
    expect(password).toMatchObject({
      has_password: true,
      has_recovery: true,
      email_unconfirmed_pattern: 'a********@e******.net',
    });
    const mail = harness.domain.mailbox.latest('alice.new@example.net');
    expect(mail?.purpose).toBe('email-confirmation');
    expect(await harness.call(ctx, 'account.confirmPasswordEmail', { code: mail!.code })).toBe(
      true,
    );
    expect(harness.domain.findAccount(ALICE.id)?.recoveryEmail).toBe('alice.new@example.net');
  });

  it('rejects empty codes, missing requests and accounts without recovery', async () => {
    const harness = createHarness();
    const alice = await pendingKey(harness, ALICE.phone);
    await expect(harness.call(alice, 'auth.recoverPassword', { code: '' })).rejects.toMatchObject(
      rpcError(400, 'CODE_EMPTY'),
    );
    await expect(
      harness.call(alice, 'auth.recoverPassword', { code: '246810' }),
    ).rejects.toMatchObject(rpcError(400, 'PASSWORD_RECOVERY_EXPIRED'));
    await harness.call(alice, 'auth.requestPasswordRecovery');
    await expect(
      harness.call(alice, 'auth.recoverPassword', { code: '111111' }),
    ).rejects.toMatchObject(rpcError(400, 'CODE_INVALID'));

    const bob = await pendingKey(harness, BOB.phone);
    await expect(
      harness.call(bob, 'auth.recoverPassword', { code: '246810' }),
    ).rejects.toMatchObject(rpcError(400, 'PASSWORD_RECOVERY_NA'));
  });
});
