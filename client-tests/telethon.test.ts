import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../server/mock-server.js';
import { defaultRegistry, findSchemaDirectory } from '../server/tl/registry.js';
import type { TlCombinator, TlSchemaData } from '../server/tl/types.js';
import { alice, bob, dave } from './support/fixture-accounts.js';
import { flowTitle, suiteTitle, type Flow } from './support/suite-names.js';

/**
 * Debian's Telethon lives in /usr/bin/python3's dist-packages. Another python3 first on PATH
 * (pyenv, a venv) does not see it.
 */
const PYTHON = '/usr/bin/python3';
const EXPECTED_VERSION = '1.25.1';
const RUNNER = fileURLToPath(new URL('./telethon/run.py', import.meta.url));

/** What the probe reads from the installed Telethon. */
interface TelethonInfo {
  version: string;
  layer: number;
  /** Constructor ids of Telethon's request classes and of its other TL classes. */
  functionIds: number[];
  typeIds: number[];
}

const PROBE = `
import json, telethon
from telethon.tl.alltlobjects import LAYER, tlobjects
ids = {'functions': [], 'types': []}
for cid, cls in tlobjects.items():
    ids['functions' if cls.__module__.startswith('telethon.tl.functions') else 'types'].append(cid)
print(json.dumps({'version': telethon.__version__, 'layer': LAYER,
                  'functionIds': ids['functions'], 'typeIds': ids['types']}))
`;

/** Runs the probe and returns Telethon's details, or the reason the suite cannot run. */
function probeTelethon(): { info?: TelethonInfo; problem?: string } {
  const probe = spawnSync(PYTHON, ['-c', PROBE], { encoding: 'utf8' });
  if (probe.error) return { problem: `${PYTHON} failed to start: ${probe.error.message}` };
  if (probe.status !== 0) {
    const reason = probe.stderr.trim().split('\n').pop();
    return {
      problem: `${PYTHON} cannot import telethon (${reason}); run apt-get install python3-telethon`,
    };
  }
  const info = JSON.parse(probe.stdout) as TelethonInfo;
  if (info.version !== EXPECTED_VERSION) {
    return {
      info,
      problem: `${PYTHON} has telethon ${info.version}; this suite expects ${EXPECTED_VERSION}`,
    };
  }
  return { info };
}

const { info: telethon, problem } = probeTelethon();
// Outside CI a missing Telethon skips the suite. In CI the tests fail instead, and the first test
// of each block names the reason.
const skipSuite = problem !== undefined && process.env.CI !== 'true';
if (skipSuite) console.warn(`Skipping the Telethon suite: ${problem}`);

const LAYER = telethon?.layer ?? 144;

/** Transports as run.py names them, and the label the compatibility matrix shows. */
const TRANSPORTS: Array<[string, string]> = [
  ['full', 'full'],
  ['abridged', 'abridged'],
  ['intermediate', 'intermediate'],
  ['obfuscated', 'obfuscated abridged'],
];

/** One case of run.py: its flow, the test title and the details its outcome line must have. */
interface CaseSpec {
  name: string;
  flow: Flow;
  title: string;
  detail: () => Record<string, unknown>;
}

const CASES: CaseSpec[] = [
  {
    name: 'connect',
    flow: 'connect',
    title: 'receives config in layer 144',
    detail: () => ({ layer: 144, thisDc: 2, port: server.port }),
  },
  {
    name: 'sign-in-code',
    flow: 'sign-in',
    title: 'signs in with the login code',
    detail: () => ({ userId: dave.id, phone: dave.phone }),
  },
  {
    name: 'sign-in-password',
    flow: 'sign-in-2fa',
    title: 'signs in with the 2FA password',
    detail: () => ({ userId: bob.id }),
  },
  {
    name: 'password-recovery',
    flow: 'recovery',
    title: 'recovers the password by email code',
    detail: () => ({ userId: alice.id, codeLength: 6 }),
  },
  {
    name: 'code-empty',
    flow: 'errors',
    title: 'CODE_EMPTY for an empty recovery code',
    detail: () => ({ class: 'CodeEmptyError', code: 400 }),
  },
  {
    name: 'new-settings-invalid',
    flow: 'errors',
    title: 'NEW_SETTINGS_INVALID for a bad new password',
    detail: () => ({ class: 'NewSettingsInvalidError', code: 400 }),
  },
  {
    name: 'password-recovery-na',
    flow: 'errors',
    title: 'PASSWORD_RECOVERY_NA without a recovery email',
    detail: () => ({ class: 'PasswordRecoveryNaError', code: 400 }),
  },
  {
    name: 'unknown-method',
    flow: 'errors',
    title: 'INPUT_METHOD_INVALID for an unknown method id',
    detail: () => ({ class: 'InputMethodInvalidError', code: 400 }),
  },
  {
    name: 'unknown-constructor',
    flow: 'errors',
    title: 'INPUT_CONSTRUCTOR_INVALID for an unknown constructor id',
    detail: () => ({ class: 'InputConstructorInvalidError', code: 400 }),
  },
];

