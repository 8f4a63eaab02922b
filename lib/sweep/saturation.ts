// The sweep's saturation rule: from the probe's completed requests, the rate at which the server
// completes requests over time (its "burn rate"), and the saturation_percentile of that rate as the
// server's maximum QPS. Pure: no clock, no I/O; the probe's records come in as numbers.
//
// ## What the probe measures
//
// The probe is a closed loop: `sweep.num_requests` requests at 1000 in flight (bounded by
// `sweep.timeout`). As long as the client keeps more requests in flight than the server can serve at
// once (vLLM's max_num_seqs, a GPU's batch limit), the server is saturated and the surplus waits in
// its queue. A saturated server completes requests at its capacity X, whatever the queue length, so
// the cumulative number of completions N(t) grows with slope X. Its slope over time is the burn rate.
// Before the first completion the slope is undefined (the server is still on its first batch);
// once the client has sent everything and fewer than max_num_seqs remain, the slope falls: those
// parts sit at the low end of the rate distribution, which a high percentile ignores.
//
// ## Estimating the slope
//
// Let c_1 ≤ … ≤ c_N be the completion times of the successful requests that finished before the
// timeout (failures are not capacity: a gateway answering 429 in 1 ms is not serving).
//
// Warm-up. The first completion comes after the server's start-up: accepting 1000 connections at
// once, then its first batch. A server that stalls while accepting the burst has overdue work when
// it recovers and completes it in a rush, faster than it can sustain. We skip completions before
// 2·c_1 (as long again as the wait for the first completion, which bounds the stall), or, when that
// leaves fewer than MIN_COMPLETIONS or no spread in time, those before the median completion.
//
// We then slide a time window of width W over the remaining completions in steps of W/20 and, in
// each window, fit a least-squares line to the points (c_i, i); its slope is the burn rate there:
//
//   rate(window) = Σ (c_i − c̄)(i − ī) / Σ (c_i − c̄)²        (× 1000 to get req/s from ms)
//
// Why a fitted slope and not "completions in the window / W": servers that give every request the
// same length (fixed max_tokens with ignore_eos, the usual benchmark setup) complete requests in
// waves, M at a time, one wave every service time T. A count in a window of width W sees either
// ⌊W/T⌋ or ⌈W/T⌉ waves, so it is off by up to T/W. A fitted line through whole waves is exact: each
// wave is a column of M points at one time whose mean index rises by exactly M per wave, and the
// columns are T apart, so the slope is M/T for any number of whole columns ≥ 2. A window of
// width ≥ 2.5·T always holds at least two whole waves (a jittered wave cut at a window edge only
// moves the fit slightly), so W ≥ 2.5·T_min, where T_min is the shortest successful latency: the
// first wave waited for no one, so its latency is at least the service time. (After a start-up
// stall T_min is longer than T; W only grows, towards one window over everything, which gives the
// mean burn rate: safe, just less detailed.)
//
// For servers whose completions are spread out (mixed lengths, continuous batching) the waves
// vanish and the fit behaves like a count: its relative noise is about 1/√k for k completions per
// window. A high percentile of noisy rates sits above their mean (for Gaussian noise, p95 is
// mean + 1.64σ), so the window also holds at least k = max(20, N/8) completions on average:
// W ≥ k × (c_N − c_1)/(N − 1), giving σ ≈ 7% and a p95 about 10% above the mean burn rate for the
// default 2000 requests. W is capped at the whole span; if no window holds two distinct completion
// times, one window over all of them is used.
//
// saturation = numpy.percentile(rates, saturation_percentile), linear interpolation, as
// inference-perf. Windows overlap (they are samples of one smooth curve, not independent draws);
// the percentile reads "the burn rate the server sustains, excluding the top (100 − p)% of time".
//
// ## Compared with inference-perf's Δactive rule
//
// inference-perf samples the client's count of active requests every 0.5 s during a 5 s burst of
// num_requests/5 req/s and keeps |Δactive/Δt| only where the count fell. That measures completions
// minus new starts, so (1) while requests are still being sent, intervals where the server
// finishes 100 and the client starts 90 report 20 req/s, and intervals where starts win are dropped,
// (2) a closed loop at constant concurrency, where every completion is immediately replaced, shows
// Δactive = 0 and yields nothing at all, (3) 0.5 s sampling of an integer counter quantises the rate
// to steps of 2 req/s and a single sample at a wave boundary reports a whole wave as a rate, which
// the 95th percentile then picks. Here every completion has its own timestamp from the request
// record, starts do not enter the estimate, and windows are sized from the data (service time and
// completion count) instead of a fixed 0.5 s.
import { UserError } from "../cli/errors.ts";
import { percentileSorted } from "../metrics/percentiles.ts";

/** One successful probe request, times in ms on the shared clock. */
export interface ProbeCompletion {
  sentMs: number;
  endMs: number;
}

export interface SaturationInput {
  /** Successful probe requests (any order). Failed ones are not capacity; count them in `failures`. */
  completions: readonly ProbeCompletion[];
  /** Failed probe requests, for the message when too few succeeded. */
  failures: number;
  /** Probe start and its timeout; completions after startMs + timeoutS are ignored. */
  startMs: number;
  timeoutS: number;
  /** sweep.saturation_percentile, in (0, 100]. */
  percentile: number;
}

