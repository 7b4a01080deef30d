import { randomBytes } from 'node:crypto';
import { Api, password } from 'telegram';
import { AdminClient } from '../server/admin/admin-client.js';
import { createGramJsClient } from '../server/adapters/gramjs.js';
import { ChildServer, cpuMs } from './child-server.js';
import { median } from './statistics.js';

const SERVERS = 3;
const RUNS = 9;
const WARM_UP_RUNS = 3;
/** alice_recovery of fixtures/default.json; her login code is the phone's last 5 digits. */
const ALICE = { phone: '15550000001', loginCode: '00001', email: 'alice@example.com' };

/** Cost of one recovery flow, from connect to the result of auth.recoverPassword. */
interface FlowCost {
  /** Wall time seen by the client. */
  totalMs: number;
  /** CPU time of the server process in the same interval, all threads, user and system. */
  serverMs: number;
}

/** Runs GramJS from connect to auth.recoverPassword once. */
async function recoverOnce(server: ChildServer, admin: AdminClient): Promise<FlowCost> {
  const cpuBefore = await server.cpu();
  const started = performance.now();
  const client = createGramJsClient({
    host: '127.0.0.1',
    port: server.port,
    publicKeyPem: server.publicKeyPem,
  });
  client.setLogLevel('none' as never);
  try {
    await client.connect();
    const sent = await client.invoke(
      new Api.auth.SendCode({
        phoneNumber: ALICE.phone,
        apiId: 1,
        apiHash: 'mtmock',
        settings: new Api.CodeSettings({}),
      }),
    );
    const phoneCodeHash = (sent as Api.auth.SentCode).phoneCodeHash;
    const signIn = client.invoke(
      new Api.auth.SignIn({ phoneNumber: ALICE.phone, phoneCodeHash, phoneCode: ALICE.loginCode }),
    );
    await signIn.then(
      () => {
        throw new Error('auth.signIn succeeded; expected SESSION_PASSWORD_NEEDED for Alice');
      },
      (error: { errorMessage?: string }) => {
        if (error.errorMessage !== 'SESSION_PASSWORD_NEEDED') throw error;
      },
    );
    await client.invoke(new Api.auth.RequestPasswordRecovery());
    const code = (await admin.mailbox(ALICE.email)).at(-1)?.code;
    if (code === undefined) throw new Error(`no recovery email to ${ALICE.email} in the mailbox`);
    await client.invoke(new Api.auth.CheckRecoveryPassword({ code }));

    const accountPassword = await client.invoke(new Api.account.GetPassword());
    const newAlgo =
      accountPassword.newAlgo as Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow;
    newAlgo.salt1 = Buffer.concat([newAlgo.salt1, randomBytes(32)]);
    const newSettings = new Api.account.PasswordInputSettings({
      newAlgo,
      newPasswordHash: await password.computeDigest(newAlgo, 'recovered password'),
      hint: '',
    });
    await client.invoke(new Api.auth.RecoverPassword({ code, newSettings }));
    const totalMs = performance.now() - started;
    return { totalMs, serverMs: cpuMs(cpuBefore, await server.cpu()) };
  } finally {
    await client.destroy();
  }
}

/**
 * Medians of the recovery flow's costs with GramJS over RUNS runs on each of SERVERS freshly
 * started servers, after WARM_UP_RUNS on each. The share is server CPU over wall time, computed
 * per run. Each median is taken on its own, so the three may come from different runs.
 */
export async function measureGramJsRecovery(): Promise<FlowCost & { share: number }> {
  const costs: FlowCost[] = [];
  // Each server draws its own pq primes. GramJS factors pq in JavaScript, in a time that varies
  // with the primes, and that is a large part of the flow, so one server can sit high or low.
  for (let started = 0; started < SERVERS; started++) {
    const server = await ChildServer.start('mock');
    try {
      await server.settle();
      costs.push(...(await measureOnServer(server)));
    } finally {
      await server.stop();
    }
  }
  return {
    totalMs: median(costs.map((cost) => cost.totalMs)),
    serverMs: median(costs.map((cost) => cost.serverMs)),
    share: median(costs.map((cost) => cost.serverMs / cost.totalMs)),
  };
}

async function measureOnServer(server: ChildServer): Promise<FlowCost[]> {
  const admin = AdminClient.at('127.0.0.1', server.port);
  // The first flows compile the handlers' code paths in both processes, and V8 keeps
  // optimizing them on background threads for a few flows more, so they are not counted.
  for (let run = 0; run < WARM_UP_RUNS; run++) {
    await admin.reset();
    await recoverOnce(server, admin);
  }
  const costs: FlowCost[] = [];
  for (let run = 0; run < RUNS; run++) {
    await admin.reset();
    costs.push(await recoverOnce(server, admin));
  }
  return costs;
}
