// Waiting until an absolute time on the shared clock, two ways. Both end with setImmediate turns
// (a "spin") for the last stretch, which gives microsecond accuracy while still letting socket
// callbacks run between turns; they differ in how they sleep until then.
// - waitUntil: a timer until 1.5 ms before, then spin. Timers are 1 ms granular (median 0.6 ms late,
//   p99 3-4 ms; docs/runtime-facts.md §4), so at 1,000 sends/s (1 ms apart) it spins all the time: a
//   core per load Worker. Kept where no waker can run (no Atomics.waitAsync) and as the baseline of
//   the pacing benchmark (INFERLOAD_PACING=timer-spin).
// - createWakerWait: a waker thread wakes the sender (wake-cell.ts) a learned lead before the time
//   (spin-lead.ts), and only that lead is spun: tens of µs per send on a quiet machine.

import { nowMs } from "../runtime/clock.ts";
import { SpinLead } from "./spin-lead.ts";

/** Resolves at (or just after) `deadlineMs`, or early once `stopped()` is true. */
export type WaitUntil = (deadlineMs: number, stopped?: () => boolean) => Promise<void>;

/** How long before the deadline the timer hands over to setImmediate turns. */
export const SPIN_MS = 1.5;

/** Long waits re-check `stopped()` at least this often, so a stop is noticed promptly. */
export const CHECK_MS = 50;

/**
 * Waits no longer than the lead plus this are spun outright: a wake round trip costs the two threads
 * some tens of µs of CPU, more than it would save on a shorter sleep.
 */
export const MIN_SLEEP_MS = 0.05;

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
 * Sleeps through `wakeAt` (a waker's wake-up call) until `lead.ms` before the deadline, then spins.
 * Each wake's lateness teaches the lead (spin-lead.ts).
 */
export function createWakerWait(wakeAt: (atMs: number) => Promise<void>, lead = new SpinLead()): WaitUntil {
  return async (deadlineMs, stopped = never) => {
    for (;;) {
      if (stopped()) return;
      const now = nowMs();
      if (deadlineMs - now <= lead.ms + MIN_SLEEP_MS) break;
      const at = Math.min(deadlineMs - lead.ms, now + CHECK_MS);
      await wakeAt(at);
      lead.observe(nowMs() - at);
    }
    await spinUntil(deadlineMs, stopped);
  };
}

function never(): boolean {
  return false;
}