export interface SaturationResult {
  /** The estimated maximum rate, req/s: the percentile of the burn rates. */
  maxRate: number;
  percentile: number;
  /** Successful completions used, and failed probe requests. */
  completions: number;
  failures: number;
  /** Completions before this time (s from the probe start) were skipped as warm-up. */
  warmupS: number;
  /** Shortest successful latency (s): the service time of the first wave. */
  minLatencyS: number;
  /** Window width (s) and how many windows were fitted. */
  windowS: number;
  windows: number;
  /** Spread of the burn rate over the probe, req/s. */
  burnRate: { min: number; median: number; max: number };
}

/** Below this many successful completions a rate over time is not meaningful. */
export const MIN_COMPLETIONS = 10;

export function estimateSaturation(input: SaturationInput): SaturationResult {
  const cutoff = input.startMs + input.timeoutS * 1000;
  const done = input.completions.filter((c) => c.endMs <= cutoff);
  const all = Float64Array.from(done, (c) => c.endMs - input.startMs).sort();
  if (all.length < MIN_COMPLETIONS) throw tooFew(input, all.length, "");
  const { times, warmupMs } = afterWarmup(all);
  const n = times.length;
  const first = times[0] as number;
  const span = (times[n - 1] as number) - first;
  if (!(span > 0)) throw tooFew(input, all.length, ", all at the same instant");

  let minLatencyMs = Number.POSITIVE_INFINITY;
  for (const c of done) minLatencyMs = Math.min(minLatencyMs, Math.max(0, c.endMs - c.sentMs));
  const perWindow = Math.max(20, Math.ceil(n / 8));
  const windowMs = Math.min(span, Math.max(2.5 * minLatencyMs, (perWindow * span) / (n - 1)));

  const rates: number[] = [];
  const step = windowMs / 20;
  let lo = 0;
  for (let k = 0; ; k++) {
    const a = first + k * step;
    const last = a + windowMs >= first + span;
    const b = last ? first + span : a + windowMs;
    while ((times[lo] as number) < a) lo++;
    let hi = lo;
    // Half-open [a, b) except the last window, which ends at the last completion inclusive.
    while (hi < n && ((times[hi] as number) < b || (last && (times[hi] as number) <= b))) hi++;
    const slope = fittedSlope(times, lo, hi);
    if (slope !== null) rates.push(slope * 1000);
    if (last) break;
  }
  // Windows narrower than the gap between two bunches of completions fit nothing: one window, all.
  if (rates.length === 0) {
    const slope = fittedSlope(times, 0, n);
    if (slope === null) throw tooFew(input, all.length, ", too bunched in time to fit a rate");
    rates.push(slope * 1000);
  }
  rates.sort((x, y) => x - y);
  return {
    maxRate: percentileSorted(rates, input.percentile),
    percentile: input.percentile,
    completions: all.length,
    warmupS: warmupMs / 1000,
    failures: input.failures,
    minLatencyS: minLatencyMs / 1000,
    windowS: windowMs / 1000,
    windows: rates.length,
    burnRate: {
      min: rates[0] as number,
      median: percentileSorted(rates, 50),
      max: rates[rates.length - 1] as number,
    },
  };
}

/**
 * The completions after the warm-up: those from twice the time of the first completion on. Failing
 * that (too few left, or no spread in time), those from the median completion time on; failing that,
 * all of them.
 */
function afterWarmup(all: Float64Array): { times: Float64Array; warmupMs: number } {
  const candidates = [2 * (all[0] as number), all[Math.floor(all.length / 2)] as number];
  for (const warmupMs of candidates) {
    let skip = 0;
    while (skip < all.length && (all[skip] as number) < warmupMs) skip++;
    const rest = all.length - skip;
    if (rest >= MIN_COMPLETIONS && (all[all.length - 1] as number) > (all[skip] as number)) {
      return { times: all.subarray(skip), warmupMs };
    }
  }
  return { times: all, warmupMs: 0 };
}

/** Least-squares slope of index against time for times[lo..hi); null with < 3 points or no spread. */
function fittedSlope(times: Float64Array, lo: number, hi: number): number | null {
  const count = hi - lo;
  if (count < 3) return null;
  let meanT = 0;
  for (let i = lo; i < hi; i++) meanT += times[i] as number;
  meanT /= count;
  const meanI = (lo + hi - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  for (let i = lo; i < hi; i++) {
    const dt = (times[i] as number) - meanT;
    sxy += dt * (i - meanI);
    sxx += dt * dt;
  }
  return sxx > 0 ? sxy / sxx : null;
}

function tooFew(input: SaturationInput, n: number, why: string): UserError {
  const failed = input.failures > 0 ? ` (${input.failures} failed)` : "";
  return new UserError(
    `Cannot estimate the saturation point: the probe completed ${n} requests within sweep.timeout (${input.timeoutS} s)${why}${failed}`,
    {
      details: [
        `At least ${MIN_COMPLETIONS} successful completions spread over time are needed: raise sweep.timeout or sweep.num_requests, or check that the server answers`,
      ],
    },
  );
}
