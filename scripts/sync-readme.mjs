// Copies client-tests/readme-recovery.test.ts into README.md between its markers, so the suite
// that the README shows is the one the tests run. `--check` exits 1 when the README is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const START = '<!-- readme-suite:start -->';
const END = '<!-- readme-suite:end -->';

export function renderReadme(readme, suite) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} ... ${END} markers`);
  const block = `${START}\n\n\`\`\`ts\n${suite.trimEnd()}\n\`\`\`\n\n`;
  return readme.slice(0, start) + block + readme.slice(end);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readmePath = `${root}README.md`;
  const readme = readFileSync(readmePath, 'utf8');
  const suite = readFileSync(`${root}client-tests/readme-recovery.test.ts`, 'utf8');
  const rendered = renderReadme(readme, suite);
  if (process.argv.includes('--check')) {
    if (rendered !== readme) {
      console.error('README.md is out of date: run node scripts/sync-readme.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(readmePath, rendered);
  }
}
