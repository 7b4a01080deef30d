/**
 * Maximum steps of one rho walk. A 62-bit pq needs about 2^16 on average, an estimate from the
 * square root of its smaller 31-bit factor.
 */
const MAX_STEPS = 1 << 20;
/** Differences multiplied together before each gcd, which saves most of the gcd calls. */
const GCD_BATCH = 128;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function distance(a: bigint, b: bigint): bigint {
  return a > b ? a - b : b - a;
}

/**
 * Looks for a non-trivial divisor of n with Pollard's rho in Brent's form, walking
 * x → x² + c mod n. Returns undefined when this walk finds none.
 */
function findDivisor(n: bigint, c: bigint): bigint | undefined {
  const step = (x: bigint) => (x * x + c) % n;
  let y = 2n;
  let product = 1n;
  let divisor = 1n;
  let x = y;
  let saved = y;
  for (let range = 1; divisor === 1n && range <= MAX_STEPS; range *= 2) {
    x = y;
    for (let i = 0; i < range; i++) y = step(y);
    for (let done = 0; done < range && divisor === 1n; done += GCD_BATCH) {
      saved = y;
      for (let i = 0; i < Math.min(GCD_BATCH, range - done); i++) {
        y = step(y);
        product = (product * distance(x, y)) % n;
      }
      divisor = gcd(product, n);
    }
  }
  if (divisor === n) {
    // The batch overshot: walk it again one gcd at a time.
    do {
      saved = step(saved);
      divisor = gcd(distance(x, saved), n);
    } while (divisor === 1n);
  }
  return divisor === 1n || divisor === n ? undefined : divisor;
}

/**
 * Splits pq = p·q from resPQ into its two factors, p < q. Telegram and the mock use two
 * 31-bit primes, so this takes a few milliseconds. Throws when no factor is found, which means
 * pq is prime or 1.
 */
export function factorPq(pq: bigint): { p: bigint; q: bigint } {
  if (pq < 4n) throw new RangeError(`pq ${pq} has no two factors`);
  let divisor: bigint | undefined = pq % 2n === 0n ? 2n : undefined;
  for (let c = 1n; divisor === undefined && c <= 4n; c++) divisor = findDivisor(pq, c);
  if (divisor === undefined) {
    throw new Error(`found no factor of pq ${pq}; the server must send a product of two primes`);
  }
  const other = pq / divisor;
  return divisor < other ? { p: divisor, q: other } : { p: other, q: divisor };
}
