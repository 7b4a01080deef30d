import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Names that scripts/compat-matrix.mjs parses out of vitest's JSON report. A client suite's
 * describe block is `<client> <version> (layer <n>) over <transport>`, and each test title
 * starts with one of the flow ids below and a colon.
 */
export const FLOWS = ['connect', 'sign-in', 'sign-in-2fa', 'recovery', 'errors'] as const;

export type Flow = (typeof FLOWS)[number];

/** Builds the describe title of one client suite over one transport. */
export function suiteTitle(client: string, version: string, layer: number, transport: string) {
  return `${client} ${version} (layer ${layer}) over ${transport}`;
}

/** Builds a test title that the matrix counts for `flow`. */
export function flowTitle(flow: Flow, testCase: string): string {
  return `${flow}: ${testCase}`;
}

const require = createRequire(import.meta.url);

/**
 * Returns the version of an installed package from its package.json. Walks up from the resolved
 * entry point, because packages with an exports map do not export their package.json.
 */
export function installedVersion(packageName: string): string {
  let directory = dirname(require.resolve(packageName));
  for (;;) {
    const manifestPath = join(directory, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
        name?: string;
        version: string;
      };
      if (manifest.name === packageName) return manifest.version;
    }
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error(`package.json of ${packageName} not found above its entry point`);
    }
    directory = parent;
  }
}
