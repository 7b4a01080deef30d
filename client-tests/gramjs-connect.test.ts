import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Api, errors, type TelegramClient } from 'telegram';
import { createGramJsClient, type GramJsTransport } from '../server/adapters/gramjs.js';
import { startMockServer, type MockServer } from '../server/mock-server.js';
import { alice, bob, dave, loginCodeOf, targetOf } from './support/fixture-accounts.js';
import {
  authorizedUserId,
  checkPassword,
  newPasswordSettings,
  newSrpAlgo,
  rpcErrorOf,
  signInUntilPassword,
} from './support/gramjs-flow.js';
import { flowTitle, installedVersion, suiteTitle } from './support/suite-names.js';

const VERSION = installedVersion('telegram');
const { LAYER } = createRequire(import.meta.url)('telegram/tl/AllTLObjects') as { LAYER: number };
const NEW_PASSWORD = 'alice-recovered-password';

/**
 * mtmock's GramJS transport names mapped to the labels that the compatibility matrix shows.
 * GramJS 2.26.22 runs abridged framing inside its obfuscated transport, and its WebSocket
 * transport is that same obfuscated connection carried in WebSocket binary frames.
 */
const transports: Array<[GramJsTransport, string]> = [
  ['tcp-full', 'full'],
  ['tcp-abridged', 'abridged'],
  ['tcp-obfuscated', 'obfuscated abridged'],
  ['websocket', 'WebSocket'],
];

let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent' });
});

beforeEach(async () => {
  // Back to the fixtures, because the recovery test changes Alice's password.
  await server.admin.reset();
});

afterAll(async () => {
  await server?.stop();
});

/** Rethrows the first error of GramJS's start() instead of letting it ask again. */
async function stopOnError(error: Error): Promise<boolean> {
  throw error;
}

/** Fetches `users.getUsers([inputUserSelf])` and returns the one user it must contain. */
async function selfUser(client: TelegramClient): Promise<Api.User> {
  const users = await client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] }));
  expect(users).toHaveLength(1);
  expect(users[0]).toBeInstanceOf(Api.User);
  return users[0] as Api.User;
}

