import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Api, type TelegramClient } from 'telegram';
import {
  PASSWORD_RESET_RETRY_SECONDS,
  PASSWORD_RESET_WAIT_SECONDS,
} from '../server/domain/password-reset.js';
import { startMockServer, type MockServer } from '../server/mock-server.js';
import { alice, bob, dave, type FixtureAccount } from './support/fixture-accounts.js';
import {
  authorizedUserId,
  checkPassword,
  emailCodeSettings,
  MovableClock,
  newPasswordSettings,
  passwordCheck,
  rpcErrorOf,
  signInUntilPassword,
  signInWithCode,
  signInWithPassword,
  withClient,
} from './support/gramjs-flow.js';

const alicePassword = alice.password as string;
const bobPassword = bob.password as string;

// The reset tests move this clock by days. It never moves back, and every test uses new auth
// keys, which take the server's time from the key exchange.
const clock = new MovableClock();
let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent', clock });
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(async () => {
  await server.admin.reset();
});

function getPassword(client: TelegramClient): Promise<Api.account.Password> {
  return client.invoke(new Api.account.GetPassword());
}

async function getPasswordSettings(
  client: TelegramClient,
  plainPassword: string,
): Promise<Api.account.PasswordSettings> {
  const proof = await passwordCheck(client, plainPassword);
  return client.invoke(new Api.account.GetPasswordSettings({ password: proof }));
}

/** Checks on a new auth key that the account signs in with `plainPassword` and no other. */
async function expectLoginOnlyWith(
  account: FixtureAccount,
  plainPassword: string,
  rejectedPassword: string,
): Promise<void> {
  await withClient(server, async (client) => {
    await signInUntilPassword(client, account);
    const rejected = await rpcErrorOf(checkPassword(client, rejectedPassword));
    expect(rejected).toMatchObject({ code: 400, errorMessage: 'PASSWORD_HASH_INVALID' });
    const authorization = await checkPassword(client, plainPassword);
    expect(authorizedUserId(authorization)).toBe(String(account.id));
  });
}

/** Checks on a new auth key that the login code alone signs the account in. */
async function expectLoginWithoutPassword(account: FixtureAccount): Promise<void> {
  await withClient(server, async (client) => {
    const authorization = await signInWithCode(client, account);
    expect(authorization).toBeInstanceOf(Api.auth.Authorization);
    expect(authorizedUserId(authorization)).toBe(String(account.id));
  });
}

describe('GramJS updateTwoFaSettings', () => {
  it('sets a first password', async () => {
    await withClient(server, async (client) => {
      await signInWithCode(client, dave);
      expect((await getPassword(client)).hasPassword).toBe(false);

      await client.updateTwoFaSettings({ newPassword: 'dave-first', hint: 'dave hint' });

      const accountPassword = await getPassword(client);
      expect(accountPassword.hasPassword).toBe(true);
      expect(accountPassword.hint).toBe('dave hint');
      expect(accountPassword.hasRecovery).toBe(false);
      // The key that set the password stays signed in.
      expect(await client.isUserAuthorized()).toBe(true);
    });

    await expectLoginOnlyWith(dave, 'dave-first', 'dave-wrong');
  });

  it('changes a password', async () => {
    await withClient(server, async (client) => {
      await signInWithPassword(client, bob, bobPassword);

      const wrongCurrent = await rpcErrorOf(
        client.updateTwoFaSettings({ currentPassword: 'not bob', newPassword: 'bob-changed' }),
      );
      expect(wrongCurrent).toMatchObject({ code: 400, errorMessage: 'PASSWORD_HASH_INVALID' });

      await client.updateTwoFaSettings({
        currentPassword: bobPassword,
        newPassword: 'bob-changed',
        hint: 'changed',
      });
      expect((await getPassword(client)).hint).toBe('changed');
    });

    await expectLoginOnlyWith(bob, 'bob-changed', bobPassword);
  });

  it('removes a password', async () => {
    await withClient(server, async (client) => {
      await signInWithPassword(client, bob, bobPassword);
      await client.updateTwoFaSettings({ currentPassword: bobPassword });

      const accountPassword = await getPassword(client);
      expect(accountPassword.hasPassword).toBe(false);
      expect(accountPassword.srpId).toBeNull();
    });

    await expectLoginWithoutPassword(bob);
  });

  it('sets a password with a confirmed email', async () => {
    const codeLengths: number[] = [];
    const codeErrors: string[] = [];

    await withClient(server, async (client) => {
      await signInWithCode(client, dave);
      await client.updateTwoFaSettings({
        newPassword: 'dave-with-email',
        hint: 'dave hint',
        email: 'dave@example.com',
        emailCodeCallback: async (length) => {
          codeLengths.push(length);
          // The first code is wrong on purpose, so that GramJS's retry loop runs once.
          if (codeLengths.length === 1) return '000000';
          return server.admin.latestCode('dave@example.com');
        },
        onEmailCodeError: (error) => {
          codeErrors.push((error as { errorMessage?: string }).errorMessage ?? error.message);
          // GramJS calls emailCodeCallback again after every error, so stop a loop that never ends.
          if (codeErrors.length > 1) throw error;
        },
      });

      expect(codeLengths).toEqual([emailCodeSettings.length, emailCodeSettings.length]);
      expect(codeErrors).toEqual(['CODE_INVALID']);

      const accountPassword = await getPassword(client);
      expect(accountPassword.hasPassword).toBe(true);
      expect(accountPassword.hasRecovery).toBe(true);
      expect(accountPassword.emailUnconfirmedPattern).toBeNull();

      const passwordSettings = await getPasswordSettings(client, 'dave-with-email');
      expect(passwordSettings.email).toBe('dave@example.com');
    });

    // The confirmed email now serves password recovery on a new key.
    await withClient(server, async (client) => {
      await signInUntilPassword(client, dave);
      const recovery = await client.invoke(new Api.auth.RequestPasswordRecovery());
      expect(recovery.emailPattern).toBe('d***@e******.com');
      const mail = await server.admin.mailbox('dave@example.com');
      expect(mail.map((message) => message.purpose)).toEqual(['email-confirmation', 'recovery']);
    });
  });
});

