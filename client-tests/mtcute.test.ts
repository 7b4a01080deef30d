import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tl, type TelegramClient } from '@mtcute/node';
import { createMtcuteClient, type MtcuteTransport } from '../server/adapters/mtcute.js';
import { startMockServer, type MockServer } from '../server/mock-server.js';
import {
  alice,
  bob,
  dave,
  loginCodeOf,
  targetOf,
  type FixtureAccount,
} from './support/fixture-accounts.js';
import { flowTitle, installedVersion, suiteTitle } from './support/suite-names.js';

const VERSION = installedVersion('@mtcute/node');
const NEW_PASSWORD = 'alice-recovered-password';

/** mtmock transport names mapped to the labels the compatibility matrix shows. */
const transports: Array<[MtcuteTransport, string]> = [
  ['intermediate', 'intermediate'],
  ['obfuscated-intermediate', 'obfuscated intermediate'],
  ['websocket', 'WebSocket'],
];

let server: MockServer;
const clients: TelegramClient[] = [];

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent' });
});

beforeEach(async () => {
  // Back to the fixtures: the recovery tests change Alice's password.
  await server.admin.reset();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
});

afterAll(async () => {
  await server?.stop();
});

for (const [transport, label] of transports) {
  describe(suiteTitle('mtcute', VERSION, tl.LAYER, label), () => {
    function newClient(): TelegramClient {
      const client = createMtcuteClient(targetOf(server), { transport });
      clients.push(client);
      return client;
    }

    /** Sends the login code and signs in, which must end in SESSION_PASSWORD_NEEDED. */
    async function reachPasswordStep(client: TelegramClient, account: FixtureAccount) {
      const sent = await client.sendCode({ phone: account.phone });
      if (!('phoneCodeHash' in sent)) throw new Error('auth.sendCode signed in without a code');
      const signIn = client.signIn({
        phone: account.phone,
        phoneCodeHash: sent.phoneCodeHash,
        phoneCode: loginCodeOf(account),
      });
      await expect(signIn).rejects.toMatchObject({ code: 401, text: 'SESSION_PASSWORD_NEEDED' });
    }

    it(flowTitle('connect', 'receives config in its layer'), async () => {
      const client = newClient();

      const config = await client.call({ _: 'help.getConfig' });

      expect(config.thisDc).toBe(2);
      expect(config.dcOptions).toHaveLength(1);
      expect(config.dcOptions[0].ipAddress).toBe(server.host);
      expect(config.dcOptions[0].port).toBe(server.port);
      // A handshake that the client rejected leaves an unused key, so count only used ones.
      const keys = [...server.keys.values()].filter((key) => key.client !== undefined);
      expect(keys).toHaveLength(1);
      expect(keys[0].layer).toBe(tl.LAYER);
      expect(keys[0].client?.deviceModel).toMatch(/^mtcute/);
    });

    it(flowTitle('sign-in', 'with a login code'), async () => {
      const client = newClient();

      const sent = await client.sendCode({ phone: dave.phone });
      if (!('phoneCodeHash' in sent)) throw new Error('auth.sendCode signed in without a code');
      const user = await client.signIn({
        phone: dave.phone,
        phoneCodeHash: sent.phoneCodeHash,
        phoneCode: loginCodeOf(dave),
      });

      expect(user.id).toBe(dave.id);
      const me = await client.getMe();
      expect(me.id).toBe(dave.id);
      expect(me.firstName).toBe(dave.firstName);
    });

    it(flowTitle('sign-in-2fa', 'with checkPassword'), async () => {
      const client = newClient();
      await reachPasswordStep(client, alice);

      const wrong = client.checkPassword('not-the-password');
      await expect(wrong).rejects.toMatchObject({ code: 400, text: 'PASSWORD_HASH_INVALID' });
      const user = await client.checkPassword(alice.password!);

      expect(user.id).toBe(alice.id);
      expect((await client.getMe()).id).toBe(alice.id);
    });

    it(flowTitle('recovery', 'sets a new password'), async () => {
      const client = newClient();
      await reachPasswordStep(client, alice);

      const emailPattern = await client.sendRecoveryCode();
      expect(emailPattern).toMatch(/^a\*+@/);
      const code = await server.admin.latestCode(alice.recoveryEmail!.address);
      const checked = await client.call({ _: 'auth.checkRecoveryPassword', code });
      expect(checked).toBe(true);

      // mtcute's recoverPassword() sends no new_settings, so the raw call carries them.
      const password = await client.call({ _: 'account.getPassword' });
      const newAlgo = password.newAlgo;
      // computeNewPasswordHash appends 32 random bytes to newAlgo.salt1 in place.
      const newPasswordHash = await client.computeNewPasswordHash(newAlgo, NEW_PASSWORD);
      const recovered = await client.call({
        _: 'auth.recoverPassword',
        code,
        newSettings: {
          _: 'account.passwordInputSettings',
          newAlgo,
          newPasswordHash,
          hint: 'recovered',
        },
      });
      expect(recovered._).toBe('auth.authorization');
      if (recovered._ === 'auth.authorization') expect(recovered.user.id).toBe(alice.id);

      const fresh = newClient();
      await reachPasswordStep(fresh, alice);
      const oldPassword = fresh.checkPassword(alice.password!);
      await expect(oldPassword).rejects.toMatchObject({ text: 'PASSWORD_HASH_INVALID' });
      const user = await fresh.checkPassword(NEW_PASSWORD);
      expect(user.id).toBe(alice.id);
    });

    it(flowTitle('recovery', 'recoverPassword() removes the password'), async () => {
      const client = newClient();
      await reachPasswordStep(client, alice);
      await client.sendRecoveryCode();
      const code = await server.admin.latestCode(alice.recoveryEmail!.address);

      const user = await client.recoverPassword({ recoveryCode: code });

      expect(user.id).toBe(alice.id);
      const fresh = newClient();
      const sent = await fresh.sendCode({ phone: alice.phone });
      if (!('phoneCodeHash' in sent)) throw new Error('auth.sendCode signed in without a code');
      const signedIn = await fresh.signIn({
        phone: alice.phone,
        phoneCodeHash: sent.phoneCodeHash,
        phoneCode: loginCodeOf(alice),
      });
      expect(signedIn.id).toBe(alice.id);
    });

    it(flowTitle('errors', 'CODE_EMPTY from recoverPassword'), async () => {
      const client = newClient();
      await reachPasswordStep(client, alice);
      await client.sendRecoveryCode();

      const recovery = client.recoverPassword({ recoveryCode: '' });

      await expect(recovery).rejects.toBeInstanceOf(tl.RpcError);
      await expect(recovery).rejects.toMatchObject({ code: 400, text: 'CODE_EMPTY' });
    });

    it(flowTitle('errors', 'NEW_SETTINGS_INVALID for a bad hash'), async () => {
      const client = newClient();
      await reachPasswordStep(client, alice);
      await client.sendRecoveryCode();
      const code = await server.admin.latestCode(alice.recoveryEmail!.address);
      const password = await client.call({ _: 'account.getPassword' });
      const newAlgo = password.newAlgo;
      await client.computeNewPasswordHash(newAlgo, NEW_PASSWORD);

      // Zero is no power of g, so it cannot be a password verifier.
      const recovery = client.call({
        _: 'auth.recoverPassword',
        code,
        newSettings: {
          _: 'account.passwordInputSettings',
          newAlgo,
          newPasswordHash: new Uint8Array(256),
          hint: '',
        },
      });

      await expect(recovery).rejects.toBeInstanceOf(tl.RpcError);
      await expect(recovery).rejects.toMatchObject({ code: 400, text: 'NEW_SETTINGS_INVALID' });
      // The rejected settings did not use up the code.
      expect(await client.call({ _: 'auth.checkRecoveryPassword', code })).toBe(true);
    });

    it(flowTitle('errors', 'PASSWORD_RECOVERY_NA without an email'), async () => {
      const client = newClient();
      await reachPasswordStep(client, bob);

      const recovery = client.sendRecoveryCode();

      await expect(recovery).rejects.toBeInstanceOf(tl.RpcError);
      await expect(recovery).rejects.toMatchObject({ code: 400, text: 'PASSWORD_RECOVERY_NA' });
    });
  });
}
