// The load Worker's next send time, shared with the client's other threads so that they keep off the
// core around it.
//
// When the client runs on one core (its CPU affinity allows one: a pinned client, the way the pacing
// benchmark runs it), every thread shares the load Worker's core. When the load Worker's wake comes
// while the main thread is folding a batch of records into the collector, or a builder is filling
// its window, Linux often lets that thread run on: the load Worker runs more than they do, so under
// EEVDF it is often not yet eligible when it wakes, and then waits for the other thread to block or
// for the next tick (4 ms at HZ=250). A scheduler trace of a constant 1,000 req/s showed the main
// thread holding the core 0.6-1 ms past the load Worker's wake in most late sends after the first
// seconds (docs/PERFORMANCE.md "Pacing cost"). So the load Worker writes the send time it is about to
// sleep towards, and those threads check it between units of work (two records, a request built) and
// block through the moments around it, until the request has left: the core is free when the wake
// comes. With more cores the kernel spreads the threads and nobody steps aside (it would only cost
// them time); a builder steps aside only while it is well ahead of its sender.
//
// Only a sleep is announced, and only one at least ANNOUNCE_MIN_MS long: when the load Worker spins
// (sends closer together than a wake's round trip, or behind) it is running anyway, and stepping
// aside at every send of a fast schedule would starve the others.
import type { LoadPlanView } from "../load/plan-run.ts";

/**
 * Whether the client's other threads should step aside for its sends, given how many CPUs its
 * affinity allows: only when that is one, so that every thread shares the load Worker's core.
 */
export function stepAsideWanted(cpus: number): boolean {
  return cpus === 1;
}

/** A load Worker at this many sends a second or more spins more than it sleeps, and its core is busy. */
export const BUSY_WORKER_RATE = 2000;

/** The parts of `config.load` that say whether a run's sends leave the core mostly idle. */
export type LoadRateView = Pick<LoadPlanView, "type" | "stages"> & { num_workers: number; sweep?: unknown };

/**
 * Whether the engine's compiler threads should yield to the sends for the whole run (a lowered
 * priority cannot be raised again without privilege): only on one core, as stepping aside, and only
 * when every stage is a constant or Poisson rate under BUSY_WORKER_RATE per load Worker, so the core
 * is idle most of the time and the compilers still get it between sends. A saturated core (a closed
 * loop, a sweep climbing to the server's limit, a fast stage) would starve them, and the sending
 * code would stay in its slower tiers.
 */
export function engineYieldWanted(cpus: number, load: LoadRateView): boolean {
  if (!stepAsideWanted(cpus)) return false;
  if (load.type !== "constant" && load.type !== "poisson") return false;
  if (load.sweep !== null && load.sweep !== undefined) return false;
  const workers = Math.max(1, load.num_workers);
  return load.stages.every((stage) => (stage.rate ?? Number.POSITIVE_INFINITY) / workers < BUSY_WORKER_RATE);
}

/** A thread steps aside when a send is due within this long… */
export const STEP_ASIDE_BEFORE_MS = 0.3;
/**
 * …until the load Worker says the request has left, or at the latest this long after its due time.
 * Not a fixed time after it: a thread whose timer ends its wait just as a late load Worker gets to
 * send would preempt it (it has slept, so it is eligible) in the middle of the send.
 */
export const STEP_ASIDE_AFTER_MS = 0.5;

/** One load Worker's send clock: the send time it sleeps towards, and a count of sends it has made. */
export interface SendClock {
  /** [0]: the announced send time, ms on the shared clock; NaN before the first. */
  due: Float64Array;
  /** [0]: bumped (and its waiters notified) as each announced request leaves. */
  sent: Int32Array;
  /** Both views' memory, to hand to other threads (sendClockOf rebuilds the views there). */
  buffer: SharedArrayBuffer;
}

export function createSendClock(): SendClock {
  const clock = sendClockOf(new SharedArrayBuffer(16));
  clock.due[0] = Number.NaN;
  return clock;
}

export function sendClockOf(buffer: SharedArrayBuffer): SendClock {
  return { due: new Float64Array(buffer, 0, 1), sent: new Int32Array(buffer, 8, 1), buffer };
}

/**
 * A send is announced only when it is at least this far off as the load Worker goes to sleep, so the
 * others step aside for at most about half the time. Sends closer together (2,000 a second and more)
 * would keep them off the core nearly all the time, and a builder of costly prompts or the main
 * thread's records could fall behind.
 */
export const ANNOUNCE_MIN_MS = 0.6;

/** The load Worker, before it sleeps towards `dueMs` at `nowMs`: announces it if it is far enough off. */
export function announceSend(clock: SendClock, dueMs: number, nowMs: number): boolean {
  if (dueMs - nowMs < ANNOUNCE_MIN_MS) return false;
  clock.due[0] = dueMs;
  return true;
}

/** The load Worker, once the announced request has been written: whoever stepped aside goes on. */
export function sendLeft(clock: SendClock): void {
  clock.due[0] = Number.NaN;
  Atomics.add(clock.sent, 0, 1);
  Atomics.notify(clock.sent, 0);
}

/**
 * The clock whose send to step aside for at `nowMs`, and for how long at most: one due within
 * STEP_ASIDE_BEFORE_MS (or just past, not yet sent), until STEP_ASIDE_AFTER_MS past it; -1 if none.
 * A plain (non-atomic) read may see a half-written value on some hardware; the bounds keep any value
 * to at most BEFORE + AFTER of waiting.
 */
export function stepAsideFor(clocks: readonly SendClock[], nowMs: number): { index: number; ms: number } {
  let index = -1;
  let ms = 0;
  for (let i = 0; i < clocks.length; i++) {
    const left = clocks[i]!.due[0]! - nowMs;
    if (left < STEP_ASIDE_BEFORE_MS && left > -STEP_ASIDE_AFTER_MS && left + STEP_ASIDE_AFTER_MS > ms) {
      ms = left + STEP_ASIDE_AFTER_MS;
      index = i;
    }
  }
  return { index, ms };
}

/**
 * Blocks this thread (a futex wait: off the core, unlike a spin) while a send of `clocks` is
 * imminent, until that request has left (or the bound); returns at once otherwise. Never call it on
 * a thread that sends or stamps.
 */
export function stepAside(clocks: readonly SendClock[], now: () => number): void {
  if (clocks.length === 0) return;
  // Read first: a send that leaves between here and the wait bumps it, and the wait returns at once.
  const { index, ms } = stepAsideFor(clocks, now());
  if (index === -1) return;
  const clock = clocks[index]!;
  const before = Atomics.load(clock.sent, 0);
  if (Number.isNaN(clock.due[0]!)) return;
  Atomics.wait(clock.sent, 0, before, ms);
}
