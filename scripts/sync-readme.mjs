// Copies example files into README.md between their markers, so the code that the README shows
// is the code the tests run. `--check` exits 1 when the README is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Marker name in README.md → the file shown there. */
export const BLOCKS = {
  'readme-suite': 'client-tests/readme-recovery.test.ts',
  'global-setup': 'client-tests/global-setup/mtmock-setup.ts',
};

/** Replaces the block between `<!-- NAME:start -->` and `<!-- NAME:end -->` with `code`. */
export function renderBlock(readme, name, code) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const startAt = readme.indexOf(start);
  const endAt = readme.indexOf(end);
  if (startAt < 0 || endAt < startAt)
    throw new Error(`README.md lacks the ${start} ... ${end} markers`);
  const block = `${start}\n\n\`\`\`ts\n${code.trimEnd()}\n\`\`\`\n\n`;
  return readme.slice(0, startAt) + block + readme.slice(endAt);
}

export function renderReadme(readme, readFile = (path) => readFileSync(`${root}${path}`, 'utf8')) {
  let rendered = readme;
  for (const [name, path] of Object.entries(BLOCKS)) {
    rendered = renderBlock(rendered, name, readFile(path));
  }
  return rendered;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readmePath = `${root}README.md`;
  const readme = readFileSync(readmePath, 'utf8');
  const rendered = renderReadme(readme);
  if (process.argv.includes('--check')) {
    if (rendered !== readme) {
      console.error('README.md is out of date: run node scripts/sync-readme.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(readmePath, rendered);
  }
}
