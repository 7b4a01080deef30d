import type { Parameters } from 'fast-check';

/** Runs per property in `npm test`: a few seconds per target on a 2-core machine. */
export const SHORT_RUNS = 200;

/**
 * Returns fast-check parameters for one fuzz target. MTMOCK_FUZZ_RUNS multiplies the run count
 * (`fuzz/run.mjs` sets it for long runs), MTMOCK_FUZZ_SECONDS stops a property after that many
 * seconds without failing it, and MTMOCK_FUZZ_SEED replays a failure. fast-check reports the
 * seed, the path and the shrunk counterexample of every failure.
 */
export function fuzzParameters<T>(shortRuns = SHORT_RUNS): Parameters<T> {
  const factor = Number(process.env.MTMOCK_FUZZ_RUNS ?? '1');
  const seconds = Number(process.env.MTMOCK_FUZZ_SECONDS ?? 'NaN');
  const seedText = process.env.MTMOCK_FUZZ_SEED;
  const parameters: Parameters<T> = {
    numRuns: Math.max(1, Math.round(shortRuns * (Number.isFinite(factor) ? factor : 1))),
    seed:
      seedText === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(seedText),
    verbose: 1,
  };
  if (Number.isFinite(seconds)) {
    parameters.interruptAfterTimeLimit = seconds * 1000;
    parameters.markInterruptAsFailure = false;
  }
  return parameters;
}

/** Test timeout for fuzz tests: longer when a long run is requested, in milliseconds. */
export function fuzzTimeoutMs(shortTimeoutMs = 30_000): number {
  return process.env.MTMOCK_FUZZ_RUNS === undefined ? shortTimeoutMs : 60 * 60 * 1000;
}
