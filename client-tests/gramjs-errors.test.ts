import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Api, errors, password, type TelegramClient } from 'telegram';
import { SRP_CHALLENGE_TTL_SECONDS } from '../server/domain/srp-challenges.js';
import { startMockServer, type MockServer } from '../server/mock-server.js';
import { alice, bob, dave, fixtureAccount } from './support/fixture-accounts.js';
import {
  authorizedUserId,
  checkPassword,
  emailCodeSettings,
  MovableClock,
  newPasswordSettings,
  newSrpAlgo,
  passwordCheck,
  rpcErrorOf,
  signInUntilPassword,
  signInWithCode,
  withClient,
  type SrpAlgo,
} from './support/gramjs-flow.js';

const carol = fixtureAccount('carol_unconfirmed');
/** Alice's seeded recovery code, a field that the FixtureAccount type leaves out. */
const aliceCode = (alice as { recoveryCode?: string }).recoveryCode as string;
const alicePassword = alice.password as string;
const bobPassword = bob.password as string;

// Tests of expiry and flood waits move this clock forward. Every test uses new auth keys, which
// take the server's time from the key exchange.
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

/** Signs Alice in up to the password step and mails her recovery code. */
async function requestAliceRecovery(client: TelegramClient): Promise<void> {
  await signInUntilPassword(client, alice);
  await client.invoke(new Api.auth.RequestPasswordRecovery());
}

function checkRecovery(client: TelegramClient, code: string): Promise<boolean> {
  return client.invoke(new Api.auth.CheckRecoveryPassword({ code }));
}

function recover(
  client: TelegramClient,
  code: string,
  newSettings?: Api.account.PasswordInputSettings,
): Promise<Api.auth.TypeAuthorization> {
  return client.invoke(new Api.auth.RecoverPassword({ code, newSettings }));
}

