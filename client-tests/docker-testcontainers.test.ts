import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type TelegramClient } from 'telegram';
import { computeCheck, computeDigest } from 'telegram/Password.js';
import { createGramJsClient } from '../server/adapters/gramjs.js';
import { FixtureError } from '../server/domain/fixtures.js';
import {
  buildMtmockImage,
  MTMOCK_CONTAINER_PORT,
  MtmockContainer,
  type StartedMtmockContainer,
} from '../server/testcontainers.js';
import { baseImage, repoRoot, shouldRunContainerTests } from './docker.test.helper.js';

// The reaper container (testcontainers/ryuk) comes from Docker Hub, which CI cannot reach. The
// test stops its own container, so it runs without the reaper unless the variable is set.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
// Inside a container (/.dockerenv), testcontainers looks for the engine's gateway and, failing
// that, pulls alpine to ask. A local engine publishes ports on this machine's loopback.
if (process.env.DOCKER_HOST === undefined) process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

const email = 'erin@example.net';
const oldPassword = 'erin-old-password';
const newPassword = 'erin-new-password';
const account = {
  id: 7001,
  phone: '15550007001',
  firstName: 'Erin',
  lastName: 'Container',
  password: oldPassword,
  hint: 'the old one',
  recoveryEmail: { address: email, confirmed: true },
  loginCode: '24680',
};
const fixtures = { accounts: [account] };

describe('MtmockContainer.withFixtures', () => {
  it('rejects invalid fixtures before any container starts', () => {
    const invalid = { accounts: [{ ...account, phone: 'not a phone' }] };
    expect(() => new MtmockContainer().withFixtures(invalid)).toThrow(FixtureError);
    expect(() => new MtmockContainer().withFixtures(invalid)).toThrow(/\/accounts\/0\/phone/);
  });
});

