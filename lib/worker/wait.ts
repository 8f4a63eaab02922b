// Wait until an absolute time on the shared clock: a timer until ~1.5 ms before, then setImmediate
// turns until due. Timers alone are 1 ms granular (median 0.6 ms late, p99 3-4 ms; docs/runtime-facts.md §4);
// the setImmediate tail gives microseconds while still letting socket callbacks run between turns.

import { nowMs } from "../runtime/clock.ts";

/** How long before the deadline the timer hands over to setImmediate turns. */
export const SPIN_MS = 1.5;

/** Resolves at (or just after) `deadlineMs`, or early once `stopped()` is true. */
export function waitUntil(deadlineMs: number, stopped: () => boolean = never): Promise<void> {
  return new Promise((resolve) => {
    const tick = (): void => {
      const left = deadlineMs - nowMs();
      if (left <= 0 || stopped()) {
        resolve();
        return;
      }
      // Long waits re-check every 50 ms, so a stop is noticed promptly.
      if (left > SPIN_MS) setTimeout(tick, Math.min(left - SPIN_MS, 50));
      else setImmediate(tick);
    };
    tick();
  });
}

function never(): boolean {
  return false;
}
