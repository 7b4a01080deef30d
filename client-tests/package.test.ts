import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

// npm passes its settings to scripts as npm_* variables, which a nested npm would read as its own
// configuration, so the commands below run without them.
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
);

/** Runs npm with a time limit in seconds and returns stdout. */
async function npm(args: string[], cwd: string, timeoutSeconds: number): Promise<string> {
  try {
    const { stdout } = await execFileAsync('npm', args, {
      cwd,
      env: npmEnv,
      timeout: timeoutSeconds * 1000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const failure = error as Error & { stderr?: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}: ${failure.stderr ?? failure.message}`);
  }
}

/** Lists files under a folder as paths relative to the repository root, with forward slashes. */
function listFiles(folder: string): string[] {
  return readdirSync(join(repoRoot, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

/** Returns whether a built file is a test or a test helper, which the package leaves out. */
function isTestOnly(path: string): boolean {
  return /\.test\./.test(path) || path.startsWith('dist/server/transport/testing/');
}

const exportTargets = Object.values(manifest.exports).flatMap((target) =>
  typeof target === 'string' ? [target] : [target.types, target.default],
);

describe('npm pack --dry-run', () => {
  let packed: Set<string>;

  beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'dist/server/index.js'))) {
      throw new Error('dist/server/index.js is missing: run npm run build before this test');
    }
    // --ignore-scripts: the prepare script would rebuild dist/ while other tests read it.
    const output = await npm(['pack', '--dry-run', '--json', '--ignore-scripts'], repoRoot, 120);
    const [report] = JSON.parse(output) as Array<{ files: Array<{ path: string }> }>;
    packed = new Set(report.files.map((file) => file.path));
  }, 130_000);

  it('carries every exports, bin and types target', () => {
    const targets = [...exportTargets, ...Object.values(manifest.bin)].map((target) =>
      posix.normalize(target),
    );
    for (const target of targets) expect(packed, target).toContain(target);
  });

  it('carries build, fixtures, schemas and Python helper', () => {
    const expected = [
      ...listFiles('dist/server').filter((path) => /\.(js|d\.ts)$/.test(path) && !isTestOnly(path)),
      ...listFiles('fixtures'),
      ...listFiles('server/tl/schemas'),
      ...(existsSync(join(repoRoot, 'adapters/python'))
        ? listFiles('adapters/python').filter((path) => !path.includes('__pycache__'))
        : []),
    ];
    expect(expected.length).toBeGreaterThan(50);
    for (const path of expected) expect(packed, path).toContain(path);
    expect(packed).toContain('package.json');
  });

  it('leaves out sources, tests and maps', () => {
    for (const path of packed) {
      expect(path, path).not.toMatch(/\.test\.|\.map$|__pycache__/);
      expect(path, path).not.toMatch(/^(client-tests|test-support|scripts|node_modules|\.ci)\//);
      expect(path, path).not.toMatch(/^dist\/server\/transport\/testing\//);
      if (path.endsWith('.ts')) expect(path, path).toMatch(/\.d\.ts$/);
    }
  });

  it('keeps relative imports inside the package', () => {
    for (const path of packed) {
      if (!path.endsWith('.js')) continue;
      const source = readFileSync(join(repoRoot, path), 'utf8');
      for (const [, specifier] of source.matchAll(
        /(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g,
      )) {
        const target = posix.join(dirname(path), specifier);
        expect(packed, `${path} imports ${specifier}`).toContain(target);
      }
    }
  });
});

describe('packed tarball', () => {
  let workDir: string;
  let consumerDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'mtmock-pack-'));
    consumerDir = join(workDir, 'consumer');
    const output = await npm(
      ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir],
      repoRoot,
      120,
    );
    const [{ filename }] = JSON.parse(output) as Array<{ filename: string }>;

    mkdirSync(consumerDir);
    writeFileSync(
      join(consumerDir, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    // --prefer-offline takes ajv, pino and ws from npm's cache, which npm ci has filled.
    await npm(
      [
        'install',
        join(workDir, filename),
        '--omit=dev',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--ignore-scripts',
      ],
      consumerDir,
      240,
    );
  }, 400_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('installs without the optional peer dependencies', () => {
    const optional = Object.keys(manifest.peerDependencies);
    expect(optional.length).toBeGreaterThan(0);
    for (const name of optional) {
      expect(manifest.peerDependenciesMeta[name]?.optional, name).toBe(true);
      expect(existsSync(join(consumerDir, 'node_modules', name)), name).toBe(false);
    }
  });

  it('starts the mock from its bin', async () => {
    const child = spawn(join(consumerDir, 'node_modules/.bin/mtmock'), ['--port', '0'], {
      cwd: consumerDir,
      env: { ...npmEnv, MTMOCK_HOST: '127.0.0.1', MTMOCK_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const ready = await new Promise<{ port: number; fingerprintHex: string }>(
        (resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no ready line in 20 s: ${stderr}`)),
            20_000,
          );
          child.once('exit', (code) => reject(new Error(`mtmock exited ${code}: ${stderr}`)));
          createInterface({ input: child.stdout }).on('line', (line) => {
            const entry = JSON.parse(line) as {
              msg?: string;
              port: number;
              fingerprintHex: string;
            };
            if (entry.msg !== 'ready') return;
            clearTimeout(timer);
            resolve(entry);
          });
        },
      );
      expect(ready.port).toBeGreaterThan(0);
      expect(ready.fingerprintHex).toMatch(/^[0-9a-f]{16}$/);

      const response = await fetch(`http://127.0.0.1:${ready.port}/__admin/health`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { port: number }).port).toBe(ready.port);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);

  it('resolves subpaths and names missing peers', async () => {
    const script = [
      "const server = await import('mtmock');",
      "const admin = await import('mtmock/admin-client');",
      'console.log(typeof server.startMockServer, typeof admin.AdminClient);',
      "await import('mtmock/msw').catch((error) => console.log(error.code, error.message));",
    ].join('\n');
    const { stdout } = await execFileAsync('node', ['--input-type=module', '-e', script], {
      cwd: consumerDir,
      timeout: 30_000,
    });
    const [types, mswFailure] = stdout.trim().split('\n');
    expect(types).toBe('function function');
    expect(mswFailure).toMatch(/^ERR_MODULE_NOT_FOUND .*'msw'/);
  }, 40_000);
});