describe('GramJS password email confirmation', () => {
  it('resends and confirms the email code', async () => {
    await withClient(server, async (client) => {
      await signInWithPassword(client, alice, alicePassword);
      const newSettings = new Api.account.PasswordInputSettings({ email: 'alice@example.net' });
      const unconfirmed = await rpcErrorOf(
        client.invoke(
          new Api.account.UpdatePasswordSettings({
            password: await passwordCheck(client, alicePassword),
            newSettings,
          }),
        ),
      );
      expect(unconfirmed.code).toBe(400);
      expect((await getPassword(client)).emailUnconfirmedPattern).toBe('a****@e******.net');

      expect(await client.invoke(new Api.account.ResendPasswordEmail())).toBe(true);
      const mail = await server.admin.mailbox('alice@example.net');
      expect(mail).toHaveLength(2);

      const wrong = await rpcErrorOf(
        client.invoke(new Api.account.ConfirmPasswordEmail({ code: 'wrong' })),
      );
      expect(wrong).toMatchObject({ code: 400, errorMessage: 'CODE_INVALID' });

      const code = mail[1].code;
      expect(await client.invoke(new Api.account.ConfirmPasswordEmail({ code }))).toBe(true);
      const accountPassword = await getPassword(client);
      expect(accountPassword.emailUnconfirmedPattern).toBeNull();
      const passwordSettings = await getPasswordSettings(client, alicePassword);
      expect(passwordSettings.email).toBe('alice@example.net');
    });
  });

  it('cancels a pending email', async () => {
    await withClient(server, async (client) => {
      await signInWithCode(client, dave);
      const newSettings = await newPasswordSettings(client, 'dave-pending', '');
      newSettings.email = 'dave@example.com';
      await rpcErrorOf(
        client.invoke(
          new Api.account.UpdatePasswordSettings({
            password: new Api.InputCheckPasswordEmpty(),
            newSettings,
          }),
        ),
      );

      expect(await client.invoke(new Api.account.CancelPasswordEmail())).toBe(true);
      const accountPassword = await getPassword(client);
      expect(accountPassword.emailUnconfirmedPattern).toBeNull();
      // The password waited for the email, so cancelling drops it too.
      expect(accountPassword.hasPassword).toBe(false);

      const code = await server.admin.latestCode('dave@example.com');
      const late = await rpcErrorOf(client.invoke(new Api.account.ConfirmPasswordEmail({ code })));
      expect(late).toMatchObject({ code: 400, errorMessage: 'EMAIL_HASH_EXPIRED' });
    });
  });
});

describe('GramJS account.getPasswordSettings', () => {
  it('returns the recovery email', async () => {
    await withClient(server, async (client) => {
      await signInWithPassword(client, alice, alicePassword);
      const passwordSettings = await getPasswordSettings(client, alicePassword);
      expect(passwordSettings).toBeInstanceOf(Api.account.PasswordSettings);
      expect(passwordSettings.email).toBe('alice@example.com');

      const wrong = await rpcErrorOf(getPasswordSettings(client, 'not alice'));
      expect(wrong).toMatchObject({ code: 400, errorMessage: 'PASSWORD_HASH_INVALID' });
    });

    await withClient(server, async (client) => {
      await signInWithPassword(client, bob, bobPassword);
      const passwordSettings = await getPasswordSettings(client, bobPassword);
      expect(passwordSettings.email).toBeNull();
    });
  });
});

