// How long before a send time the sender stops sleeping and spins, learned from how late its wakes
// come. Pure: no clock; the caller reports each wake's lateness.
//
// The lead tracks the LEAD_QUANTILE (90th percentile) of recent lateness with a one-number streaming
// estimator ("frugal" quantile tracking): after each wake the estimate grows by a factor (1 + 0.9·a)
// when the wake came later than the estimate, and shrinks by (1 − 0.1·a) otherwise. In log space the
// expected step is p·0.9a − (1 − p)·0.1a for p = P(late > estimate), which is zero at p = 0.1, so the
// estimate settles where 10% of wakes are later than it: 9 in 10 sends start within a spin turn of
// their time, and the others are late only by what the wake was late beyond the lead. Multiplicative
// steps make it scale-free (the same number of wakes to halve 0.4 ms as 0.1 ms, about 140 with
// a = 0.05) and keep it positive. The estimate is clamped: never below MIN_LEAD_MS (the sender's own
// wake-up after a notify costs some µs), never above MAX_LEAD_MS, because on an overloaded machine
// lateness comes from preemption, which spinning longer does not cure but pays for with a core.

/** The quantile of wake lateness the lead settles at. */
export const LEAD_QUANTILE = 0.9;
/** Relative step per wake. */
export const LEAD_STEP = 0.05;
export const MIN_LEAD_MS = 0.02;
export const MAX_LEAD_MS = 0.5;
/** Where the lead starts: about a quiet machine's futex-timeout lateness plus margin. */
export const INITIAL_LEAD_MS = 0.2;

const GROW = 1 + LEAD_QUANTILE * LEAD_STEP;
const SHRINK = 1 - (1 - LEAD_QUANTILE) * LEAD_STEP;

export class SpinLead {
  #ms: number;

  constructor(initialMs = INITIAL_LEAD_MS) {
    this.#ms = clamp(initialMs);
  }

  /** Milliseconds before a send time at which to stop sleeping and spin. */
  get ms(): number {
    return this.#ms;
  }

  /** One wake came `lateMs` after the time it was asked for (negative: early). */
  observe(lateMs: number): void {
    this.#ms = clamp(lateMs > this.#ms ? this.#ms * GROW : this.#ms * SHRINK);
  }
}

function clamp(ms: number): number {
  return Math.min(MAX_LEAD_MS, Math.max(MIN_LEAD_MS, ms));
}
