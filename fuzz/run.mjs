#!/usr/bin/env node
// Long fuzz run: every server/**/*.fuzz.test.ts with 50 times the runs of `npm test`, each
// property stopped after 120 s. Usage: node fuzz/run.mjs [RUN_FACTOR] [SECONDS_PER_PROPERTY].
// Replay a failure with MTMOCK_FUZZ_SEED=<seed from the report> npx vitest run <file>.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const factor = process.argv[2] ?? process.env.MTMOCK_FUZZ_RUNS ?? '50';
const seconds = process.argv[3] ?? process.env.MTMOCK_FUZZ_SECONDS ?? '120';
for (const [name, value] of [
  ['RUN_FACTOR', factor],
  ['SECONDS_PER_PROPERTY', seconds],
]) {
  if (!(Number(value) > 0)) {
    console.error(`fuzz: invalid ${name} "${value}"; expected a positive number`);
    process.exit(2);
  }
}

console.log(`fuzz: ${factor}× the short runs, at most ${seconds} s per property`);
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', '.fuzz.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, MTMOCK_FUZZ_RUNS: factor, MTMOCK_FUZZ_SECONDS: seconds },
});
process.exit(result.status ?? 1);