describe.runIf(shouldRunContainerTests('the testcontainers tests'))(
  'MtmockContainer with GramJS',
  () => {
    let mock: StartedMtmockContainer;

    beforeAll(async () => {
      const buildStart = performance.now();
      const image = await buildMtmockImage({
        context: repoRoot,
        tag: 'mtmock:test',
        baseImage,
      });
      const startStart = performance.now();
      mock = await new MtmockContainer(image).withFixtures(fixtures).start();
      const done = performance.now();
      console.log(
        `testcontainers: image build ${Math.round(startStart - buildStart)} ms, ` +
          `container start to ready line ${Math.round(done - startStart)} ms`,
      );
    }, 300_000);

    afterAll(async () => {
      await mock?.stop({ timeout: 5_000 });
    }, 30_000);

    it('publishes the port and admin API', async () => {
      const { host, port } = mock.getMockAddress();
      expect(port).toBe(mock.getMappedPort(MTMOCK_CONTAINER_PORT));
      expect(mock.getAdminUrl()).toBe(`http://${host}:${port}/__admin`);

      const response = await fetch(`${mock.getAdminUrl()}/health`);
      expect(response.status).toBe(200);
      const health = (await response.json()) as { status: string; port: number };
      expect(health.status).toBe('ok');
      // Inside the container the server listens on the image's MTMOCK_HOST and MTMOCK_PORT.
      expect(health.port).toBe(MTMOCK_CONTAINER_PORT);

      const serverKey = await mock.getServerKey();
      expect(serverKey.pem).toMatch(/^-----BEGIN RSA PUBLIC KEY-----/);
      expect(serverKey.fingerprintHex).toBe(
        BigInt.asUintN(64, BigInt(serverKey.fingerprint)).toString(16).padStart(16, '0'),
      );
    });

    it('recovers the 2FA password by email', async () => {
      const target = await mock.getMockTarget();
      const recovering = createGramJsClient(target);
      try {
        await recovering.connect();
        const phoneCodeHash = await sendLoginCode(recovering);
        const signIn = recovering.invoke(
          new Api.auth.SignIn({ phoneNumber: account.phone, phoneCodeHash, phoneCode: '24680' }),
        );
        await expect(signIn).rejects.toMatchObject({ errorMessage: 'SESSION_PASSWORD_NEEDED' });

        const recovery = await recovering.invoke(new Api.auth.RequestPasswordRecovery());
        expect(recovery.emailPattern).toBe('e***@e******.net');

        const mails = await mock.admin.mailbox(email);
        expect(mails).toHaveLength(1);
        expect(mails[0].purpose).toBe('recovery');
        const code = mails[0].code;
        expect(code).toMatch(/^[0-9]{6}$/);

        const wrongCode = code === '000000' ? '111111' : '000000';
        const wrongCheck = recovering.invoke(
          new Api.auth.CheckRecoveryPassword({ code: wrongCode }),
        );
        await expect(wrongCheck).rejects.toMatchObject({ errorMessage: 'CODE_INVALID' });
        expect(await recovering.invoke(new Api.auth.CheckRecoveryPassword({ code }))).toBe(true);

        // As GramJS's updateTwoFaSettings does: extend the offered salt1 by 32 random bytes.
        const password = await recovering.invoke(new Api.account.GetPassword());
        const offered =
          password.newAlgo as Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow;
        const newAlgo = new Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow({
          salt1: Buffer.concat([offered.salt1, randomBytes(32)]),
          salt2: offered.salt2,
          g: offered.g,
          p: offered.p,
        });
        const authorization = await recovering.invoke(
          new Api.auth.RecoverPassword({
            code,
            newSettings: new Api.account.PasswordInputSettings({
              newAlgo,
              newPasswordHash: await computeDigest(newAlgo, newPassword),
              hint: 'the new one',
            }),
          }),
        );
        expect(authorization).toBeInstanceOf(Api.auth.Authorization);
        const user = (authorization as Api.auth.Authorization).user as Api.User;
        expect(user.id.toString()).toBe(String(account.id));
        expect(user.phone).toBe(account.phone);

        const [self] = await recovering.invoke(
          new Api.users.GetUsers({ id: [new Api.InputUserSelf()] }),
        );
        expect(self.id.toString()).toBe(String(account.id));
      } finally {
        await recovering.destroy();
      }

      const fresh = createGramJsClient(target);
      try {
        await fresh.connect();
        const phoneCodeHash = await sendLoginCode(fresh);
        const signIn = fresh.invoke(
          new Api.auth.SignIn({ phoneNumber: account.phone, phoneCodeHash, phoneCode: '24680' }),
        );
        await expect(signIn).rejects.toMatchObject({ errorMessage: 'SESSION_PASSWORD_NEEDED' });

        const stale = await fresh.invoke(new Api.account.GetPassword());
        expect(stale.hint).toBe('the new one');
        const oldCheck = fresh.invoke(
          new Api.auth.CheckPassword({ password: await computeCheck(stale, oldPassword) }),
        );
        await expect(oldCheck).rejects.toMatchObject({ errorMessage: 'PASSWORD_HASH_INVALID' });

        const current = await fresh.invoke(new Api.account.GetPassword());
        const signedIn = await fresh.invoke(
          new Api.auth.CheckPassword({ password: await computeCheck(current, newPassword) }),
        );
        expect(signedIn).toBeInstanceOf(Api.auth.Authorization);
      } finally {
        await fresh.destroy();
      }
    }, 60_000);
  },
);

/** Sends auth.sendCode for the fixture account and returns the phone_code_hash. */
async function sendLoginCode(client: TelegramClient): Promise<string> {
  const sent = await client.invoke(
    new Api.auth.SendCode({
      phoneNumber: account.phone,
      apiId: 1,
      apiHash: 'mtmock',
      settings: new Api.CodeSettings({}),
    }),
  );
  expect(sent).toBeInstanceOf(Api.auth.SentCode);
  return (sent as Api.auth.SentCode).phoneCodeHash;
}
