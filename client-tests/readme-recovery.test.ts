import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Api, password } from 'telegram';
import { startMockServer, type MockServer } from 'mtmock';
import { createGramJsClient } from 'mtmock/adapters/gramjs';

let mock: MockServer;

beforeAll(async () => {
  mock = await startMockServer({ logLevel: 'silent' }); // a free port on 127.0.0.1
});

afterAll(() => mock.stop());

it('recovers a 2FA password through the recovery email', async () => {
  const target = { host: mock.host, port: mock.port, publicKeyPem: mock.serverKey.publicKeyPem };
  const client = createGramJsClient(target);
  try {
    await client.connect();

    // Alice (fixtures/default.json) has 2FA and a confirmed recovery email.
    const phoneNumber = '15550000001';
    const sent = await client.invoke(
      new Api.auth.SendCode({
        phoneNumber,
        apiId: 1,
        apiHash: 'any',
        settings: new Api.CodeSettings({}),
      }),
    );
    const signIn = client.invoke(
      new Api.auth.SignIn({
        phoneNumber,
        phoneCodeHash: (sent as Api.auth.SentCode).phoneCodeHash,
        phoneCode: '00001', // login codes are the phone's last five digits
      }),
    );
    await expect(signIn).rejects.toMatchObject({ errorMessage: 'SESSION_PASSWORD_NEEDED' });

    const recovery = await client.invoke(new Api.auth.RequestPasswordRecovery());
    expect(recovery.emailPattern).toMatch(/^a\*+@/);
    const code = await mock.admin.latestCode('alice@example.com');
    expect(await client.invoke(new Api.auth.CheckRecoveryPassword({ code }))).toBe(true);

    // New SRP settings: the server's salt1 prefix plus 32 random bytes, as clients do.
    const current = await client.invoke(new Api.account.GetPassword());
    const newAlgo =
      current.newAlgo as Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow;
    newAlgo.salt1 = Buffer.concat([newAlgo.salt1, randomBytes(32)]);
    const authorization = await client.invoke(
      new Api.auth.RecoverPassword({
        code,
        newSettings: new Api.account.PasswordInputSettings({
          newAlgo,
          newPasswordHash: await password.computeDigest(newAlgo, 'a new password'),
          hint: 'the new one',
        }),
      }),
    );
    expect(authorization).toBeInstanceOf(Api.auth.Authorization);
    expect(await client.isUserAuthorized()).toBe(true);
  } finally {
    await client.destroy();
  }
});
