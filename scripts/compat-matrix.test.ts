import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FLOWS, flowTitle, suiteTitle } from '../client-tests/support/suite-names.js';

interface Counts {
  passed: number;
  failed: number;
}

interface Row {
  client: string;
  version: string;
  layer: number;
  transport: string;
  flows: Record<string, Counts>;
}

/** The exports of compat-matrix.mjs that these tests use. */
interface CompatMatrixModule {
  START_MARKER: string;
  END_MARKER: string;
  FLOW_COLUMNS: Array<{ flow: string; header: string }>;
  parseSuiteTitle(
    title: string,
  ): { client: string; version: string; layer: number; transport: string } | undefined;
  collectRows(report: unknown): Row[];
  renderTable(rows: Row[]): string;
  replaceMatrix(document: string, table: string): string;
}

const scriptPath = fileURLToPath(new URL('./compat-matrix.mjs', import.meta.url));
// A computed specifier keeps TypeScript from looking for declarations of the .mjs file.
const script = (await import(/* @vite-ignore */ scriptPath)) as CompatMatrixModule;

type Status = 'passed' | 'failed' | 'skipped' | 'pending' | 'todo';

/** Builds one test entry in the shape of vitest's JSON reporter. */
function result(ancestorTitles: string[], title: string, status: Status) {
  return {
    ancestorTitles,
    fullName: [...ancestorTitles, title].join(' '),
    title,
    status,
    duration: 1,
    failureMessages: status === 'failed' ? ['AssertionError: expected'] : [],
  };
}

const mtcuteTcp = suiteTitle('mtcute', '0.30.3', 227, 'intermediate');
const mtcuteWs = suiteTitle('mtcute', '0.30.3', 227, 'WebSocket');
const core = suiteTitle('@mtproto/core', '6.3.0', 158, 'obfuscated intermediate');

/** A small report: every status, an unknown flow, and a suite outside the naming scheme. */
const fakeReport = {
  numTotalTests: 11,
  success: false,
  testResults: [
    {
      name: '/repo/client-tests/mtcute.test.ts',
      status: 'failed',
      assertionResults: [
        result([mtcuteTcp], flowTitle('connect', 'receives config'), 'passed'),
        result([mtcuteTcp], flowTitle('sign-in', 'with a login code'), 'passed'),
        result([mtcuteTcp], flowTitle('recovery', 'sets a new password'), 'passed'),
        result([mtcuteTcp], flowTitle('recovery', 'removes the password'), 'failed'),
        result([mtcuteTcp], flowTitle('errors', 'CODE_EMPTY'), 'skipped'),
        result([mtcuteWs], flowTitle('connect', 'receives config'), 'failed'),
        result([mtcuteWs], 'no flow prefix here', 'passed'),
        result([mtcuteWs], 'unknown-flow: is ignored', 'passed'),
      ],
    },
    {
      name: '/repo/client-tests/mtproto-core.test.ts',
      status: 'passed',
      assertionResults: [
        result(['outer', core], flowTitle('sign-in-2fa', 'with getSRPParams'), 'passed'),
        result([core], flowTitle('errors', 'PASSWORD_RECOVERY_NA'), 'todo'),
      ],
    },
    {
      name: '/repo/client-tests/gramjs-connect.test.ts',
      status: 'passed',
      assertionResults: [result(['GramJS 2.26.22 over tcp-full'], 'connect: works', 'passed')],
    },
  ],
};

/** Splits a rendered table into its rows of trimmed cells, header and separator excluded. */
function tableCells(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

describe('compat-matrix collectRows', () => {
  it('groups tests by suite title', () => {
    const rows = script.collectRows(fakeReport);

    expect(rows.map((row) => row.transport)).toEqual([
      'intermediate',
      'WebSocket',
      'obfuscated intermediate',
    ]);
    expect(rows[2]).toMatchObject({ client: '@mtproto/core', version: '6.3.0', layer: 158 });
  });

  it('counts only passed and failed tests', () => {
    const [tcp, ws, core] = script.collectRows(fakeReport);

    expect(tcp.flows.recovery).toEqual({ passed: 1, failed: 1 });
    expect(tcp.flows.errors).toEqual({ passed: 0, failed: 0 });
    expect(ws.flows).toEqual({ connect: { passed: 0, failed: 1 } });
    expect(core.flows.errors).toEqual({ passed: 0, failed: 0 });
  });

  it('rejects a file that is no vitest report', () => {
    expect(() => script.collectRows({ results: [] })).toThrow(/--reporter=json/);
  });
});

describe('compat-matrix renderTable', () => {
  it('marks cells from the fake report', () => {
    const cells = tableCells(script.renderTable(script.collectRows(fakeReport)));

    expect(cells).toEqual([
      ['mtcute', '0.30.3', '227', 'intermediate', '✓', '✓', '–', '✗', '–'],
      ['mtcute', '0.30.3', '227', 'WebSocket', '✗', '–', '–', '–', '–'],
      ['@mtproto/core', '6.3.0', '158', 'obfuscated intermediate', '–', '–', '✓', '–', '–'],
    ]);
  });

  it('never marks a cell without a passing test', () => {
    const status = fc.constantFrom<Status>('passed', 'failed', 'skipped', 'pending', 'todo');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...FLOWS), status)), (tests) => {
        const report = {
          testResults: [
            {
              assertionResults: tests.map(([flow, testStatus]) =>
                result([mtcuteTcp], flowTitle(flow, 'case'), testStatus),
              ),
            },
          ],
        };
        const rows = tableCells(script.renderTable(script.collectRows(report)));
        if (tests.length === 0) {
          expect(rows).toEqual([]);
          return;
        }
        FLOWS.forEach((flow, column) => {
          const statuses = tests.filter(([testFlow]) => testFlow === flow).map(([, s]) => s);
          const claimed = rows[0][4 + column] === '✓';
          expect(claimed).toBe(statuses.includes('passed') && !statuses.includes('failed'));
        });
      }),
    );
  });

  it('has a column for each flow of the suites', () => {
    expect(script.FLOW_COLUMNS.map((column) => column.flow)).toEqual([...FLOWS]);
  });
});

