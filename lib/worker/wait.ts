// Waiting until an absolute time on the shared clock, two ways. Both end with setImmediate turns
// (a "spin") for the last stretch, which gives microsecond accuracy while still letting socket
// callbacks run between turns; they differ in how they sleep until then.
// - waitUntil: a timer until 1.5 ms before, then spin. Timers are 1 ms granular (median 0.6 ms late,
//   p99 3-4 ms; docs/runtime-facts.md §4), so at 1,000 sends/s (1 ms apart) it spins all the time: a
//   core per load Worker. Kept where no waker can run (no Atomics.waitAsync) and as the baseline of
//   the pacing benchmark (INFERLOAD_PACING=timer-spin).
// - createWakerWait: a waker thread wakes the sender (wake-cell.ts) a learned lead before the time
//   (spin-lead.ts), and only that lead is spun: tens of µs per send on a quiet machine. When to sleep
//   and when to spin is pace-plan.ts's call (never sleeping through short gaps or while behind).

import { nowMs } from "../runtime/clock.ts";
import { CHECK_MS, PacePlan, SPIN_MS } from "./pace-plan.ts";

export { CHECK_MS, SPIN_MS };

/**
 * Resolves at (or just after) `deadlineMs`, or early once `stopped()` is true. `nextMs`, when known,
 * is the following send time (a waker asks for its wake ahead).
 */
export type WaitUntil = (deadlineMs: number, stopped?: () => boolean, nextMs?: number) => Promise<void>;

/** Wake-up calls (wake-cell.ts's WakeRequester): numbered requests, each awaited by its number. */
export interface Wakes {
  /** Asks for a wake at `atMs`; its number, or -1 when none can be asked now. */
  request(atMs: number): number;
  /** Resolves once wake `n` (or a newer one) has fired. */
  reached(n: number): Promise<void>;
}

/** Timer, then spin (see the header). */
export const waitUntil: WaitUntil = (deadlineMs, stopped = never) =>
  new Promise((resolve) => {
    const tick = (): void => {
      const left = deadlineMs - nowMs();
      if (left <= 0 || stopped()) resolve();
      else if (left > SPIN_MS) setTimeout(tick, Math.min(left - SPIN_MS, CHECK_MS));
      else setImmediate(tick);
    };
    tick();
  });

/** setImmediate turns until the deadline (or a stop). */
export function spinUntil(deadlineMs: number, stopped: () => boolean = never): Promise<void> {
  return new Promise((resolve) => {
    const tick = (): void => {
      if (nowMs() >= deadlineMs || stopped()) resolve();
      else setImmediate(tick);
    };
    tick();
  });
}

/**
 * Sleeps through `wakes` (a waker's wake-up calls) for as long as `plan` says, then spins. Each wake's
 * lateness teaches the plan (its lead and its round-trip time). With `nextMs`, it also asks for the
 * next send's wake as it asks for this one, so the waker sleeps from one straight into the next, and
 * the next wait finds its wake already asked for.
 */
export function createWakerWait(
  wakes: Wakes,
  plan = new PacePlan(),
  /** Told the send time before each sleep towards it (send-clock.ts: the other threads step aside). */
  sleeping: (deadlineMs: number) => void = () => {},
): WaitUntil {
  // The wake asked for ahead: for which send time, at what time, and its number (-1: none).
  let aheadFor = Number.NaN;
  let aheadAt = Number.NaN;
  let aheadN = -1;
  return async (deadlineMs, stopped = never, nextMs = Number.NaN) => {
    for (;;) {
      if (stopped()) return;
      const now = nowMs();
      const sleep = plan.sleepMs(deadlineMs - now);
      if (sleep <= 0) break;
      // The last piece of the sleep (to the lead), not one of CHECK_MS: the wake asked for ahead
      // serves it, and the next send's can be asked for.
      const last = sleep < CHECK_MS;
      let at = now + sleep;
      let n: number;
      if (last && aheadN !== -1 && aheadFor === deadlineMs) {
        n = aheadN;
        at = aheadAt;
      } else n = wakes.request(at);
      aheadN = -1;
      if (n === -1) break;
      if (last && nextMs > deadlineMs) {
        const ahead = plan.aheadMs(nextMs - deadlineMs);
        if (!Number.isNaN(ahead)) {
          aheadFor = nextMs;
          aheadAt = nextMs - ahead;
          aheadN = wakes.request(aheadAt);
        }
      }
      if (last) sleeping(deadlineMs);
      await wakes.reached(n);
      plan.woke(nowMs() - at);
    }
    await spinUntil(deadlineMs, stopped);
  };
}

function never(): boolean {
  return false;
}
