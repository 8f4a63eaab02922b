// Constant arrival: request i is due at i / rate seconds after the stage starts. Pure: no clock, no I/O.
//
// Deliberate improvement on inference-perf: its "constant" timer draws n exponential gaps and rescales
// them to fill the duration, which is n uniformly random instants (bursty, and unseeded). Ours is
// evenly spaced, so "200 req/s constant" means one request every 5 ms, as in Vegeta, k6 and oha.

export interface RateOptions {
  /** Requests per second, > 0. */
  rate: number;
  /** Stage length in seconds, > 0. */
  durationS: number;
}

/**
 * inference-perf's request count, int(rate * duration). The epsilon keeps products such as
 * 2.3 * 100 = 229.99999999999997 from losing a request to floating-point error.
 */
export function requestCount(opts: RateOptions): number {
  if (!(opts.rate > 0) || !(opts.durationS > 0)) {
    throw new RangeError(`Rate and duration must be > 0, got ${opts.rate} and ${opts.durationS}`);
  }
  return Math.floor(opts.rate * opts.durationS + 1e-9);
}

/** Send offsets in ms from the stage start: 0, 1000/rate, 2000/rate, … (absolute, never cumulative). */
export function constantOffsets(opts: RateOptions): Float64Array {
  const n = requestCount(opts);
  const offsets = new Float64Array(n);
  // i * 1000 / rate for each i (not a running sum), so rounding error never accumulates.
  for (let i = 0; i < n; i++) offsets[i] = (i * 1000) / opts.rate;
  return offsets;
}

export function describeConstant(opts: RateOptions): string {
  return `${formatRate(opts.rate)} req/s constant (evenly spaced) for ${opts.durationS} s, ${formatCount(requestCount(opts))} requests`;
}

export function formatRate(rate: number): string {
  return rate.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 3 });
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
