// How long before a send time the sender stops sleeping and spins, learned from how late its wakes
// come. Pure: no clock; the caller reports each wake's lateness.
//
// The lead tracks the LEAD_QUANTILE (60th percentile) of recent lateness with a one-number streaming
// estimator ("frugal" quantile tracking): after each wake the estimate grows by a factor (1 + q·a)
// when the wake came later than the estimate, and shrinks by (1 − (1 − q)·a) otherwise. In log space
// the expected step is p·q·a − (1 − p)·(1 − q)·a for p = P(late > estimate), which is zero at
// p = 1 − q, so the estimate settles where 40% of wakes are later than it. Multiplicative steps make
// it scale-free (about 35 wakes to halve it, whatever its size) and keep it positive.
//
// Why the 60th percentile: a spin costs the whole thread for as long as it lasts, so the lead is the
// price of each send. Wakes come 120-200 µs late at the median here, with a long tail when the
// machine is busy (p90 0.2-2.4 ms at load average 6). A lead at that median puts more than half the
// sends within a spin turn of their time (the median schedule delay target is 0.1 ms) for a few
// tens of µs of spinning per send; covering the tail (p90) cost up to 0.5 ms per send, half a core at
// 1,000 sends/s, and the tail, being preemption, stays late whatever the lead. The estimate is
// clamped: never below MIN_LEAD_MS, never above MAX_LEAD_MS.

/** The quantile of wake lateness the lead settles at. */
export const LEAD_QUANTILE = 0.6;
/** Relative step per wake. */
export const LEAD_STEP = 0.05;
export const MIN_LEAD_MS = 0.02;
export const MAX_LEAD_MS = 0.5;
/** Where the lead starts: a little above the usual wake lateness. */
export const INITIAL_LEAD_MS = 0.2;

/** A streaming estimate of one quantile of positive samples (the estimator above), clamped to [min, max]. */
export class TrackedQuantile {
  #ms: number;
  readonly #grow: number;
  readonly #shrink: number;
  readonly #min: number;
  readonly #max: number;

  constructor(quantile: number, initialMs: number, minMs: number, maxMs: number) {
    this.#grow = 1 + quantile * LEAD_STEP;
    this.#shrink = 1 - (1 - quantile) * LEAD_STEP;
    this.#min = minMs;
    this.#max = maxMs;
    this.#ms = this.#clamp(initialMs);
  }

  /** The estimate, ms. */
  get ms(): number {
    return this.#ms;
  }

  /** One more sample (ms). */
  observe(sampleMs: number): void {
    this.#ms = this.#clamp(sampleMs > this.#ms ? this.#ms * this.#grow : this.#ms * this.#shrink);
  }

  #clamp(ms: number): number {
    return Math.min(this.#max, Math.max(this.#min, ms));
  }
}

/** Milliseconds before a send time at which to stop sleeping and spin (`ms`); `observe` each wake's lateness (negative: early). */
export class SpinLead extends TrackedQuantile {
  constructor(initialMs = INITIAL_LEAD_MS) {
    super(LEAD_QUANTILE, initialMs, MIN_LEAD_MS, MAX_LEAD_MS);
  }
}
