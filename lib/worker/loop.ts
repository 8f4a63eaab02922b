// The one send loop, parameterised by schedule: build request k → wait until it is due → take a slot → send →
// (when it finishes) release the slot. A rate schedule gives each k its own due time; a closed loop
// makes every k due at the stage start, so the slots alone pace it (a new request starts the moment
// one finishes). Stops early when `stopped()` turns true.
//
// Unlike inference-perf, a slot is taken only once the request is due, not while it waits for its
// send time, so worker_max_concurrency bounds requests actually in flight. When every slot is busy
// at a due time the request waits for one, and the wait shows in its schedule delay (never dropped).

import { nowMs } from "../runtime/clock.ts";
import type { Semaphore } from "./semaphore.ts";
import { waitUntil } from "./wait.ts";

export interface LoopSchedule {
  count: number;
  /** When request k (0 ≤ k < count, in order) is due, ms on the shared clock. */
  dueMs(k: number): number;
}

export interface LoopOptions<P> {
  schedule: LoopSchedule;
  slots: Semaphore;
  stopped: () => boolean;
  /**
   * Builds request k (data, adapter, body) ahead of its send time, while the loop would otherwise
   * only wait, so building costs nothing in schedule delay. Called in order, once per request.
   */
  prepare: (k: number) => P;
  /** Sends prepared request k and records it; must not reject. */
  send: (k: number, scheduledMs: number, prepared: P) => Promise<void>;
}

/** Runs the schedule and resolves once every started request has finished; returns how many started. */
export async function runLoop<P>(opts: LoopOptions<P>): Promise<number> {
  const { schedule, slots, stopped, prepare, send } = opts;
  let started = 0;
  let pending = 0;
  let drained: (() => void) | null = null;
  const finish = (): void => {
    slots.release();
    if (--pending === 0 && drained !== null) drained();
  };
  for (let k = 0; k < schedule.count; k++) {
    if (stopped()) break;
    const prepared = prepare(k);
    const due = schedule.dueMs(k);
    if (due > nowMs()) {
      await waitUntil(due, stopped);
      if (stopped()) break;
    }
    if (!slots.tryAcquire()) {
      await slots.acquire();
      if (stopped()) {
        slots.release();
        break;
      }
    }
    started++;
    pending++;
    send(k, due, prepared).then(finish, finish);
  }
  if (pending > 0) await new Promise<void>((resolve) => (drained = resolve));
  return started;
}
