// How long before a send time the sender stops sleeping and spins, learned from how late its wakes
// come. Pure: no clock; the caller reports each wake's lateness.
//
// It tracks the median of recent lateness with a one-number streaming estimator ("frugal" quantile
// tracking): after each wake the estimate of quantile q grows by a factor (1 + q·a) when the wake
// came later than the estimate, and shrinks by (1 − (1 − q)·a) otherwise. In log space the expected
// step is p·q·a − (1 − p)·(1 − q)·a for p = P(late > estimate), which is zero at p = 1 − q, so the
// estimate settles where a share 1 − q of wakes are later than it. Multiplicative steps make it
// scale-free (about 35 wakes to halve it, whatever its size) and keep it positive.
//
// The lead is that median less LATE_ALLOWANCE_MS. A spin costs the whole thread for as long as it
// lasts, so the lead is the price of each send, and it only has to keep the median send within the
// schedule's budget (the median schedule delay target is 0.1 ms): with the lead at the median
// lateness less an allowance, half the wakes come no later than the allowance after the send time,
// and only wakes earlier than the lead spin, by what they are early. Wakes come 120-200 µs late at
// the median here, with a long tail when the machine is busy (p90 0.2-2.4 ms at load average 6); a
// lead at the 60th percentile (as this once was) spun 50-65 µs per send on a busy machine, 5-6% of a
// core at 1,000 sends/s, to gain some tens of µs on sends already within the budget, and covering
// the tail (p90) cost up to 0.5 ms per send while the tail, being preemption, stays late whatever
// the lead. The lead is clamped: never below MIN_LEAD_MS, never above MAX_LEAD_MS.

/** Relative step per wake. */
export const LEAD_STEP = 0.05;
/** How late the median send may leave: the lead is the median wake lateness less this. */
export const LATE_ALLOWANCE_MS = 0.04;
export const MIN_LEAD_MS = 0.02;
export const MAX_LEAD_MS = 0.5;
/** Where the median lateness starts: about a wake's on a quiet machine. */
export const INITIAL_LATE_MS = 0.13;

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

/** The median wake lateness (`lateMs`) and the lead it gives (`ms`); `observe` each wake's lateness. */
export class SpinLead {
  readonly #late: TrackedQuantile;

  /** `initialLateMs`: the median lateness to start from. */
  constructor(initialLateMs = INITIAL_LATE_MS) {
    // Bounded so the lead can reach both of its bounds, and a wake round trip stays a few ms at most.
    this.#late = new TrackedQuantile(0.5, initialLateMs, MIN_LEAD_MS / 2, 2);
  }

  /** Milliseconds before a send time at which to stop sleeping and spin. */
  get ms(): number {
    return Math.min(MAX_LEAD_MS, Math.max(MIN_LEAD_MS, this.#late.ms - LATE_ALLOWANCE_MS));
  }

  /** The median lateness of recent wakes: how long a wake round trip takes. */
  get lateMs(): number {
    return this.#late.ms;
  }

  /** One wake came `lateMs` after the time asked for (negative: early). */
  observe(lateMs: number): void {
    this.#late.observe(lateMs);
  }
}
