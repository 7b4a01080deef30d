import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { BLOCKS } from '../scripts/sync-readme.mjs';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

it.each(Object.entries(BLOCKS))('README shows %s from its file', (_name, path) => {
  const code = readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
  expect(readme).toContain(`\`\`\`ts\n${code.trimEnd()}\n\`\`\``);
});
