// Poisson arrivals: independent exponential gaps with mean 1 / rate, drawn from a seeded RNG.
// Pure: no clock, no I/O; the same rng seed gives the same offsets.
//
// Derivation. In a Poisson process of intensity λ (req/s) the gap G between arrivals has
// P(G > t) = e^(-λt). Inverting the CDF F(t) = 1 - e^(-λt) at a uniform U in [0, 1) gives
// G = -ln(1 - U) / λ, with E[G] = 1/λ and Var[G] = 1/λ². `rng.exponential()` is -ln(1 - U), so each gap
// is exponential() * 1000 / rate ms. Arrival k is the running sum of k + 1 gaps (the first arrival is
// one gap after the start, as in a process that starts at t = 0).
//
// Like inference-perf, the count is fixed at int(rate * duration) and the span varies around the
// duration (its standard deviation is sqrt(n) / rate seconds). Unlike inference-perf, the gaps are
// seeded from base_seed, so two runs with the same seed send at the same offsets.

import { formatCount, formatRate, type RateOptions, requestCount } from "./constant.ts";
import type { Rng } from "./rng.ts";

export function poissonOffsets(opts: RateOptions, rng: Rng): Float64Array {
  const n = requestCount(opts);
  const offsets = new Float64Array(n);
  const meanGapMs = 1000 / opts.rate;
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += rng.exponential() * meanGapMs;
    offsets[i] = t;
  }
  return offsets;
}

export function describePoisson(opts: RateOptions): string {
  return `${formatRate(opts.rate)} req/s Poisson for about ${opts.durationS} s, ${formatCount(requestCount(opts))} requests`;
}
