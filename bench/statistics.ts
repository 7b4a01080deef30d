/** Returns the q-quantile (0..1) of the samples by the nearest-rank method. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** Returns the median of the samples. */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}
