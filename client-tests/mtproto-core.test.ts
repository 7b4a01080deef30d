import { createDiffieHellman, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { password as gramjsPassword } from 'telegram';
import {
  createMtprotoCoreClient,
  type MtprotoCoreClient,
} from '../server/adapters/mtproto-core.js';
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

const VERSION = installedVersion('@mtproto/core');
/** @mtproto/core 6.3.0 hard-codes this layer in every invokeWithLayer (src/rpc/index.js). */
const LAYER = 158;
const NEW_PASSWORD = 'alice-recovered-password';

/** An SRP algo as @mtproto/core decodes it: TL names, bytes as Uint8Array. */
interface SrpAlgo {
  _: string;
  salt1: Uint8Array;
  salt2: Uint8Array;
  g: number;
  p: Uint8Array;
}

let server: MockServer;
const clients: MtprotoCoreClient[] = [];

beforeAll(async () => {
  server = await startMockServer({ port: 0, logLevel: 'silent' });
});

beforeEach(async () => {
  // Back to the fixtures: the recovery tests change Alice's password.
  await server.admin.reset();
});

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

afterAll(async () => {
  await server?.stop();
});

function newClient(): MtprotoCoreClient {
  const client = createMtprotoCoreClient(targetOf(server));
  clients.push(client);
  return client;
}

/** Sends the login code and signs in, which must end in SESSION_PASSWORD_NEEDED. */
async function reachPasswordStep(client: MtprotoCoreClient, account: FixtureAccount) {
  const sent = await client.call('auth.sendCode', {
    phone_number: account.phone,
    settings: { _: 'codeSettings' },
  });
  const signIn = client.call('auth.signIn', {
    phone_number: account.phone,
    phone_code_hash: sent.phone_code_hash,
    phone_code: loginCodeOf(account),
  });
  await expect(signIn).rejects.toMatchObject({
    error_code: 401,
    error_message: 'SESSION_PASSWORD_NEEDED',
  });
}

/**
 * Builds inputCheckPasswordSRP with @mtproto/core's own SRP helper from a fresh
 * account.getPassword. `chooseExponent` replaces the helper's random secret a when given.
 */
async function srpCheck(
  client: MtprotoCoreClient,
  plaintext: string,
  chooseExponent?: (algo: SrpAlgo) => Buffer,
) {
  const password = await client.call('account.getPassword');
  const algo = password.current_algo as SrpAlgo;
  const drawRandom = client.crypto.getRandomBytes;
  if (chooseExponent) {
    const exponent = chooseExponent(algo);
    client.crypto.getRandomBytes = (length) => (length === 256 ? exponent : drawRandom(length));
  }
  const proof = client.crypto.getSRPParams({
    g: algo.g,
    p: algo.p,
    salt1: algo.salt1,
    salt2: algo.salt2,
    gB: password.srp_B,
    password: plaintext,
  });
  // getSRPParams draws a before its first await, so the original can come back now.
  client.crypto.getRandomBytes = drawRandom;
  const { A, M1 } = await proof;
  return { _: 'inputCheckPasswordSRP', srp_id: password.srp_id, A, M1 };
}

async function checkPassword(client: MtprotoCoreClient, plaintext: string) {
  return client.call('auth.checkPassword', { password: await srpCheck(client, plaintext) });
}

/**
 * Returns new_algo with 32 random bytes appended to salt1 and the verifier for `plaintext`.
 * @mtproto/core has no helper for the verifier, so GramJS's computeDigest computes it.
 */
async function newPasswordSettings(client: MtprotoCoreClient, plaintext: string) {
  const password = await client.call('account.getPassword');
  const newAlgo = password.new_algo as SrpAlgo;
  newAlgo.salt1 = Buffer.concat([newAlgo.salt1, randomBytes(32)]);
  const digest = await gramjsPassword.computeDigest(
    {
      g: newAlgo.g,
      p: Buffer.from(newAlgo.p),
      salt1: Buffer.from(newAlgo.salt1),
      salt2: Buffer.from(newAlgo.salt2),
    } as Parameters<typeof gramjsPassword.computeDigest>[0],
    plaintext,
  );
  return { newAlgo, newPasswordHash: new Uint8Array(digest) };
}

/**
 * Returns 256 random bytes a for which g^a mod p has a zero top byte, so that @mtproto/core
 * serializes A in fewer than 256 bytes. Node's DH with g as the peer key computes g^a mod p.
 */
function exponentWithShortA(algo: SrpAlgo): Buffer {
  const dh = createDiffieHellman(Buffer.from(algo.p), algo.g);
  for (;;) {
    const a = randomBytes(256);
    dh.setPrivateKey(a);
    if (dh.computeSecret(Buffer.from([algo.g]))[0] === 0) return a;
  }
}

describe(suiteTitle('@mtproto/core', VERSION, LAYER, 'obfuscated intermediate'), () => {
  it(flowTitle('connect', 'receives config in its layer'), async () => {
    const client = newClient();

    const config = await client.call('help.getConfig');

    expect(config.this_dc).toBe(2);
    expect(config.dc_options).toHaveLength(1);
    expect(config.dc_options[0].ip_address).toBe(server.host);
    expect(config.dc_options[0].port).toBe(server.port);
    // A handshake that the client rejected leaves an unused key, so count only used ones.
    const keys = [...server.keys.values()].filter((key) => key.client !== undefined);
    expect(keys).toHaveLength(1);
    expect(keys[0].layer).toBe(LAYER);
    expect(keys[0].client?.deviceModel).toBe('@mtproto/core');
  });

  it(flowTitle('sign-in', 'with a login code'), async () => {
    const client = newClient();

    const sent = await client.call('auth.sendCode', {
      phone_number: dave.phone,
      settings: { _: 'codeSettings' },
    });
    const authorization = await client.call('auth.signIn', {
      phone_number: dave.phone,
      phone_code_hash: sent.phone_code_hash,
      phone_code: loginCodeOf(dave),
    });

    expect(authorization._).toBe('auth.authorization');
    expect(String(authorization.user.id)).toBe(String(dave.id));
    const [self] = await client.call('users.getUsers', { id: [{ _: 'inputUserSelf' }] });
    expect(self.first_name).toBe(dave.firstName);
  });

  it(flowTitle('sign-in-2fa', 'with getSRPParams'), async () => {
    const client = newClient();
    await reachPasswordStep(client, alice);

    const wrong = checkPassword(client, 'not-the-password');
    await expect(wrong).rejects.toMatchObject({ error_message: 'PASSWORD_HASH_INVALID' });
    const authorization = await checkPassword(client, alice.password!);

    expect(authorization._).toBe('auth.authorization');
    expect(String(authorization.user.id)).toBe(String(alice.id));
  });

  // @mtproto/core sends and hashes A and S without leading zero bytes. A strict server rejects
  // the proof when either has a zero top byte (each about 1 time in 200), so mtmock also
  // accepts the unpadded form.
  it(flowTitle('sign-in-2fa', 'accepts an unpadded SRP A'), async () => {
    const client = newClient();
    await reachPasswordStep(client, alice);
    const check = await srpCheck(client, alice.password!, exponentWithShortA);

    expect(check.A.length).toBeLessThan(256);
    const authorization = await client.call('auth.checkPassword', { password: check });
    expect(String(authorization.user.id)).toBe(String(alice.id));
  });

  it(flowTitle('recovery', 'sets a new password'), async () => {
    const client = newClient();
    await reachPasswordStep(client, alice);

    const recovery = await client.call('auth.requestPasswordRecovery');
    expect(recovery.email_pattern).toMatch(/^a\*+@/);
    const code = await server.admin.latestCode(alice.recoveryEmail!.address);
    expect(await client.call('auth.checkRecoveryPassword', { code })).toBe(true);
    const { newAlgo, newPasswordHash } = await newPasswordSettings(client, NEW_PASSWORD);
    const authorization = await client.call('auth.recoverPassword', {
      code,
      new_settings: {
        _: 'account.passwordInputSettings',
        new_algo: newAlgo,
        new_password_hash: newPasswordHash,
        hint: 'recovered',
      },
    });
    expect(authorization._).toBe('auth.authorization');
    expect(String(authorization.user.id)).toBe(String(alice.id));

    const fresh = newClient();
    await reachPasswordStep(fresh, alice);
    const old = checkPassword(fresh, alice.password!);
    await expect(old).rejects.toMatchObject({ error_message: 'PASSWORD_HASH_INVALID' });
    const signedIn = await checkPassword(fresh, NEW_PASSWORD);
    expect(String(signedIn.user.id)).toBe(String(alice.id));
  });

  it(flowTitle('errors', 'CODE_EMPTY from recoverPassword'), async () => {
    const client = newClient();
    await reachPasswordStep(client, alice);
    await client.call('auth.requestPasswordRecovery');

    const recovery = client.call('auth.recoverPassword', { code: '' });

    await expect(recovery).rejects.toEqual({
      _: 'mt_rpc_error',
      error_code: 400,
      error_message: 'CODE_EMPTY',
    });
  });

  it(flowTitle('errors', 'NEW_SETTINGS_INVALID for a bad hash'), async () => {
    const client = newClient();
    await reachPasswordStep(client, alice);
    await client.call('auth.requestPasswordRecovery');
    const code = await server.admin.latestCode(alice.recoveryEmail!.address);
    const { newAlgo } = await newPasswordSettings(client, NEW_PASSWORD);

    // Zero is no power of g, so it cannot be a password verifier. The hint is not empty because
    // @mtproto/core drops empty flag fields but keeps their flag bit, which corrupts the request.
    const recovery = client.call('auth.recoverPassword', {
      code,
      new_settings: {
        _: 'account.passwordInputSettings',
        new_algo: newAlgo,
        new_password_hash: new Uint8Array(256),
        hint: 'rejected',
      },
    });

    await expect(recovery).rejects.toEqual({
      _: 'mt_rpc_error',
      error_code: 400,
      error_message: 'NEW_SETTINGS_INVALID',
    });
    // The rejected settings did not use up the code.
    expect(await client.call('auth.checkRecoveryPassword', { code })).toBe(true);
  });

  it(flowTitle('errors', 'PASSWORD_RECOVERY_NA without an email'), async () => {
    const client = newClient();
    await reachPasswordStep(client, bob);

    const recovery = client.call('auth.requestPasswordRecovery');

    await expect(recovery).rejects.toEqual({
      _: 'mt_rpc_error',
      error_code: 400,
      error_message: 'PASSWORD_RECOVERY_NA',
    });
  });
});
