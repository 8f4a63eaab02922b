// How a load Worker with a waker waits for one send time: how long to sleep on the waker before it
// spins the rest, decided per wait from what it has measured. Pure: no clock; the caller reports how
// late each wake came and how late each request left.
//
// Three rules, so that the waker never paces worse than the timer-then-spin wait it replaced:
// - Spin the last `lead` (spin-lead.ts): the median lateness of recent wakes, less an allowance.
// - Sleep only when the sleep is longer than a wake round trip takes (`minSleepMs`: the median
//   lateness of recent wakes, at least MIN_SLEEP_MS). A shorter sleep saves less than the round
//   trip costs the two threads, and its wake lands after the send time anyway. When wakes come late
//   (a busy machine, or a Worker whose thread is busy reading when its wake arrives), this grows and
//   the Worker spins more, as timer-then-spin always did.
// - Behind schedule (the last request left more than BEHIND_MS late: every slot busy, the thread
//   saturated by sending and reading, or preempted), keep the last SPIN_MS for spinning, exactly as
//   timer-then-spin does: a saturated Worker then spins through short gaps instead of handing each
//   one to a wake round trip that its busy thread would answer late. It sleeps again once a request
//   leaves on time.
import { SpinLead } from "./spin-lead.ts";

/** How long before a send time timer-then-spin stops sleeping (its timer is 1 ms granular). */
export const SPIN_MS = 1.5;

/** Long waits re-check their stop flag at least this often. */
export const CHECK_MS = 50;

/** The shortest sleep ever handed to the waker: a round trip costs the two threads some tens of µs of CPU. */
export const MIN_SLEEP_MS = 0.05;

/** A request that leaves later than this means the Worker is behind schedule. */
export const BEHIND_MS = 1;

export class PacePlan {
  readonly lead: SpinLead;
  #behind = false;

  constructor(lead = new SpinLead()) {
    this.lead = lead;
  }

  /** The shortest sleep worth a wake. */
  get minSleepMs(): number {
    return Math.min(SPIN_MS, Math.max(MIN_SLEEP_MS, this.lead.lateMs));
  }

  /** Whether the last request left more than BEHIND_MS late. */
  get behind(): boolean {
    return this.#behind;
  }

  /**
   * With `leftMs` to go: how long to sleep on the waker before looking again (at most CHECK_MS), or 0
   * to spin the rest.
   */
  sleepMs(leftMs: number): number {
    const sleep = leftMs - (this.#behind ? SPIN_MS : this.lead.ms);
    if (sleep <= this.minSleepMs) return 0;
    return Math.min(sleep, CHECK_MS);
  }

  /**
   * How long before a send time `gapMs` after the current one to ask for its wake now (ahead, so the
   * waker need not be woken to learn of it), or NaN when that send will not sleep on the waker (behind,
   * a gap not worth a wake, or one long enough to be slept in CHECK_MS pieces).
   */
  aheadMs(gapMs: number): number {
    if (this.#behind) return Number.NaN;
    const sleep = gapMs - this.lead.ms;
    return sleep > this.minSleepMs && sleep < CHECK_MS ? this.lead.ms : Number.NaN;
  }

  /** A wake came `lateMs` after the time asked for. */
  woke(lateMs: number): void {
    this.lead.observe(lateMs);
  }

  /** A request left `lateMs` after its send time. */
  sent(lateMs: number): void {
    this.#behind = lateMs > BEHIND_MS;
  }
}