describe('GramJS recovery code errors', () => {
  it('raises CODE_EMPTY for an empty code', async () => {
    await withClient(server, async (client) => {
      await requestAliceRecovery(client);

      const check = await rpcErrorOf(checkRecovery(client, ''));
      expect(check).toMatchObject({ code: 400, errorMessage: 'CODE_EMPTY' });
      const recovery = await rpcErrorOf(recover(client, ''));
      expect(recovery).toMatchObject({ code: 400, errorMessage: 'CODE_EMPTY' });

      expect(await checkRecovery(client, aliceCode)).toBe(true);
    });
  });

  it('raises CODE_INVALID for a wrong code', async () => {
    await withClient(server, async (client) => {
      await requestAliceRecovery(client);
      const wrongCode = '135791';

      const check = await rpcErrorOf(checkRecovery(client, wrongCode));
      expect(check).toMatchObject({ code: 400, errorMessage: 'CODE_INVALID' });
      const recovery = await rpcErrorOf(recover(client, wrongCode));
      expect(recovery).toMatchObject({ code: 400, errorMessage: 'CODE_INVALID' });
      expect(await client.isUserAuthorized()).toBe(false);

      // Two wrong attempts stay below the limit, so the right code still recovers the account.
      expect(emailCodeSettings.maxAttempts).toBeGreaterThan(2);
      const authorization = await recover(client, aliceCode);
      expect(authorizedUserId(authorization)).toBe(String(alice.id));
    });
  });

  it('raises PASSWORD_RECOVERY_EXPIRED when no code was requested', async () => {
    await withClient(server, async (client) => {
      await signInUntilPassword(client, alice);

      const check = await rpcErrorOf(checkRecovery(client, aliceCode));
      expect(check).toMatchObject({ code: 400, errorMessage: 'PASSWORD_RECOVERY_EXPIRED' });
      const recovery = await rpcErrorOf(recover(client, aliceCode));
      expect(recovery).toMatchObject({ code: 400, errorMessage: 'PASSWORD_RECOVERY_EXPIRED' });
    });
  });

  it('raises PASSWORD_RECOVERY_EXPIRED for a used code', async () => {
    await withClient(server, async (client) => {
      await requestAliceRecovery(client);
      const newSettings = await newPasswordSettings(client, 'recovered once', '');
      await recover(client, aliceCode, newSettings);

      // The key is signed in now, so it may call any method, but the code itself is spent.
      const again = await rpcErrorOf(recover(client, aliceCode, newSettings));
      expect(again).toMatchObject({ code: 400, errorMessage: 'PASSWORD_RECOVERY_EXPIRED' });
    });

    await withClient(server, async (client) => {
      await signInUntilPassword(client, alice);
      const check = await rpcErrorOf(checkRecovery(client, aliceCode));
      expect(check).toMatchObject({ code: 400, errorMessage: 'PASSWORD_RECOVERY_EXPIRED' });
    });
  });

  it('raises PASSWORD_RECOVERY_EXPIRED after the code lifetime', async () => {
    await withClient(server, requestAliceRecovery);
    clock.advanceSeconds(emailCodeSettings.lifetimeSeconds + 1);

    await withClient(server, async (client) => {
      await signInUntilPassword(client, alice);
      const check = await rpcErrorOf(checkRecovery(client, aliceCode));
      expect(check).toMatchObject({ code: 400, errorMessage: 'PASSWORD_RECOVERY_EXPIRED' });
    });
  });

  it('raises FLOOD_WAIT_X after too many wrong codes', async () => {
    await withClient(server, async (client) => {
      await requestAliceRecovery(client);
      for (let attempt = 1; attempt <= emailCodeSettings.maxAttempts; attempt++) {
        const wrong = await rpcErrorOf(checkRecovery(client, '000000'));
        expect(wrong, `wrong code ${attempt}`).toMatchObject({ errorMessage: 'CODE_INVALID' });
      }

      // Now even the right code waits. GramJS sleeps through waits up to floodSleepThreshold
      // seconds and raises FloodWaitError for longer ones, with its own errorMessage FLOOD.
      expect(emailCodeSettings.floodWaitSeconds).toBeGreaterThan(client.floodSleepThreshold);
      const flood = await rpcErrorOf(checkRecovery(client, aliceCode));
      expect(flood).toBeInstanceOf(errors.FloodWaitError);
      expect(flood).toMatchObject({ code: 420, errorMessage: 'FLOOD' });
      const seconds = (flood as errors.FloodWaitError).seconds;
      expect(seconds).toBeGreaterThan(client.floodSleepThreshold);
      expect(seconds).toBeLessThanOrEqual(emailCodeSettings.floodWaitSeconds);

      const recovery = await rpcErrorOf(recover(client, aliceCode));
      expect(recovery).toBeInstanceOf(errors.FloodWaitError);

      // A new code does not lift the wait.
      await client.invoke(new Api.auth.RequestPasswordRecovery());
      const afterNewCode = await rpcErrorOf(checkRecovery(client, aliceCode));
      expect(afterNewCode).toBeInstanceOf(errors.FloodWaitError);
    });

    clock.advanceSeconds(emailCodeSettings.floodWaitSeconds + 1);
    await withClient(server, async (client) => {
      await signInUntilPassword(client, alice);
      expect(await checkRecovery(client, aliceCode)).toBe(true);
    });
  });
});

describe('GramJS recovery availability errors', () => {
  it('raises PASSWORD_RECOVERY_NA without a recovery email', async () => {
    await withClient(server, async (client) => {
      await signInUntilPassword(client, bob);
      const accountPassword = await client.invoke(new Api.account.GetPassword());
      expect(accountPassword.hasRecovery).toBe(false);

      const request = await rpcErrorOf(client.invoke(new Api.auth.RequestPasswordRecovery()));
      expect(request).toMatchObject({ code: 400, errorMessage: 'PASSWORD_RECOVERY_NA' });
      const recovery = await rpcErrorOf(recover(client, '123456'));
      expect(recovery).toMatchObject({ code: 400, errorMessage: 'PASSWORD_RECOVERY_NA' });
    });
    expect(await server.admin.mailbox()).toHaveLength(0);
  });

  it('raises PASSWORD_RECOVERY_NA with an unconfirmed email', async () => {
    await withClient(server, async (client) => {
      await signInUntilPassword(client, carol);
      const accountPassword = await client.invoke(new Api.account.GetPassword());
      expect(accountPassword.hasRecovery).toBe(false);
      expect(accountPassword.emailUnconfirmedPattern).toBe('c****@e******.org');

      const request = await rpcErrorOf(client.invoke(new Api.auth.RequestPasswordRecovery()));
      expect(request).toMatchObject({ code: 400, errorMessage: 'PASSWORD_RECOVERY_NA' });
    });
    expect(await server.admin.mailbox('carol@example.org')).toHaveLength(0);
  });

  it('raises PASSWORD_EMPTY without a password', async () => {
    await withClient(server, async (client) => {
      // Dave has no 2FA, so the login code alone signs him in.
      const authorization = await signInWithCode(client, dave);
      expect(authorizedUserId(authorization)).toBe(String(dave.id));

      const request = await rpcErrorOf(client.invoke(new Api.auth.RequestPasswordRecovery()));
      expect(request).toMatchObject({ code: 400, errorMessage: 'PASSWORD_EMPTY' });
      const recovery = await rpcErrorOf(recover(client, '123456'));
      expect(recovery).toMatchObject({ code: 400, errorMessage: 'PASSWORD_EMPTY' });
    });
    expect(await server.admin.mailbox()).toHaveLength(0);
  });
});

