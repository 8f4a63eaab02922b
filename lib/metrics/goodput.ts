// Goodput: how many successful requests met every `report.goodput.constraints` limit, counted as
// records arrive (constant cost each) and merged like the other accumulators. Pure.
//
// inference-perf's calculate_goodput_metrics(), rule for rule:
// - Only successes are judged; `total_requests` is the successes of the bucket.
// - A request is good when each constrained value exists and is <= its limit (seconds). A value that
//   does not exist (TTFT, TPOT or ITL of a non-streamed answer, or one with fewer than two token
//   timestamps; TPOT with fewer than two output tokens) fails its constraint.
// - Per request: TTFT = first token − send, TPOT = (last − first token) / (N − 1), ITL = the mean of
//   the request's gaps between token timestamps, NTPOT = latency / N (0 when N = 0), latency = end −
//   send, with N the output tokens (the server's count when present, as everywhere in our reports).
// - request_goodput and token_goodput divide by max(end) − min(send) over the successes (not the
//   bucket's benchmark_time_seconds), 0 when that is 0; good tokens are prompt + output tokens.

/** The constraint names inference-perf reads, in the order it checks them (and writes their keys). */
export const goodputNames = ["ttft", "tpot", "itl", "ntpot", "request_latency"] as const;
export type GoodputName = (typeof goodputNames)[number];
export type GoodputConstraints = { readonly [name in GoodputName]?: number | undefined };

/** A bucket's goodput counts; `constrained` lists the constraints in inference-perf's order. */
export interface GoodputSnapshot {
  constrained: readonly GoodputName[];
  good: number;
  total: number;
  goodTokens: number;
  /** Per constraint: successes whose value met it. */
  attained: Readonly<Partial<Record<GoodputName, number>>>;
  /** max(end) − min(send) over the successes, seconds; 0 without successes. */
  spanS: number;
}

/** One success's values in seconds, NaN where inference-perf's value is None. */
export interface GoodputSample {
  ttft: number;
  tpot: number;
  itl: number;
  ntpot: number;
  request_latency: number;
  sentMs: number;
  endMs: number;
  /** Prompt + output tokens, counted as good tokens when the request is good. */
  tokens: number;
}

export function emptyGoodputSample(): GoodputSample {
  const nan = Number.NaN;
  return { ttft: nan, tpot: nan, itl: nan, ntpot: nan, request_latency: nan, sentMs: 0, endMs: 0, tokens: 0 };
}

function sampleValue(sample: GoodputSample, i: number): number {
  return sample[goodputNames[i] as GoodputName];
}

export class GoodputCounter {
  readonly #limits: Float64Array;
  readonly #constrained: readonly GoodputName[];
  #good = 0;
  #total = 0;
  #goodTokens = 0;
  readonly #attained = new Float64Array(goodputNames.length);
  #firstSentMs = Number.POSITIVE_INFINITY;
  #lastEndMs = Number.NEGATIVE_INFINITY;

  constructor(constraints: GoodputConstraints) {
    // NaN marks "no constraint" (skipped, not failed).
    this.#limits = Float64Array.from(goodputNames, (name) => constraints[name] ?? Number.NaN);
    this.#constrained = goodputNames.filter((name) => constraints[name] !== undefined);
  }

  /** null when no constraint is set: inference-perf then writes no goodput_metrics at all. */
  static create(constraints: GoodputConstraints | null | undefined): GoodputCounter | null {
    if (constraints === null || constraints === undefined) return null;
    return goodputNames.some((name) => constraints[name] !== undefined)
      ? new GoodputCounter(constraints)
      : null;
  }

  /** One success. The caller may reuse one sample object for every record (nothing is kept of it). */
  add(sample: GoodputSample): void {
    this.#total++;
    if (sample.sentMs < this.#firstSentMs) this.#firstSentMs = sample.sentMs;
    if (sample.endMs > this.#lastEndMs) this.#lastEndMs = sample.endMs;
    let good = true;
    for (let i = 0; i < goodputNames.length; i++) if (!this.#meets(i, sampleValue(sample, i))) good = false;
    if (good) {
      this.#good++;
      this.#goodTokens += sample.tokens;
    }
  }

  /** Whether the value meets constraint i (true when unconstrained); counts it when it does. */
  #meets(i: number, value: number): boolean {
    const limit = this.#limits[i] as number;
    if (Number.isNaN(limit)) return true;
    // inference-perf: `val is not None and val <= slo`; NaN stands for None and fails.
    if (!(value <= limit)) return false;
    this.#attained[i]!++;
    return true;
  }

  /** Adds another counter's counts (same constraints) into this one. Associative. */
  mergeFrom(other: GoodputCounter): void {
    this.#good += other.#good;
    this.#total += other.#total;
    this.#goodTokens += other.#goodTokens;
    for (let i = 0; i < goodputNames.length; i++) this.#attained[i]! += other.#attained[i]!;
    this.#firstSentMs = Math.min(this.#firstSentMs, other.#firstSentMs);
    this.#lastEndMs = Math.max(this.#lastEndMs, other.#lastEndMs);
  }

  snapshot(): GoodputSnapshot {
    const attained: Partial<Record<GoodputName, number>> = {};
    goodputNames.forEach((name, i) => {
      if (this.#constrained.includes(name)) attained[name] = this.#attained[i] as number;
    });
    return {
      constrained: this.#constrained,
      good: this.#good,
      total: this.#total,
      goodTokens: this.#goodTokens,
      attained,
      spanS: this.#total > 0 ? (this.#lastEndMs - this.#firstSentMs) / 1000 : 0,
    };
  }
}