describe('GramJS account.resetPassword', () => {
  it('removes the password after the wait', async () => {
    await withClient(server, async (client) => {
      await signInWithPassword(client, bob, bobPassword);

      const before = clock.unixSeconds();
      const requested = await client.invoke(new Api.account.ResetPassword());
      const after = clock.unixSeconds();
      expect(requested).toBeInstanceOf(Api.account.ResetPasswordRequestedWait);
      const untilDate = (requested as Api.account.ResetPasswordRequestedWait).untilDate;
      expect(untilDate).toBeGreaterThanOrEqual(before + PASSWORD_RESET_WAIT_SECONDS);
      expect(untilDate).toBeLessThanOrEqual(after + PASSWORD_RESET_WAIT_SECONDS);
      expect((await getPassword(client)).pendingResetDate).toBe(untilDate);

      // Asking again during the wait returns the same date and removes nothing.
      const waiting = await client.invoke(new Api.account.ResetPassword());
      expect(waiting).toBeInstanceOf(Api.account.ResetPasswordRequestedWait);
      expect((waiting as Api.account.ResetPasswordRequestedWait).untilDate).toBe(untilDate);
      expect((await getPassword(client)).hasPassword).toBe(true);

      clock.advanceSeconds(untilDate - clock.unixSeconds() + 1);
      // GramJS's msg_ids now lag a week behind. It corrects its time offset after the server's
      // bad_msg_notification 16 and sends the call again.
      const done = await client.invoke(new Api.account.ResetPassword());
      expect(done).toBeInstanceOf(Api.account.ResetPasswordOk);
      const accountPassword = await getPassword(client);
      expect(accountPassword.hasPassword).toBe(false);
      expect(accountPassword.pendingResetDate).toBeNull();
    });

    await expectLoginWithoutPassword(bob);
  });

  it('declines a pending reset', async () => {
    await withClient(server, async (client) => {
      await signInWithPassword(client, bob, bobPassword);
      const missing = await rpcErrorOf(client.invoke(new Api.account.DeclinePasswordReset()));
      expect(missing).toMatchObject({ code: 400, errorMessage: 'RESET_REQUEST_MISSING' });

      await client.invoke(new Api.account.ResetPassword());
      expect(await client.invoke(new Api.account.DeclinePasswordReset())).toBe(true);
      const accountPassword = await getPassword(client);
      expect(accountPassword.pendingResetDate).toBeNull();
      expect(accountPassword.hasPassword).toBe(true);

      const before = clock.unixSeconds();
      const failed = await client.invoke(new Api.account.ResetPassword());
      expect(failed).toBeInstanceOf(Api.account.ResetPasswordFailedWait);
      const retryDate = (failed as Api.account.ResetPasswordFailedWait).retryDate;
      // The retry date was fixed by the decline, which came before `before`.
      expect(retryDate).toBeLessThanOrEqual(before + PASSWORD_RESET_RETRY_SECONDS);
      expect(retryDate).toBeGreaterThan(before);

      const again = await rpcErrorOf(client.invoke(new Api.account.DeclinePasswordReset()));
      expect(again).toMatchObject({ code: 400, errorMessage: 'RESET_REQUEST_MISSING' });

      clock.advanceSeconds(retryDate - clock.unixSeconds() + 1);
      const renewed = await client.invoke(new Api.account.ResetPassword());
      expect(renewed).toBeInstanceOf(Api.account.ResetPasswordRequestedWait);
    });

    // Declining kept the password.
    await expectLoginOnlyWith(bob, bobPassword, 'not bob');
  });

  it('drops a pending reset on a password change', async () => {
    await withClient(server, async (client) => {
      await signInWithPassword(client, bob, bobPassword);
      await client.invoke(new Api.account.ResetPassword());
      expect((await getPassword(client)).pendingResetDate).not.toBeNull();

      await client.updateTwoFaSettings({ currentPassword: bobPassword, newPassword: 'bob-new' });
      expect((await getPassword(client)).pendingResetDate).toBeNull();
    });
  });

  it('raises PASSWORD_EMPTY without a password', async () => {
    await withClient(server, async (client) => {
      await signInWithCode(client, dave);
      const empty = await rpcErrorOf(client.invoke(new Api.account.ResetPassword()));
      expect(empty).toMatchObject({ code: 400, errorMessage: 'PASSWORD_EMPTY' });
    });
  });
});