/** One JSON line that run.py prints per case. */
interface OutcomeLine {
  transport: string;
  case: string;
  outcome: 'passed' | 'failed';
  detail?: Record<string, unknown>;
  error?: string;
}

/** Seconds run.py may take for all transports. run.py limits each case to 60 s itself. */
const RUN_TIMEOUT_SECONDS = 240;

let server: MockServer;
let run: { status: number | null; outcomes: Map<string, OutcomeLine>; stderr: string };

/** Runs run.py against the server and collects its outcome lines. */
async function runTelethon(): Promise<typeof run> {
  const child = spawn(PYTHON, [RUNNER, '--host', server.host, '--port', String(server.port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // No __pycache__ folders in the repository.
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_SECONDS * 1000);
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  }).finally(() => clearTimeout(timer));

  const outcomes = new Map<string, OutcomeLine>();
  for (const line of stdout.split('\n').filter((text) => text.trim() !== '')) {
    const outcome = JSON.parse(line) as OutcomeLine;
    outcomes.set(`${outcome.transport}/${outcome.case}`, outcome);
  }
  return { status, outcomes, stderr };
}

/** Returns the last 40 lines of run.py's stderr (Telethon's log and tracebacks) for a failure. */
function stderrTail(): string {
  return run.stderr.split('\n').slice(-40).join('\n');
}

describe.skipIf(skipSuite)(`Telethon ${telethon?.version ?? EXPECTED_VERSION} run`, () => {
  beforeAll(
    async () => {
      server = await startMockServer({ port: 0, logLevel: 'silent' });
      if (problem === undefined) run = await runTelethon();
    },
    (RUN_TIMEOUT_SECONDS + 30) * 1000,
  );

  afterAll(async () => {
    await server?.stop();
  });

  it('finds Telethon under /usr/bin/python3', () => {
    expect(problem).toBeUndefined();
  });

  it('prints every case and exits 0', () => {
    expect(run, problem).toBeDefined();
    const expected = TRANSPORTS.flatMap(([transport]) =>
      CASES.map((spec) => `${transport}/${spec.name}`),
    );
    expect([...run.outcomes.keys()].sort(), stderrTail()).toEqual(expected.sort());
    expect(run.status, stderrTail()).toBe(0);
  });

  for (const [transport, label] of TRANSPORTS) {
    describe(suiteTitle('Telethon', telethon?.version ?? EXPECTED_VERSION, LAYER, label), () => {
      for (const spec of CASES) {
        it(flowTitle(spec.flow, spec.title), () => {
          expect(run, problem).toBeDefined();
          const outcome = run.outcomes.get(`${transport}/${spec.name}`);
          expect(outcome, `no outcome line for ${transport}/${spec.name}`).toBeDefined();
          expect(outcome?.error).toBeUndefined();
          expect(outcome?.outcome).toBe('passed');
          expect(outcome?.detail).toMatchObject(spec.detail());
        });
      }
    });
  }
});

describe.skipIf(skipSuite)('layer 144 view against Telethon ids', () => {
  const view = defaultRegistry().view(144);

  it('finds Telethon under /usr/bin/python3', () => {
    expect(problem).toBeUndefined();
  });

  it('decodes every Telethon request', () => {
    const unknown = telethon!.functionIds.filter((id) => view.byId(id)?.kind !== 'method');
    expect(telethon!.functionIds.length).toBeGreaterThan(400);
    expect(unknown.map((id) => id.toString(16))).toEqual([]);
  });

  it('lists where layer 143 differs from 144', () => {
    // Every name of the layer-143 schema, resolved for a layer-144 client, compared with the
    // ids Telethon 1.25.1 reads. Telethon reads Bool and true itself, and never gets error or null.
    const telethonIds = new Set([...telethon!.functionIds, ...telethon!.typeIds]);
    const differing = readLayer143()
      .filter((combinator) => {
        const resolved =
          combinator.kind === 'method'
            ? view.methodByName(combinator.name)
            : view.constructorByName(combinator.name);
        expect(resolved?.id, combinator.name).toBe(combinator.id);
        return !telethonIds.has(combinator.id);
      })
      .map((combinator) => combinator.name);
    expect(differing).toEqual([
      'boolFalse',
      'boolTrue',
      'true',
      'error',
      'null',
      'userFull',
      'stickerSet',
      'messages.featuredStickers',
      'payments.paymentForm',
      'account.deleteAccount',
      'payments.assignAppStoreTransaction',
      'payments.assignPlayMarketTransaction',
      'payments.restorePlayMarketReceipt',
      'payments.canPurchasePremium',
    ]);
  });
});

/** Returns every constructor and method of the imported layer-143 schema. */
function readLayer143(): TlCombinator[] {
  const path = join(findSchemaDirectory(), 'api-143.json');
  const data = JSON.parse(readFileSync(path, 'utf8')) as TlSchemaData;
  return [...data.constructors, ...data.methods];
}
