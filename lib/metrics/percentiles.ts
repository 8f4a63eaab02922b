// numpy-exact statistics over a sample: percentiles by numpy's default ("linear") method and the
// mean by numpy's pairwise summation, so a report computed here matches inference-perf's
// `summarize()` to the last bit for the same inputs. Pure.
//
// Percentile (numpy `method="linear"`, Hyndman & Fan type 7). For sorted x[0..n-1] and q = p/100:
//   h = (n − 1)·q            the "virtual index"
//   i = ⌊h⌋, g = h − i        neighbours x[i], x[i+1] (x[n−1] when i+1 = n) and the fraction between
//   value = x[i] + (x[i+1] − x[i])·g,   computed as x[i+1] − (x[i+1] − x[i])·(1 − g) when g ≥ 0.5
// numpy switches form at g = 0.5 (`_lerp`) so the result is monotonic in g and exact at both ends;
// we copy it so every bit agrees. q = p/100 is numpy's `true_divide(q, 100)`, also bit-identical.
//
// Mean: numpy sums float64 arrays pairwise (blocks of at most 128 summed with 8 interleaved
// accumulators, halves split at multiples of 8), which differs from a left-to-right sum in the last
// bits. `pairwiseSum` reproduces `pairwise_sum_DOUBLE` from numpy's loops_utils.

/** inference-perf's default percentile list (report.request_lifecycle.percentiles). */
export const defaultPercentiles: readonly number[] = [0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9];

/** Percentile `p` (0–100) of an ascending-sorted sample, as `numpy.percentile(x, p)`. NaN when empty. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * (p / 100);
  const i = Math.floor(h);
  if (i >= n - 1) return sorted[n - 1] as number;
  if (i < 0) return sorted[0] as number;
  const g = h - i;
  const a = sorted[i] as number;
  const b = sorted[i + 1] as number;
  const diff = b - a;
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

/** Sum as numpy's `add.reduce` over a contiguous float64 array. */
export function pairwiseSum(values: ArrayLike<number>, start = 0, n = values.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += values[start + i] as number;
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = values[start + j] as number;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = (r[j] as number) + (values[start + i + j] as number);
    }
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += values[start + i] as number;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(values, start, n2) + pairwiseSum(values, start + n2, n - n2);
}

/** `numpy.mean(x)`: pairwise sum divided by the count. NaN when empty. */
export function numpyMean(values: ArrayLike<number>): number {
  return values.length === 0 ? Number.NaN : pairwiseSum(values) / values.length;
}

/** The key inference-perf writes for percentile p: "median" for 50, else "p" + numpy's `%g`. */
export function percentileKey(p: number): string {
  return p === 50 ? "median" : `p${formatG(p)}`;
}

/** Python's `f"{p:g}"` for the percentile values used in reports (6 significant digits, no trailing zeros). */
function formatG(p: number): string {
  return String(Number(p.toPrecision(6)));
}
