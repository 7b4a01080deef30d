import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

it('globalSetup example starts one mock for a run', async () => {
  // Runs the example project the README shows, in its own vitest process.
  const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
  const { stdout } = await execFileAsync(
    process.execPath,
    [vitest, 'run', '--config', 'client-tests/global-setup/vitest.config.ts'],
    { cwd: root, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } },
  );
  expect(stdout).toMatch(/Tests\s+1 passed \(1\)/);
}, 150_000);
