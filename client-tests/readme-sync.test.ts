import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('README shows the recovery suite that the tests run', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const suite = readFileSync(new URL('./readme-recovery.test.ts', import.meta.url), 'utf8');
  expect(readme).toContain(`\`\`\`ts\n${suite.trimEnd()}\n\`\`\``);
});
