import { afterAll, describe, expect, it } from 'vitest';
import { baseImage, run, shouldRunContainerTests } from './docker.test.helper.js';

const PROJECT = 'mtmock-compose-test';

/** Environment for docker-compose: a free host port and the base image, if one is set. */
const composeEnv: NodeJS.ProcessEnv = {
  ...process.env,
  MTMOCK_HOST_PORT: '0',
  ...(baseImage ? { MTMOCK_BASE_IMAGE: baseImage } : {}),
};

function compose(args: string[], timeoutSeconds: number) {
  return run('docker-compose', ['-p', PROJECT, ...args], timeoutSeconds, composeEnv);
}

describe.runIf(shouldRunContainerTests('the docker-compose test'))('docker-compose.yml', () => {
  afterAll(async () => {
    await compose(['down', '--volumes', '--timeout', '5'], 120);
  }, 130_000);

  it('runs the recovery client once healthy', async () => {
    const started = performance.now();
    const { stdout } = await compose(
      ['up', '--build', '--no-color', '--exit-code-from', 'recovery-client'],
      300,
    );
    console.log(
      `docker-compose up until the client exited: ${Math.round(performance.now() - started)} ms`,
    );

    const clientLines = stdout
      .split('\n')
      .filter((line) => line.includes('recovery-client: '))
      .map((line) => line.slice(line.indexOf('recovery-client: ')));
    expect(clientLines).toContain('recovery-client: auth.signIn: SESSION_PASSWORD_NEEDED');
    expect(clientLines).toContain('recovery-client: auth.checkRecoveryPassword: code accepted');
    expect(clientLines).toContain(
      'recovery-client: auth.checkPassword: the new password signs in user 1001',
    );
    expect(clientLines.at(-1)).toBe('recovery-client: done');
  }, 330_000);
});
