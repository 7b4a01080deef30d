import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Api, errors, password } from 'telegram';
import { startMockServer, type MockServer } from '../server/mock-server.js';
import { alice, type FixtureAccount } from './support/fixture-accounts.js';
import {
  authorizedUserId,
  checkPassword,
  emailCodeSettings,
  newPasswordSettings,
  rpcErrorOf,
  signInUntilPassword,
  signInWithCode,
  withClient,
} from './support/gramjs-flow.js';

let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent' });
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(async () => {
  await server.admin.reset();
});

describe('GramJS 2FA recovery with new settings', () => {
  it('recovers Alice and signs her in', async () => {
    await withClient(server, async (client) => {
      await signInUntilPassword(client, alice);

      const recovery = await client.invoke(new Api.auth.RequestPasswordRecovery());
      expect(recovery).toBeInstanceOf(Api.auth.PasswordRecovery);
      expect(recovery.emailPattern).toBe('a****@e******.com');

      const mail = await server.admin.mailbox('alice@example.com');
      expect(mail).toHaveLength(1);
      expect(mail[0].purpose).toBe('recovery');
      const code = mail[0].code;
      // Alice's fixture seeds the code, so it is known in advance.
      expect(code).toBe('246810');

      const checked = await client.invoke(new Api.auth.CheckRecoveryPassword({ code }));
      expect(checked).toBe(true);

      const newSettings = await newPasswordSettings(client, 'the new password', 'the new hint');
      const authorization = await client.invoke(
        new Api.auth.RecoverPassword({ code, newSettings }),
      );
      expect(authorization).toBeInstanceOf(Api.auth.Authorization);
      expect(authorizedUserId(authorization)).toBe(String(alice.id));

      const [self] = await client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] }));
      expect(self).toBeInstanceOf(Api.User);
      expect((self as Api.User).self).toBe(true);
      expect((self as Api.User).id.toString()).toBe(String(alice.id));
      expect((self as Api.User).firstName).toBe(alice.firstName);
      expect(await client.isUserAuthorized()).toBe(true);
    });

    // A new client has a new auth key, which must pass the 2FA check with the new password.
    await withClient(server, async (client) => {
      await signInUntilPassword(client, alice);

      const accountPassword = await client.invoke(new Api.account.GetPassword());
      expect(accountPassword.hasPassword).toBe(true);
      expect(accountPassword.hasRecovery).toBe(true);
      expect(accountPassword.hint).toBe('the new hint');

      const oldPassword = await rpcErrorOf(checkPassword(client, alice.password as string));
      expect(oldPassword).toMatchObject({ code: 400, errorMessage: 'PASSWORD_HASH_INVALID' });
      expect(await client.isUserAuthorized()).toBe(false);

      const authorization = await checkPassword(client, 'the new password');
      expect(authorization).toBeInstanceOf(Api.auth.Authorization);
      expect(authorizedUserId(authorization)).toBe(String(alice.id));

      const [self] = await client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] }));
      expect((self as Api.User).id.toString()).toBe(String(alice.id));
    });
  });

  it('recovers an added account with a generated code', async () => {
    const erin: FixtureAccount = {
      id: 5001,
      phone: '15550005001',
      firstName: 'Erin',
      password: 'erin-password',
      recoveryEmail: { address: 'erin@example.net', confirmed: true },
    };
    const added = await server.admin.addAccount({ ...erin, lastName: 'Generated' });
    expect(added.hasPassword).toBe(true);
    expect(added.recoveryEmail).toBe('erin@example.net');

    await withClient(server, async (client) => {
      await signInUntilPassword(client, erin);
      const recovery = await client.invoke(new Api.auth.RequestPasswordRecovery());
      expect(recovery.emailPattern).toBe('e***@e******.net');

      const mail = await server.admin.mailbox('erin@example.net');
      expect(mail).toHaveLength(1);
      const code = mail[0].code;
      expect(code).toMatch(new RegExp(`^\\d{${emailCodeSettings.length}}$`));

      expect(await client.invoke(new Api.auth.CheckRecoveryPassword({ code }))).toBe(true);
      const newSettings = await newPasswordSettings(client, 'erin recovered', '');
      const authorization = await client.invoke(
        new Api.auth.RecoverPassword({ code, newSettings }),
      );
      expect(authorizedUserId(authorization)).toBe('5001');
    });

    await withClient(server, async (client) => {
      await signInUntilPassword(client, erin);
      const authorization = await checkPassword(client, 'erin recovered');
      expect(authorizedUserId(authorization)).toBe('5001');
    });
  });

  it('mails a new random code for each request', async () => {
    const frank: FixtureAccount = {
      id: 5002,
      phone: '15550005002',
      firstName: 'Frank',
      password: 'frank-password',
      recoveryEmail: { address: 'frank@example.net', confirmed: true },
    };
    await server.admin.addAccount({ ...frank, lastName: 'Generated' });

    await withClient(server, async (client) => {
      await signInUntilPassword(client, frank);
      // Two 6-digit draws repeat with probability 1e-6, so three requests make a flake unlikely.
      for (let request = 0; request < 3; request++) {
        await client.invoke(new Api.auth.RequestPasswordRecovery());
      }
      const codes = (await server.admin.mailbox('frank@example.net')).map((mail) => mail.code);
      expect(codes).toHaveLength(3);
      expect(new Set(codes).size).toBeGreaterThan(1);

      // Only the newest code is valid, because each request replaces the earlier code.
      const newest = codes[2];
      const replaced = codes.find((code) => code !== newest) as string;
      const stale = await rpcErrorOf(
        client.invoke(new Api.auth.CheckRecoveryPassword({ code: replaced })),
      );
      expect(stale).toMatchObject({ code: 400, errorMessage: 'CODE_INVALID' });
      expect(await client.invoke(new Api.auth.CheckRecoveryPassword({ code: newest }))).toBe(true);
    });
  });
});

