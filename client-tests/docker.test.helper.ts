import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Shared setup of the container tests (client-tests/docker-*.test.ts). The `.test.helper.ts`
 * name keeps it out of the test run and out of the npm package.
 */

const execFileAsync = promisify(execFile);

/** The repository root: the Docker build context and the compose project folder. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Base image for the Dockerfile's BASE_IMAGE; undefined keeps the Dockerfile's default. */
export const baseImage = process.env.MTMOCK_BASE_IMAGE || undefined;

/**
 * Returns why the container tests cannot run: no Docker engine, or no base image named.
 * The Dockerfile's default base must be pulled from a registry, so the tests build only when
 * MTMOCK_BASE_IMAGE names a base. `.ci/docker-setup.sh` prints one, and `node:20-bookworm-slim`
 * works where Docker Hub is reachable. Without it the tests would reach for the network.
 */
function findDockerProblem(): string | undefined {
  if (baseImage === undefined) {
    return 'MTMOCK_BASE_IMAGE is not set';
  }
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
      stdio: 'pipe',
      timeout: 15_000,
    });
    return undefined;
  } catch (error) {
    const failure = error as Error & { stderr?: Buffer };
    const detail = failure.stderr?.toString().trim().split('\n').at(-1) || failure.message;
    return `docker info failed: ${detail}`;
  }
}

const dockerProblem = findDockerProblem();

/**
 * Returns whether the container tests of `suite` run. They skip only outside CI
 * (CI=true) when no engine responds, and print why. In CI they run and fail instead.
 */
export function shouldRunContainerTests(suite: string): boolean {
  if (dockerProblem === undefined) return true;
  if (process.env.CI === 'true') return true;
  console.warn(
    `Skipping ${suite}: ${dockerProblem}. Run export MTMOCK_BASE_IMAGE="$(.ci/docker-setup.sh)" ` +
      'to start an engine and name a base image; with CI=true these tests run and fail instead.',
  );
  return false;
}

/** Output of a finished command. */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a command with a time limit in seconds and returns its output. Throws with the exit
 * code and the end of stderr when it fails or times out.
 */
export async function run(
  command: string,
  args: string[],
  timeoutSeconds: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandResult> {
  try {
    return await execFileAsync(command, args, {
      cwd: repoRoot,
      env,
      timeout: timeoutSeconds * 1000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failure = error as Error & { code?: number; killed?: boolean; stderr?: string };
    const reason = failure.killed ? `timed out after ${timeoutSeconds}s` : `exited ${failure.code}`;
    const stderr = (failure.stderr ?? '').trim().split('\n').slice(-15).join('\n');
    throw new Error(`${command} ${args.join(' ')} ${reason}:\n${stderr}`);
  }
}

/** Builds the repository's Dockerfile as `tag` with `docker build`, within five minutes. */
export async function buildImage(tag: string): Promise<void> {
  const buildArgs = baseImage ? ['--build-arg', `BASE_IMAGE=${baseImage}`] : [];
  await run('docker', ['build', ...buildArgs, '-t', tag, repoRoot], 300);
}
