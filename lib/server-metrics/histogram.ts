// The statistics Prometheus computes server-side, for the scrape source that has no Prometheus:
// histogram_quantile over cumulative buckets and quantile_over_time over gauge samples. Pure.
//
// histogram_quantile(φ, buckets), as Prometheus (promql/quantile.go, classic buckets) defines it:
//   buckets sorted by upper bound `le`, cumulative counts, the last bound +Inf; total = count(+Inf).
//   No observations → NaN. rank = φ × total. The answer lies in the first bucket b whose cumulative
//   count reaches rank; within it, observations are assumed spread evenly, so
//     q = lower(b) + (upper(b) − lower(b)) × (rank − cumulative(b − 1)) / (count in b),
//   where lower(b) is the previous bucket's bound, or 0 for the first bucket when its bound is > 0
//   (a first bucket with a bound ≤ 0 returns that bound). If b is the +Inf bucket the answer is the
//   highest finite bound: nothing is known above it. φ < 0 → −Inf, φ > 1 → +Inf. Cumulative counts
//   that go down (a scrape racing an observation) are raised to the running maximum first.

export interface Bucket {
  /** Upper bound, `le`. */
  readonly le: number;
  /** Cumulative count of observations ≤ le. */
  readonly count: number;
}

export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = coalesce([...buckets].sort((a, b) => a.le - b.le));
  if (sorted.length < 2 || sorted[sorted.length - 1]?.le !== Number.POSITIVE_INFINITY) return Number.NaN;
  let running = 0;
  const cumulative = sorted.map((b) => {
    running = Math.max(running, b.count);
    return running;
  });
  const total = cumulative[cumulative.length - 1] as number;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let b = cumulative.findIndex((c) => c >= rank);
  if (b < 0) b = cumulative.length - 1;
  if (b === sorted.length - 1) return (sorted[sorted.length - 2] as Bucket).le;
  const upper = (sorted[b] as Bucket).le;
  if (b === 0 && upper <= 0) return upper;
  const lower = b === 0 ? 0 : (sorted[b - 1] as Bucket).le;
  const before = b === 0 ? 0 : (cumulative[b - 1] as number);
  const inBucket = (cumulative[b] as number) - before;
  return lower + (upper - lower) * ((rank - before) / inBucket);
}

/** Buckets with the same bound (two series' boundaries met) are added together. */
function coalesce(sorted: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.le === b.le)
      out[out.length - 1] = { le: b.le, count: last.count + b.count };
    else out.push(b);
  }
  return out;
}

/**
 * quantile_over_time(φ, samples): Prometheus sorts the samples and interpolates linearly at rank
 * φ × (n − 1), the same rule as numpy's "linear" percentile. No samples → NaN.
 */
export function sampleQuantile(q: number, values: readonly number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const weight = rank - lo;
  return (sorted[lo] as number) * (1 - weight) + (sorted[hi] as number) * weight;
}

/** The arithmetic mean, NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