describe('GramJS 2FA recovery with a new email', () => {
  it('applies the password and waits for the email', async () => {
    await withClient(server, async (client) => {
      await signInUntilPassword(client, alice);
      await client.invoke(new Api.auth.RequestPasswordRecovery());
      const code = await server.admin.latestCode('alice@example.com');
      const newSettings = await newPasswordSettings(client, 'alice after recovery', '');
      newSettings.email = 'alice@example.org';

      // As with account.updatePasswordSettings, the new email gets EMAIL_UNCONFIRMED_X; the
      // password applies and the key is signed in all the same.
      const recover = client.invoke(new Api.auth.RecoverPassword({ code, newSettings }));
      await expect(recover).rejects.toBeInstanceOf(errors.EmailUnconfirmedError);
      await expect(recover).rejects.toMatchObject({ codeLength: 6 });
      expect(await client.isUserAuthorized()).toBe(true);

      const accountPassword = await client.invoke(new Api.account.GetPassword());
      expect(accountPassword.hasPassword).toBe(true);
      expect(accountPassword.hasRecovery).toBe(true);
      expect(accountPassword.emailUnconfirmedPattern).toBe('a****@e******.org');

      const [confirmation] = await server.admin.mailbox('alice@example.org');
      expect(confirmation.purpose).toBe('email-confirmation');
      const confirmed = await client.invoke(
        new Api.account.ConfirmPasswordEmail({ code: confirmation.code }),
      );
      expect(confirmed).toBe(true);

      const proof = await password.computeCheck(
        await client.invoke(new Api.account.GetPassword()),
        'alice after recovery',
      );
      const passwordSettings = await client.invoke(
        new Api.account.GetPasswordSettings({ password: proof }),
      );
      expect(passwordSettings.email).toBe('alice@example.org');
    });
  });
});

describe('GramJS 2FA recovery without new settings', () => {
  it('removes the password and signs in', async () => {
    await withClient(server, async (client) => {
      await signInUntilPassword(client, alice);
      await client.invoke(new Api.auth.RequestPasswordRecovery());
      const code = await server.admin.latestCode('alice@example.com');

      const authorization = await client.invoke(new Api.auth.RecoverPassword({ code }));
      expect(authorization).toBeInstanceOf(Api.auth.Authorization);
      expect(authorizedUserId(authorization)).toBe(String(alice.id));
      expect(await client.isUserAuthorized()).toBe(true);
      const me = await client.getMe();
      expect(me.id.toString()).toBe(String(alice.id));

      const accountPassword = await client.invoke(new Api.account.GetPassword());
      expect(accountPassword.hasPassword).toBe(false);
      // Removing the password also removes its recovery email.
      expect(accountPassword.hasRecovery).toBe(false);
      // GramJS reads an absent optional field as null.
      expect(accountPassword.currentAlgo).toBeNull();
      expect(accountPassword.srpId).toBeNull();
    });

    await withClient(server, async (client) => {
      // Without a password, auth.signIn authorizes the new key at once.
      const authorization = await signInWithCode(client, alice);
      expect(authorization).toBeInstanceOf(Api.auth.Authorization);
      expect(authorizedUserId(authorization)).toBe(String(alice.id));
      expect((await client.invoke(new Api.account.GetPassword())).hasPassword).toBe(false);
    });
  });
});
