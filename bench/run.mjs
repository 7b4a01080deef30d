#!/usr/bin/env node
// Builds the server and a copy of the TypeScript sources with the benchmarks, then runs them.
// Usage: node bench/run.mjs. It prints a table and writes BENCHMARKS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const buildDir = join(root, 'dist', 'bench-build');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

console.log('building dist/server and dist/bench-build…');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
rmSync(buildDir, { recursive: true, force: true });
// Type errors elsewhere in the repository must not stop the benchmarks, so the exit code of
// this build is ignored and only the presence of the entry point is checked.
spawnSync(
  process.execPath,
  [
    tsc,
    '-p',
    'tsconfig.json',
    '--outDir',
    buildDir,
    '--declaration',
    'false',
    '--sourceMap',
    'false',
  ],
  { cwd: root, stdio: 'ignore' },
);
const entry = join(buildDir, 'bench', 'bench-main.js');
if (!existsSync(entry)) {
  console.error(`bench: ${entry} was not built; run npx tsc -p tsconfig.json --noEmit for errors`);
  process.exit(1);
}
// The compiled server finds its TL schemas next to registry.js and its key in fixtures/.
mkdirSync(join(buildDir, 'server', 'tl'), { recursive: true });
symlinkSync(join(root, 'server', 'tl', 'schemas'), join(buildDir, 'server', 'tl', 'schemas'));
symlinkSync(join(root, 'fixtures'), join(buildDir, 'fixtures'));

const result = spawnSync(process.execPath, ['--expose-gc', entry], { cwd: root, stdio: 'inherit' });
if (result.status === 0) {
  // npm test runs prettier --check on the whole repository, BENCHMARKS.md included.
  const prettier = join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  execFileSync(process.execPath, [prettier, '--write', 'BENCHMARKS.md'], {
    cwd: root,
    stdio: 'ignore',
  });
}
process.exit(result.status ?? 1);
