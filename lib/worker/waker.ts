// Chooses and starts the load Worker's pacing: a waker Worker (wake-entry.ts) where the runtime has
// Atomics.waitAsync, else the timer-then-spin wait. INFERLOAD_PACING=timer-spin forces the latter; it
// exists for the pacing benchmark's baseline (docs/PERFORMANCE.md "Pacing cost"), not for users.

import { nowMs } from "../runtime/clock.ts";
import { workerUrl } from "../runtime/worker-url.ts";
import { PacePlan } from "./pace-plan.ts";
import { announceSend, type SendClock, sendLeft } from "./send-clock.ts";
import { createWakerWait, type WaitUntil, waitUntil } from "./wait.ts";
import { createWakeCell, WakeRequester, wakeSupported } from "./wake-cell.ts";

export type Pacing = "waker" | "timer-spin";

/** The pacing to use, from the environment variable and what the runtime supports. */
export function choosePacing(env: Record<string, string | undefined>, supported = wakeSupported): Pacing {
  return env.INFERLOAD_PACING === "timer-spin" || !supported ? "timer-spin" : "waker";
}

export interface Paced {
  /** The wait the send loop uses. */
  wait: WaitUntil;
  /** The send loop tells it how late each request left (the waker's plan learns when it is behind). */
  sent(lateMs: number): void;
  /** Ends the waker Worker (a load Worker never needs to: terminating it ends the Workers it started). */
  stop(): void;
  /** From now on, each sleep towards a send time is announced in `clock` (send-clock.ts). */
  announceIn(clock: SendClock): void;
  /** The send loop, right after a request is written: ends the announcement (send-clock.ts). */
  departed(): void;
}

/**
 * With a waker, its Worker is started now and is ready when this resolves. `onCrash` is told if the
 * waker dies later, since a sender waiting on it would wait forever.
 */
export async function startPacing(pacing: Pacing, onCrash: (error: Error) => void): Promise<Paced> {
  // Timer-then-spin never sleeps through a send's last stretch: nothing to announce.
  if (pacing === "timer-spin")
    return { wait: waitUntil, sent: () => {}, stop: () => {}, announceIn: () => {}, departed: () => {} };
  const cell = createWakeCell();
  const waker = new Worker(workerUrl("wake"), { type: "module", name: "wake" });
  let started = false;
  await new Promise<void>((resolve, reject) => {
    waker.onmessage = () => {
      started = true;
      resolve();
    };
    waker.onerror = (event) => {
      const error = new Error(`Waker Worker crashed: ${event.message}`);
      if (started) onCrash(error);
      else reject(error);
    };
    waker.postMessage(cell);
  });
  const requester = new WakeRequester(cell);
  const plan = new PacePlan();
  let clock: SendClock | null = null;
  let announced = false;
  return {
    wait: createWakerWait(requester, plan, (deadlineMs) => {
      if (clock !== null && announceSend(clock, deadlineMs, nowMs())) announced = true;
    }),
    sent: (lateMs) => plan.sent(lateMs),
    stop: () => waker.terminate(),
    announceIn: (c) => {
      clock = c;
    },
    departed: () => {
      if (!announced || clock === null) return;
      announced = false;
      sendLeft(clock);
    },
  };
}