/** New settings that differ from valid ones in one way that the server must reject. */
interface SettingsCase {
  name: string;
  build: (algo: SrpAlgo, digest: Buffer) => Promise<Api.account.PasswordInputSettings>;
}

function settings(newAlgo: Api.TypePasswordKdfAlgo, newPasswordHash: Buffer) {
  return new Api.account.PasswordInputSettings({ newAlgo, newPasswordHash, hint: '' });
}

/** Copies an algo with other salts. GramJS objects are mutable, and the valid algo is reused. */
function withSalts(algo: SrpAlgo, salt1: Buffer, salt2: Buffer): SrpAlgo {
  return new Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow({
    salt1,
    salt2,
    g: algo.g,
    p: algo.p,
  });
}

/**
 * Runs each case through auth.recoverPassword with Alice's valid code, expecting 400 `error`,
 * and then recovers with valid settings, which shows that the rejected calls left the code
 * unused.
 */
async function expectSettingsRejected(error: string, cases: SettingsCase[]): Promise<void> {
  await withClient(server, async (client) => {
    await requestAliceRecovery(client);
    const algo = await newSrpAlgo(client);
    const digest = await password.computeDigest(algo, 'a valid new password');

    for (const testCase of cases) {
      const rejected = await rpcErrorOf(
        recover(client, aliceCode, await testCase.build(algo, digest)),
      );
      expect(rejected, testCase.name).toMatchObject({ code: 400, errorMessage: error });
    }
    expect(await client.isUserAuthorized()).toBe(false);

    const authorization = await recover(client, aliceCode, settings(algo, digest));
    expect(authorizedUserId(authorization)).toBe(String(alice.id));
  });
}

describe('GramJS new settings errors', () => {
  it('raises NEW_SETTINGS_INVALID for a bad hash or algo', async () => {
    await expectSettingsRejected('NEW_SETTINGS_INVALID', [
      {
        name: 'hash of 255 bytes',
        build: async (algo, digest) => settings(algo, digest.subarray(1)),
      },
      {
        name: 'hash of 257 bytes',
        build: async (algo, digest) => settings(algo, Buffer.concat([digest, Buffer.from([1])])),
      },
      { name: 'hash equal to p', build: async (algo) => settings(algo, Buffer.from(algo.p)) },
      {
        name: 'hash above p',
        build: async (algo) => settings(algo, Buffer.alloc(algo.p.length, 0xff)),
      },
      {
        name: 'hash equal to 1',
        build: async (algo) => {
          const valueOne = Buffer.alloc(algo.p.length);
          valueOne[valueOne.length - 1] = 1;
          return settings(algo, valueOne);
        },
      },
      {
        name: 'passwordKdfAlgoUnknown with a hash',
        build: async (_algo, digest) => settings(new Api.PasswordKdfAlgoUnknown(), digest),
      },
      {
        name: 'settings without a new password',
        build: async () => new Api.account.PasswordInputSettings({}),
      },
    ]);
  });

  it('raises NEW_SALT_INVALID for foreign salts', async () => {
    const digestFor = (algo: SrpAlgo) => password.computeDigest(algo, 'a valid new password');
    await expectSettingsRejected('NEW_SALT_INVALID', [
      {
        name: 'salt1 not extending the offered prefix',
        build: async (algo) => {
          const foreign = withSalts(algo, randomBytes(algo.salt1.length), algo.salt2);
          return settings(foreign, await digestFor(foreign));
        },
      },
      {
        name: 'salt1 equal to the prefix, with nothing appended',
        build: async (algo) => {
          // newSrpAlgo appended 32 bytes to the prefix that the server offered.
          const bare = withSalts(algo, algo.salt1.subarray(0, -32), algo.salt2);
          return settings(bare, await digestFor(bare));
        },
      },
      {
        name: 'changed salt2',
        build: async (algo) => {
          const salt2 = Buffer.from(algo.salt2);
          salt2[0] ^= 0x01;
          const changed = withSalts(algo, algo.salt1, salt2);
          return settings(changed, await digestFor(changed));
        },
      },
    ]);
  });
});

