import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Api, errors, password, type TelegramClient } from 'teleproto';
import { createTeleprotoClient, type TeleprotoTransport } from '../server/adapters/teleproto.js';
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

const VERSION = installedVersion('teleproto');
const { LAYER } = createRequire(import.meta.url)('teleproto/tl/AllTLObjects') as { LAYER: number };
const API = { apiId: 1, apiHash: 'mtmock' };
const NEW_PASSWORD = 'alice-recovered-password';

type SrpAlgo = Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow;

/** mtmock transport names mapped to the labels the compatibility matrix shows. */
const transports: Array<[TeleprotoTransport, string]> = [
  ['tcp-full', 'full'],
  ['tcp-obfuscated', 'obfuscated abridged'],
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

/** Rethrows the first error of an auth helper instead of letting it ask again. */
async function stopOnError(error: Error): Promise<boolean> {
  throw error;
}

for (const [transport, label] of transports) {
  describe(suiteTitle('teleproto', VERSION, LAYER, label), () => {
    async function connectedClient(): Promise<TelegramClient> {
      const client = createTeleprotoClient(targetOf(server), { transport });
      clients.push(client);
      await client.connect();
      return client;
    }

    /** Sends the login code and signs in, which must end in SESSION_PASSWORD_NEEDED. */
    async function reachPasswordStep(client: TelegramClient, account: FixtureAccount) {
      const { phoneCodeHash } = await client.sendCode(API, account.phone);
      const signIn = client.invoke(
        new Api.auth.SignIn({
          phoneNumber: account.phone,
          phoneCodeHash,
          phoneCode: loginCodeOf(account),
        }),
      );
      await expect(signIn).rejects.toMatchObject({
        code: 401,
        errorMessage: 'SESSION_PASSWORD_NEEDED',
      });
    }

    /** Requests a recovery code and returns it from the mock's mailbox. */
    async function requestRecoveryCode(client: TelegramClient): Promise<string> {
      const recovery = await client.invoke(new Api.auth.RequestPasswordRecovery());
      expect(recovery.emailPattern).toMatch(/^a\*+@/);
      return server.admin.latestCode(alice.recoveryEmail!.address);
    }

    /** Returns new_algo with 32 random bytes appended to salt1, as teleproto's 2FA helper does. */
    async function extendedNewAlgo(client: TelegramClient): Promise<SrpAlgo> {
      const current = await client.invoke(new Api.account.GetPassword());
      const newAlgo = current.newAlgo as SrpAlgo;
      newAlgo.salt1 = Buffer.concat([newAlgo.salt1, randomBytes(32)]);
      return newAlgo;
    }

    it(flowTitle('connect', 'receives config in its layer'), async () => {
      const client = await connectedClient();

      const config = await client.invoke(new Api.help.GetConfig());

      expect(config.thisDc).toBe(2);
      expect(config.dcOptions).toHaveLength(1);
      expect(config.dcOptions[0].ipAddress).toBe(server.host);
      expect(config.dcOptions[0].port).toBe(server.port);
      // A handshake that the client rejected leaves an unused key, so count only used ones.
      const keys = [...server.keys.values()].filter((key) => key.client !== undefined);
      expect(keys).toHaveLength(1);
      expect(keys[0].layer).toBe(LAYER);
    });

    it(flowTitle('sign-in', 'with start()'), async () => {
      const client = await connectedClient();

      await client.start({
        phoneNumber: dave.phone,
        phoneCode: async () => loginCodeOf(dave),
        onError: stopOnError,
      });

      const me = await client.getMe();
      expect(me.id.toString()).toBe(String(dave.id));
      expect(me.firstName).toBe(dave.firstName);
      expect(await client.isUserAuthorized()).toBe(true);
    });

    it(flowTitle('sign-in-2fa', 'with signInWithPassword'), async () => {
      const client = await connectedClient();
      await reachPasswordStep(client, alice);

      const wrongCheck = await password.computeCheck(
        await client.invoke(new Api.account.GetPassword()),
        'not-the-password',
      );
      const wrong = client.invoke(new Api.auth.CheckPassword({ password: wrongCheck }));
      await expect(wrong).rejects.toMatchObject({ errorMessage: 'PASSWORD_HASH_INVALID' });
      const user = await client.signInWithPassword(API, {
        password: async () => alice.password!,
        onError: stopOnError,
      });

      expect(user.id.toString()).toBe(String(alice.id));
      expect(await client.isUserAuthorized()).toBe(true);
    });

    it(flowTitle('recovery', 'sets a new password'), async () => {
      const client = await connectedClient();
      await reachPasswordStep(client, alice);

      const code = await requestRecoveryCode(client);
      const checked = await client.invoke(new Api.auth.CheckRecoveryPassword({ code }));
      expect(checked).toBe(true);
      const newAlgo = await extendedNewAlgo(client);
      const authorization = await client.invoke(
        new Api.auth.RecoverPassword({
          code,
          newSettings: new Api.account.PasswordInputSettings({
            newAlgo,
            newPasswordHash: await password.computeDigest(newAlgo, NEW_PASSWORD),
            hint: 'recovered',
          }),
        }),
      );
      expect(authorization).toBeInstanceOf(Api.auth.Authorization);
      expect(await client.isUserAuthorized()).toBe(true);

      const fresh = await connectedClient();
      await reachPasswordStep(fresh, alice);
      const oldCheck = await password.computeCheck(
        await fresh.invoke(new Api.account.GetPassword()),
        alice.password!,
      );
      const old = fresh.invoke(new Api.auth.CheckPassword({ password: oldCheck }));
      await expect(old).rejects.toMatchObject({ errorMessage: 'PASSWORD_HASH_INVALID' });
      const user = await fresh.signInWithPassword(API, {
        password: async () => NEW_PASSWORD,
        onError: stopOnError,
      });
      expect(user.id.toString()).toBe(String(alice.id));
    });

    it(flowTitle('errors', 'CODE_EMPTY from RecoverPassword'), async () => {
      const client = await connectedClient();
      await reachPasswordStep(client, alice);
      await requestRecoveryCode(client);

      const recovery = client.invoke(new Api.auth.RecoverPassword({ code: '' }));

      // teleproto has subclasses only for the messages in its error list, and these are not.
      await expect(recovery).rejects.toBeInstanceOf(errors.RPCError);
      await expect(recovery).rejects.toMatchObject({ code: 400, errorMessage: 'CODE_EMPTY' });
    });

    it(flowTitle('errors', 'NEW_SETTINGS_INVALID for a bad hash'), async () => {
      const client = await connectedClient();
      await reachPasswordStep(client, alice);
      const code = await requestRecoveryCode(client);
      const newAlgo = await extendedNewAlgo(client);

      // Zero is no power of g, so it cannot be a password verifier.
      const recovery = client.invoke(
        new Api.auth.RecoverPassword({
          code,
          newSettings: new Api.account.PasswordInputSettings({
            newAlgo,
            newPasswordHash: Buffer.alloc(256),
            hint: '',
          }),
        }),
      );

      await expect(recovery).rejects.toBeInstanceOf(errors.RPCError);
      await expect(recovery).rejects.toMatchObject({
        code: 400,
        errorMessage: 'NEW_SETTINGS_INVALID',
      });
      // The rejected settings did not use up the code.
      expect(await client.invoke(new Api.auth.CheckRecoveryPassword({ code }))).toBe(true);
    });

    it(flowTitle('errors', 'PASSWORD_RECOVERY_NA without an email'), async () => {
      const client = await connectedClient();
      await reachPasswordStep(client, bob);

      const recovery = client.invoke(new Api.auth.RequestPasswordRecovery());

      await expect(recovery).rejects.toBeInstanceOf(errors.RPCError);
      await expect(recovery).rejects.toMatchObject({
        code: 400,
        errorMessage: 'PASSWORD_RECOVERY_NA',
      });
    });
  });
}