for (const [transport, label] of transports) {
  describe(suiteTitle('GramJS', VERSION, LAYER, label), () => {
    /**
     * Runs `steps` with a factory for clients that are connected over this suite's transport,
     * each on a new auth key, and destroys every client afterwards, also when a step throws.
     * GramJS's update loop keeps vitest alive until its client is destroyed.
     */
    async function withClients(
      steps: (connectClient: () => Promise<TelegramClient>) => Promise<void>,
    ): Promise<void> {
      const clients: TelegramClient[] = [];
      const connectClient = async () => {
        const client = createGramJsClient(targetOf(server), { transport });
        clients.push(client);
        await client.connect();
        return client;
      };
      try {
        await steps(connectClient);
      } finally {
        await Promise.all(clients.map((client) => client.destroy()));
      }
    }

    /** Requests a recovery code for Alice and returns it from the mock's mailbox. */
    async function requestRecoveryCode(client: TelegramClient): Promise<string> {
      const recovery = await client.invoke(new Api.auth.RequestPasswordRecovery());
      expect(recovery).toBeInstanceOf(Api.auth.PasswordRecovery);
      expect(recovery.emailPattern).toMatch(/^a\*+@/);
      return server.admin.latestCode(alice.recoveryEmail!.address);
    }

    it(flowTitle('connect', 'receives config in its layer'), async () => {
      await withClients(async (connectClient) => {
        // connect() already sends help.getConfig inside invokeWithLayer(initConnection(...)).
        const client = await connectClient();

        const config = await client.invoke(new Api.help.GetConfig());
        expect(config).toBeInstanceOf(Api.Config);
        expect(config.thisDc).toBe(2);
        expect(config.dcOptions).toHaveLength(1);
        expect(config.dcOptions[0].ipAddress).toBe(server.host);
        expect(config.dcOptions[0].port).toBe(server.port);
        expect(Math.abs(config.date - Date.now() / 1000)).toBeLessThan(60);

        const nearest = await client.invoke(new Api.help.GetNearestDc());
        expect(nearest.thisDc).toBe(2);

        // A handshake that the client rejected leaves an unused key, so count only used ones.
        const keys = [...server.keys.values()].filter((key) => key.client !== undefined);
        expect(keys).toHaveLength(1);
        expect(keys[0].layer).toBe(LAYER);
      });
    });

    it(flowTitle('connect', 'AUTH_KEY_UNREGISTERED before login'), async () => {
      await withClients(async (connectClient) => {
        const client = await connectClient();

        const error = await rpcErrorOf(
          client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] })),
        );

        expect(error).toMatchObject({ code: 401, errorMessage: 'AUTH_KEY_UNREGISTERED' });
        expect(await client.isUserAuthorized()).toBe(false);
      });
    });

    it(flowTitle('sign-in', 'Dave with start()'), async () => {
      await withClients(async (connectClient) => {
        const client = await connectClient();

        await client.start({
          phoneNumber: dave.phone,
          phoneCode: async () => loginCodeOf(dave),
          onError: stopOnError,
        });

        const self = await selfUser(client);
        expect(self.self).toBe(true);
        expect(self.id.toString()).toBe(String(dave.id));
        expect(self.firstName).toBe(dave.firstName);
        expect(await client.isUserAuthorized()).toBe(true);
      });
    });

    it(flowTitle('sign-in-2fa', 'Alice with auth.checkPassword'), async () => {
      await withClients(async (connectClient) => {
        const client = await connectClient();
        await signInUntilPassword(client, alice);

        const wrong = await rpcErrorOf(checkPassword(client, 'not-the-password'));
        expect(wrong).toMatchObject({ code: 400, errorMessage: 'PASSWORD_HASH_INVALID' });
        expect(await client.isUserAuthorized()).toBe(false);

        const authorization = await checkPassword(client, alice.password!);
        expect(authorization).toBeInstanceOf(Api.auth.Authorization);
        expect(authorizedUserId(authorization)).toBe(String(alice.id));
        const self = await selfUser(client);
        expect(self.id.toString()).toBe(String(alice.id));
        expect(await client.isUserAuthorized()).toBe(true);
      });
    });

    it(flowTitle('recovery', 'sets a new password'), async () => {
      await withClients(async (connectClient) => {
        const client = await connectClient();
        await signInUntilPassword(client, alice);

        const code = await requestRecoveryCode(client);
        const checked = await client.invoke(new Api.auth.CheckRecoveryPassword({ code }));
        expect(checked).toBe(true);
        const newSettings = await newPasswordSettings(client, NEW_PASSWORD, 'recovered');
        const authorization = await client.invoke(
          new Api.auth.RecoverPassword({ code, newSettings }),
        );
        expect(authorization).toBeInstanceOf(Api.auth.Authorization);
        expect(authorizedUserId(authorization)).toBe(String(alice.id));
        expect(await client.isUserAuthorized()).toBe(true);

        // A second client runs a new key exchange, so it must pass 2FA with the new password.
        const fresh = await connectClient();
        await signInUntilPassword(fresh, alice);
        const oldPassword = await rpcErrorOf(checkPassword(fresh, alice.password!));
        expect(oldPassword).toMatchObject({ code: 400, errorMessage: 'PASSWORD_HASH_INVALID' });
        const newAuthorization = await checkPassword(fresh, NEW_PASSWORD);
        expect(authorizedUserId(newAuthorization)).toBe(String(alice.id));
        expect(await fresh.isUserAuthorized()).toBe(true);
      });
    });

    it(flowTitle('errors', 'CODE_EMPTY from auth.recoverPassword'), async () => {
      await withClients(async (connectClient) => {
        const client = await connectClient();
        await signInUntilPassword(client, alice);
        await requestRecoveryCode(client);

        const error = await rpcErrorOf(client.invoke(new Api.auth.RecoverPassword({ code: '' })));

        // GramJS 2.26.22 has subclasses only for migrate, flood and a few other messages.
        expect(error.constructor).toBe(errors.RPCError);
        expect(error).toMatchObject({ code: 400, errorMessage: 'CODE_EMPTY' });
        expect(await client.isUserAuthorized()).toBe(false);
      });
    });

    it(flowTitle('errors', 'NEW_SETTINGS_INVALID for a zero hash'), async () => {
      await withClients(async (connectClient) => {
        const client = await connectClient();
        await signInUntilPassword(client, alice);
        const code = await requestRecoveryCode(client);
        const newAlgo = await newSrpAlgo(client);

        // Zero is no power of g, so it cannot be a password verifier.
        const newSettings = new Api.account.PasswordInputSettings({
          newAlgo,
          newPasswordHash: Buffer.alloc(256),
          hint: '',
        });
        const error = await rpcErrorOf(
          client.invoke(new Api.auth.RecoverPassword({ code, newSettings })),
        );

        expect(error.constructor).toBe(errors.RPCError);
        expect(error).toMatchObject({ code: 400, errorMessage: 'NEW_SETTINGS_INVALID' });
        // The rejected settings did not use up the code.
        expect(await client.invoke(new Api.auth.CheckRecoveryPassword({ code }))).toBe(true);
      });
    });

    it(flowTitle('errors', 'PASSWORD_RECOVERY_NA without an email'), async () => {
      await withClients(async (connectClient) => {
        const client = await connectClient();
        await signInUntilPassword(client, bob);

        const error = await rpcErrorOf(client.invoke(new Api.auth.RequestPasswordRecovery()));

        expect(error.constructor).toBe(errors.RPCError);
        expect(error).toMatchObject({ code: 400, errorMessage: 'PASSWORD_RECOVERY_NA' });
      });
    });
  });
}