describe('GramJS password check errors', () => {
  it('raises PASSWORD_HASH_INVALID for a wrong password', async () => {
    await withClient(server, async (client) => {
      await signInUntilPassword(client, bob);

      const wrong = await rpcErrorOf(checkPassword(client, 'not bob-password'));
      expect(wrong).toMatchObject({ code: 400, errorMessage: 'PASSWORD_HASH_INVALID' });
      const empty = await rpcErrorOf(
        client.invoke(new Api.auth.CheckPassword({ password: new Api.InputCheckPasswordEmpty() })),
      );
      expect(empty).toMatchObject({ code: 400, errorMessage: 'PASSWORD_HASH_INVALID' });
      expect(await client.isUserAuthorized()).toBe(false);

      const authorization = await checkPassword(client, bobPassword);
      expect(authorizedUserId(authorization)).toBe(String(bob.id));
    });
  });

  it('raises SRP_ID_INVALID for a tampered srp_id', async () => {
    await withClient(server, async (client) => {
      await signInUntilPassword(client, bob);
      const proof = await passwordCheck(client, bobPassword);
      proof.srpId = proof.srpId.xor(1);

      const tampered = await rpcErrorOf(
        client.invoke(new Api.auth.CheckPassword({ password: proof })),
      );
      expect(tampered).toMatchObject({ code: 400, errorMessage: 'SRP_ID_INVALID' });
    });
  });

  it('raises SRP_ID_INVALID across accounts', async () => {
    await withClient(server, async (aliceClient) => {
      await signInUntilPassword(aliceClient, alice);
      const aliceProof = await passwordCheck(aliceClient, alicePassword);

      await withClient(server, async (bobClient) => {
        await signInUntilPassword(bobClient, bob);
        const foreign = await rpcErrorOf(
          bobClient.invoke(new Api.auth.CheckPassword({ password: aliceProof })),
        );
        expect(foreign).toMatchObject({ code: 400, errorMessage: 'SRP_ID_INVALID' });
      });
    });
  });

  it('raises SRP_ID_INVALID for an expired srp_id', async () => {
    const proof = await withClient(server, async (client) => {
      await signInUntilPassword(client, bob);
      return passwordCheck(client, bobPassword);
    });
    clock.advanceSeconds(SRP_CHALLENGE_TTL_SECONDS + 1);

    await withClient(server, async (client) => {
      await signInUntilPassword(client, bob);
      const expired = await rpcErrorOf(
        client.invoke(new Api.auth.CheckPassword({ password: proof })),
      );
      expect(expired).toMatchObject({ code: 400, errorMessage: 'SRP_ID_INVALID' });
    });
  });

  it('raises SRP_PASSWORD_CHANGED for an srp_id from before a change', async () => {
    await withClient(server, async (waiting) => {
      await signInUntilPassword(waiting, alice);
      // A correct proof for the password that is current right now.
      const staleProof = await passwordCheck(waiting, alicePassword);

      await withClient(server, async (recovering) => {
        await requestAliceRecovery(recovering);
        const newSettings = await newPasswordSettings(recovering, 'changed meanwhile', '');
        await recover(recovering, aliceCode, newSettings);
      });

      const stale = await rpcErrorOf(
        waiting.invoke(new Api.auth.CheckPassword({ password: staleProof })),
      );
      expect(stale).toMatchObject({ code: 400, errorMessage: 'SRP_PASSWORD_CHANGED' });

      const authorization = await checkPassword(waiting, 'changed meanwhile');
      expect(authorizedUserId(authorization)).toBe(String(alice.id));
    });
  });
});