describe('compat-matrix parseSuiteTitle', () => {
  it('reads back what suiteTitle builds', () => {
    const name = fc.stringMatching(/^[@a-zA-Z][a-zA-Z0-9@/.-]{0,15}$/);
    const version = fc.tuple(fc.nat(999), fc.nat(999), fc.nat(999)).map((parts) => parts.join('.'));
    const transport = fc.stringMatching(/^[A-Za-z][A-Za-z -]{0,20}[A-Za-z]$/);
    fc.assert(
      fc.property(name, version, fc.nat(10_000), transport, (client, v, layer, over) => {
        expect(script.parseSuiteTitle(suiteTitle(client, v, layer, over))).toEqual({
          client,
          version: v,
          layer,
          transport: over,
        });
      }),
    );
  });

  it('ignores titles without a layer', () => {
    expect(script.parseSuiteTitle('GramJS 2.26.22 over tcp-full')).toBeUndefined();
  });
});

describe('compat-matrix replaceMatrix', () => {
  const document = `# Title\n\n${script.START_MARKER}\nold table\n${script.END_MARKER}\n\nafter\n`;

  it('replaces only the text between the markers', () => {
    const updated = script.replaceMatrix(document, '| new |');

    expect(updated).toBe(
      `# Title\n\n${script.START_MARKER}\n| new |\n${script.END_MARKER}\n\nafter\n`,
    );
  });

  it('gives the same text when run twice', () => {
    const once = script.replaceMatrix(document, '| new |');

    expect(script.replaceMatrix(once, '| new |')).toBe(once);
  });

  it('throws without the markers', () => {
    expect(() => script.replaceMatrix('# no markers\n', '| t |')).toThrow(/compat-matrix:start/);
  });
});

describe('compat-matrix command line', () => {
  let directory: string | undefined;

  afterEach(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
    directory = undefined;
  });

  function writeFixtureFiles() {
    directory = mkdtempSync(join(tmpdir(), 'compat-matrix-'));
    const reportPath = join(directory, 'report.json');
    const readmePath = join(directory, 'README.md');
    writeFileSync(reportPath, JSON.stringify(fakeReport));
    writeFileSync(readmePath, `intro\n${script.START_MARKER}\n${script.END_MARKER}\nend\n`);
    return { reportPath, readmePath };
  }

  it('prints the table to stdout', () => {
    const { reportPath } = writeFixtureFiles();

    const run = spawnSync(process.execPath, [scriptPath, reportPath], { encoding: 'utf8' });

    expect(run.status).toBe(0);
    expect(tableCells(run.stdout)).toHaveLength(3);
    expect(run.stdout).toContain('| mtcute | 0.30.3 | 227 | WebSocket | ✗ |');
  });

  it('writes the table into a file with --write', () => {
    const { reportPath, readmePath } = writeFixtureFiles();

    const run = spawnSync(process.execPath, [scriptPath, reportPath, `--write=${readmePath}`], {
      encoding: 'utf8',
    });

    expect(run.status).toBe(0);
    const written = readFileSync(readmePath, 'utf8');
    expect(written.startsWith(`intro\n${script.START_MARKER}\n| client |`)).toBe(true);
    expect(written.endsWith(`no test ran.\n${script.END_MARKER}\nend\n`)).toBe(true);
  });

  it('exits 2 with usage on a bad option', () => {
    const run = spawnSync(process.execPath, [scriptPath, 'report.json', '--wirte'], {
      encoding: 'utf8',
    });

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown option --wirte');
  });
});
