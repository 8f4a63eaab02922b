// When a session stage starts its next session (inference-perf's session pool): at most
// `concurrentSessions` sessions active at once (0 = no limit) and, with a `sessionRate`, at most one
// start every 1/rate s. Pure: the caller passes the time and how many sessions are active.
//
// Pacing: the first start is allowed at the stage start t0; after a start at time t the next is
// allowed at max(slot, t) + 1/rate. Starts are at least 1/rate apart, and a stage held back by its
// concurrency limit banks no starts to burst later. (Upstream moves the slot to max(slot + 1/rate, now),
// which lets two starts coincide after a wait; a rate is a ceiling here.)

export interface DispatchOptions {
  /** Sessions this stage runs. */
  total: number;
  /** 0 = no limit. */
  concurrentSessions: number;
  /** Sessions started per second; null = as fast as the concurrency allows. */
  sessionRate: number | null;
  t0Ms: number;
}

export interface SessionDispatcher {
  /** How many sessions may start at `nowMs` with `active` running; each counted as started. */
  take(nowMs: number, active: number): number;
  /** When a start may next be allowed by pacing alone (Infinity when all have started). */
  nextSlotMs(): number;
  readonly started: number;
  readonly remaining: number;
}

export function createSessionDispatcher(opts: DispatchOptions): SessionDispatcher {
  const { total, concurrentSessions } = opts;
  if (!Number.isInteger(total) || total < 0)
    throw new RangeError(`total must be an integer >= 0, got ${total}`);
  const gapMs = opts.sessionRate === null ? 0 : 1000 / opts.sessionRate;
  let slotMs = opts.t0Ms;
  let started = 0;
  return {
    take(nowMs, active) {
      let n = 0;
      while (started < total && (concurrentSessions === 0 || active + n < concurrentSessions)) {
        if (gapMs > 0 && nowMs < slotMs) break;
        n++;
        started++;
        if (gapMs > 0) slotMs = Math.max(slotMs, nowMs) + gapMs;
      }
      return n;
    },
    nextSlotMs: () => (started >= total ? Number.POSITIVE_INFINITY : slotMs),
    get started() {
      return started;
    },
    get remaining() {
      return total - started;
    },
  };
}