describe('GramJS password email errors', () => {
  it('raises EMAIL_UNCONFIRMED_X for a new recovery email', async () => {
    await withClient(server, async (client) => {
      await signInWithCode(client, dave);
      const newSettings = await newPasswordSettings(client, 'dave-password', 'dave hint');
      newSettings.email = 'dave@example.com';

      const unconfirmed = await rpcErrorOf(
        client.invoke(
          new Api.account.UpdatePasswordSettings({
            password: new Api.InputCheckPasswordEmpty(),
            newSettings,
          }),
        ),
      );
      // GramJS maps EMAIL_UNCONFIRMED_X to EmailUnconfirmedError, which keeps X as codeLength
      // and replaces errorMessage with its class default BAD_REQUEST.
      expect(unconfirmed).toBeInstanceOf(errors.EmailUnconfirmedError);
      expect(unconfirmed.code).toBe(400);
      expect((unconfirmed as errors.EmailUnconfirmedError).codeLength).toBe(
        emailCodeSettings.length,
      );

      const mail = await server.admin.mailbox('dave@example.com');
      expect(mail).toHaveLength(1);
      expect(mail[0].purpose).toBe('email-confirmation');
      expect(mail[0].code).toHaveLength(emailCodeSettings.length);

      // Until the email is confirmed, the password waits with it.
      const accountPassword = await client.invoke(new Api.account.GetPassword());
      expect(accountPassword.hasPassword).toBe(false);
      expect(accountPassword.hasRecovery).toBe(false);
      expect(accountPassword.emailUnconfirmedPattern).toBe('d***@e******.com');
    });
  });
});

describe('GramJS key state errors', () => {
  /** Calls that need a signed-in key, built fresh for each client. */
  const signedInCalls: Array<[string, () => Api.AnyRequest]> = [
    ['users.getUsers', () => new Api.users.GetUsers({ id: [new Api.InputUserSelf()] })],
    ['updates.getState', () => new Api.updates.GetState()],
    [
      'account.getPasswordSettings',
      () => new Api.account.GetPasswordSettings({ password: new Api.InputCheckPasswordEmpty() }),
    ],
    [
      'account.updatePasswordSettings',
      () =>
        new Api.account.UpdatePasswordSettings({
          password: new Api.InputCheckPasswordEmpty(),
          newSettings: new Api.account.PasswordInputSettings({ email: 'x@example.com' }),
        }),
    ],
    ['account.resetPassword', () => new Api.account.ResetPassword()],
    ['account.declinePasswordReset', () => new Api.account.DeclinePasswordReset()],
  ];

  it('raises AUTH_KEY_UNREGISTERED before sign-in', async () => {
    await withClient(server, async (client) => {
      const userCalls: Array<[string, () => Api.AnyRequest]> = [
        ...signedInCalls,
        // auth.* methods are open to a new key, but these need the user of a sign-in.
        ['auth.requestPasswordRecovery', () => new Api.auth.RequestPasswordRecovery()],
        ['auth.checkRecoveryPassword', () => new Api.auth.CheckRecoveryPassword({ code: '1' })],
        ['auth.recoverPassword', () => new Api.auth.RecoverPassword({ code: '1' })],
        [
          'auth.checkPassword',
          () => new Api.auth.CheckPassword({ password: new Api.InputCheckPasswordEmpty() }),
        ],
      ];
      for (const [method, build] of userCalls) {
        const error = await rpcErrorOf(client.invoke(build()));
        expect(error, method).toMatchObject({ code: 401, errorMessage: 'AUTH_KEY_UNREGISTERED' });
      }

      // account.getPassword is open to a new key and describes an account without a password.
      const accountPassword = await client.invoke(new Api.account.GetPassword());
      expect(accountPassword.hasPassword).toBe(false);
    });
  });

  it('raises SESSION_PASSWORD_NEEDED while the password is pending', async () => {
    await withClient(server, async (client) => {
      await signInUntilPassword(client, bob);
      for (const [method, build] of signedInCalls) {
        const error = await rpcErrorOf(client.invoke(build()));
        expect(error, method).toMatchObject({ code: 401, errorMessage: 'SESSION_PASSWORD_NEEDED' });
      }
      expect(await client.isUserAuthorized()).toBe(false);

      // The password step itself stays open, and passing it lifts the restriction.
      await checkPassword(client, bobPassword);
      const [self] = await client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] }));
      expect(self.id.toString()).toBe(String(bob.id));
    });
  });

  it('raises AUTH_KEY_UNREGISTERED after auth.logOut', async () => {
    await withClient(server, async (client) => {
      await signInWithCode(client, dave);
      expect(await client.isUserAuthorized()).toBe(true);

      await client.invoke(new Api.auth.LogOut());
      const error = await rpcErrorOf(
        client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] })),
      );
      expect(error).toMatchObject({ code: 401, errorMessage: 'AUTH_KEY_UNREGISTERED' });
    });
  });
});
