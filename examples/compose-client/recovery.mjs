// Recovers a forgotten 2FA password with GramJS (npm `telegram`) against a running mtmock, the
// way an app under test would, then proves the new password by signing in with it.
//
// Run by docker-compose.yml with the repository mounted at /repo, or from a checkout after
// `npm ci && npm run build`:
//   MTMOCK_URL=http://127.0.0.1:4430 node examples/compose-client/recovery.mjs
// The account is Alice from fixtures/default.json. Exits 0 on success and 1 on any failure.
import { randomBytes } from 'node:crypto';
import { URL } from 'node:url';
import { Api } from 'telegram';
import { computeCheck, computeDigest } from 'telegram/Password.js';
import { createGramJsClient } from '../../dist/server/adapters/gramjs.js';
import { AdminClient } from '../../dist/server/admin/admin-client.js';

const mockUrl = new URL(process.env.MTMOCK_URL ?? 'http://127.0.0.1:4430');
const phoneNumber = '15550000001';
// Accounts without a fixed loginCode get the last five digits of their phone number.
const loginCode = phoneNumber.slice(-5);
const recoveryEmail = 'alice@example.com';
const newPassword = `alice-${randomBytes(4).toString('hex')}`;

const admin = new AdminClient(mockUrl.origin);

/** Logs one step of the flow on stdout, so the compose output reads as a transcript. */
function step(message) {
  console.log(`recovery-client: ${message}`);
}

/** Connects a fresh GramJS client and stops at SESSION_PASSWORD_NEEDED after the login code. */
async function signInUntilPasswordNeeded(target) {
  const client = createGramJsClient(target);
  await client.connect();
  const sent = await client.invoke(
    new Api.auth.SendCode({
      phoneNumber,
      apiId: 1,
      apiHash: 'mtmock',
      settings: new Api.CodeSettings({}),
    }),
  );
  try {
    await client.invoke(
      new Api.auth.SignIn({ phoneNumber, phoneCodeHash: sent.phoneCodeHash, phoneCode: loginCode }),
    );
  } catch (error) {
    if (error.errorMessage === 'SESSION_PASSWORD_NEEDED') return client;
    throw error;
  }
  throw new Error(`auth.signIn for ${phoneNumber} succeeded without the 2FA password`);
}

async function main() {
  const [health, serverKey] = await Promise.all([admin.health(), admin.serverKey()]);
  const target = {
    host: mockUrl.hostname,
    port: Number(mockUrl.port || 80),
    publicKeyPem: serverKey.pem,
    dcId: health.dcId,
  };
  step(`mock at ${mockUrl.host}, key fingerprint ${serverKey.fingerprintHex}`);

  const recovering = await signInUntilPasswordNeeded(target);
  try {
    step('auth.signIn: SESSION_PASSWORD_NEEDED');
    const recovery = await recovering.invoke(new Api.auth.RequestPasswordRecovery());
    step(`auth.requestPasswordRecovery: code sent to ${recovery.emailPattern}`);

    const code = await admin.latestCode(recoveryEmail);
    step(`read the recovery code from GET /__admin/mailbox?to=${recoveryEmail}`);
    await recovering.invoke(new Api.auth.CheckRecoveryPassword({ code }));
    step('auth.checkRecoveryPassword: code accepted');

    // As GramJS's updateTwoFaSettings does: extend the offered salt1 by 32 random bytes.
    const { newAlgo: offered } = await recovering.invoke(new Api.account.GetPassword());
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
          hint: 'set by the compose example',
        }),
      }),
    );
    step(`auth.recoverPassword: signed in as user ${authorization.user.id} with a new password`);
  } finally {
    await recovering.destroy();
  }

  const verifying = await signInUntilPasswordNeeded(target);
  try {
    const password = await verifying.invoke(new Api.account.GetPassword());
    const check = await computeCheck(password, newPassword);
    const authorization = await verifying.invoke(new Api.auth.CheckPassword({ password: check }));
    step(`auth.checkPassword: the new password signs in user ${authorization.user.id}`);
  } finally {
    await verifying.destroy();
  }
}

main().then(
  () => {
    step('done');
    process.exit(0);
  },
  (error) => {
    console.error(`recovery-client: failed: ${error.errorMessage ?? error.message}`);
    process.exit(1);
  },
);
