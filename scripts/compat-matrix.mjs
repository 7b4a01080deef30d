#!/usr/bin/env node
/**
 * Builds the README's client compatibility matrix from vitest's JSON report.
 *
 * Usage:
 *   npx vitest run client-tests --reporter=json --outputFile=report.json
 *   node scripts/compat-matrix.mjs report.json            # prints the table
 *   node scripts/compat-matrix.mjs report.json --write    # replaces it in README.md
 *   node scripts/compat-matrix.mjs report.json --write=docs/clients.md
 *
 * A client suite names its describe block `<client> <version> (layer <n>) over <transport>`
 * and starts each test title with a flow id and a colon (`recovery: sets a new password`), as
 * client-tests/support/suite-names.ts builds them. Tests named otherwise are not counted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const START_MARKER = '<!-- compat-matrix:start -->';
export const END_MARKER = '<!-- compat-matrix:end -->';

/** Flow ids as test titles start with them, and the column header each one gets. */
export const FLOW_COLUMNS = [
  { flow: 'connect', header: 'connect' },
  { flow: 'sign-in', header: 'sign-in' },
  { flow: 'sign-in-2fa', header: '2FA sign-in' },
  { flow: 'recovery', header: 'recovery' },
  { flow: 'errors', header: 'errors' },
];

const SUITE_TITLE =
  /^(?<client>.+) (?<version>\d+\.\d+\.\d+\S*) \(layer (?<layer>\d+)\) over (?<transport>.+)$/;
const FLOW_TITLE = /^(?<flow>[a-z0-9-]+):/;

/** Cell marks: every counted test passed, at least one failed, or none ran. */
export const MARKS = { passed: '✓', failed: '✗', none: '–' };

/**
 * Parses a describe title such as `mtcute 0.30.3 (layer 227) over WebSocket`. Returns
 * undefined for titles in another format.
 */
export function parseSuiteTitle(title) {
  const match = SUITE_TITLE.exec(title);
  if (!match) return undefined;
  const { client, version, layer, transport } = match.groups;
  return { client, version, layer: Number(layer), transport };
}

/** Returns the flow id a test title starts with, or undefined when it is not a known flow. */
export function parseFlow(title) {
  const flow = FLOW_TITLE.exec(title)?.groups.flow;
  return FLOW_COLUMNS.some((column) => column.flow === flow) ? flow : undefined;
}

/**
 * Collects one row per client, version, layer and transport from a vitest JSON report, with
 * the count of passed and failed tests per flow. Skipped, pending and todo tests count as
 * not run. Rows keep the order in which the report first lists them.
 */
export function collectRows(report) {
  if (!Array.isArray(report?.testResults)) {
    throw new Error(
      'the report has no testResults array; ' +
        'create it with vitest run --reporter=json --outputFile=FILE',
    );
  }
  const rows = new Map();
  for (const file of report.testResults) {
    for (const test of file.assertionResults ?? []) {
      const suite = (test.ancestorTitles ?? []).map(parseSuiteTitle).find(Boolean);
      const flow = parseFlow(test.title ?? '');
      if (!suite || !flow) continue;

      const key = [suite.client, suite.version, suite.layer, suite.transport].join('\u0000');
      let row = rows.get(key);
      if (!row) {
        row = { ...suite, flows: {} };
        rows.set(key, row);
      }
      const counts = (row.flows[flow] ??= { passed: 0, failed: 0 });
      if (test.status === 'passed') counts.passed++;
      else if (test.status === 'failed') counts.failed++;
    }
  }
  return [...rows.values()];
}

/** Returns the mark for one cell. A cell shows ✓ only when a test passed and none failed. */
export function cellMark(counts) {
  if (!counts || counts.passed + counts.failed === 0) return MARKS.none;
  return counts.failed > 0 ? MARKS.failed : MARKS.passed;
}

/** Renders the rows as a markdown table with a one-line legend below it. */
export function renderTable(rows) {
  const header = ['client', 'version', 'layer', 'transport', ...FLOW_COLUMNS.map((c) => c.header)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const row of rows) {
    const cells = [row.client, row.version, String(row.layer), row.transport];
    for (const { flow } of FLOW_COLUMNS) cells.push(cellMark(row.flows[flow]));
    lines.push(`| ${cells.map(escapeCell).join(' | ')} |`);
  }
  lines.push(
    '',
    `${MARKS.passed} every test of the flow passed, ${MARKS.failed} at least one failed, ` +
      `${MARKS.none} no test ran.`,
  );
  return lines.join('\n');
}

function escapeCell(text) {
  return text.replace(/\|/g, '\\|');
}

/**
 * Replaces the text between the compat-matrix markers with the table. Throws when the markers
 * are missing or out of order.
 */
export function replaceMatrix(document, table) {
  const start = document.indexOf(START_MARKER);
  const end = document.indexOf(END_MARKER);
  if (start < 0 || end < start) {
    throw new Error(
      `${START_MARKER} and ${END_MARKER} not found in that order; add them where the table goes`,
    );
  }
  const before = document.slice(0, start + START_MARKER.length);
  return `${before}\n${table}\n${document.slice(end)}`;
}

/** Builds the table from the report file at `reportPath`. */
export function buildMatrix(reportPath) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  return renderTable(collectRows(report));
}

const USAGE = 'usage: node scripts/compat-matrix.mjs REPORT.json [--write[=README.md]]';

function main(argv) {
  const writeArg = argv.find((arg) => arg === '--write' || arg.startsWith('--write='));
  const positional = argv.filter((arg) => !arg.startsWith('--'));
  const unknown = argv.filter((arg) => arg.startsWith('--') && arg !== writeArg);
  if (positional.length !== 1 || unknown.length > 0) {
    console.error(unknown.length > 0 ? `unknown option ${unknown[0]}\n${USAGE}` : USAGE);
    return 2;
  }

  const table = buildMatrix(positional[0]);
  if (!writeArg) {
    console.log(table);
    return 0;
  }
  const target = writeArg.includes('=')
    ? writeArg.slice('--write='.length)
    : join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
  writeFileSync(target, replaceMatrix(readFileSync(target, 'utf8'), table));
  console.error(`compat-matrix: updated ${target}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
