// The one send loop, parameterised by schedule: wait until request k is due → take a slot → take its
// body (built ahead by the Worker's builder) → send → (when it finishes) release the slot. A rate
// schedule gives each k its own due time; a closed loop makes every k due at the stage start, so the
// slots alone pace it (a new request starts the moment one finishes). Stops early when `stopped()`
// turns true. Nothing here builds a request: between sends the thread only reads and stamps.
//
// Unlike inference-perf, a slot is taken only once the request is due, not while it waits for its
// send time, so worker_max_concurrency bounds requests actually in flight. When every slot is busy
// at a due time the request waits for one, and the wait shows in its schedule delay (never dropped).
// A body that is not built by then is waited for the same way, and counted (`waitedForBody`).
import { nowMs } from "../runtime/clock.ts";
import type { Semaphore } from "./semaphore.ts";
import { type WaitUntil, waitUntil } from "./wait.ts";

export interface LoopSchedule {
  count: number;
  /** When request k (0 ≤ k < count, in order) is due, ms on the shared clock. */
  dueMs(k: number): number;
}

export interface LoopOptions<P> {
  schedule: LoopSchedule;
  slots: Semaphore;
  stopped: () => boolean;
  /** Request k as built ahead (asked once per k, in order), or null when it has not arrived yet. */
  take: (k: number) => P | null;
  /** Resolves when more built requests may have arrived, or when the loop is stopped. */
  arrival: () => Promise<void>;
  /** Sends request k and records it; must not reject. */
  send: (k: number, scheduledMs: number, ready: P) => Promise<void>;
  /** How to wait for a send time (the load Worker's waker); timer-then-spin when absent. */
  wait?: WaitUntil;
  /** Told how late each request leaves (ms after its due time), as it goes: the wait learns from it. */
  sent?: (lateMs: number) => void;
  /** Called once a request's send has been started (its bytes written when a connection was idle). */
  departed?: () => void;
}

export interface LoopResult {
  /** Requests started. */
  started: number;
  /** Requests that were due and had a slot but still waited for their body. */
  waitedForBody: number;
}

/** Runs the schedule and resolves once every started request has finished. */
export async function runLoop<P>(opts: LoopOptions<P>): Promise<LoopResult> {
  const { schedule, slots, stopped, take, arrival, send, wait = waitUntil, sent, departed } = opts;
  let started = 0;
  let waitedForBody = 0;
  let pending = 0;
  let drained: (() => void) | null = null;
  const finish = (): void => {
    slots.release();
    if (--pending === 0 && drained !== null) drained();
  };
  for (let k = 0; k < schedule.count; k++) {
    if (stopped()) break;
    const due = schedule.dueMs(k);
    if (due > nowMs()) {
      await wait(due, stopped, k + 1 < schedule.count ? schedule.dueMs(k + 1) : Number.NaN);
      if (stopped()) break;
    }
    if (!slots.tryAcquire()) {
      await slots.acquire();
      if (stopped()) {
        slots.release();
        break;
      }
    }
    let ready = take(k);
    if (ready === null) {
      waitedForBody++;
      while (ready === null && !stopped()) {
        await arrival();
        if (!stopped()) ready = take(k);
      }
      if (ready === null) {
        slots.release();
        break;
      }
    }
    started++;
    pending++;
    sent?.(nowMs() - due);
    send(k, due, ready).then(finish, finish);
    departed?.();
  }
  if (pending > 0) await new Promise<void>((resolve) => (drained = resolve));
  return { started, waitedForBody };
}
