// A load Worker's side of its builder: starts the builder on each stage, keeps what it delivers (a
// ReadyQueue), says when the stage has its head start ("primed"), hands out requests in order and
// returns credit in lumps as they are taken. Everything here is cheap bookkeeping on the load Worker's
// thread; the building itself happens on the builder's.
import { readyWindow } from "./builder.ts";
import type { FromBuilder, ToBuilder } from "./protocol.ts";
import { ReadyQueue, type ReadyRequest } from "./ready-batch.ts";

/** Longest a stage waits for its head start: a slow generator then shows as late sends, not a hang. */
export const PRIME_MAX_MS = 1000;

/** The two ends of the channel the supply needs (a MessagePort in a Worker). */
export interface BuilderPort {
  postMessage(message: ToBuilder, transfer: ArrayBuffer[]): void;
  onmessage: ((event: MessageEvent<FromBuilder>) => void) | null;
}

export interface Supply {
  /**
   * Starts the builder on a stage (its own copy of the indices). `onPrimed` is called once, when the
   * first window of requests is built, after PRIME_MAX_MS, or at a stop, whichever comes first.
   */
  prepare(stageId: number, indices: Uint32Array, slots: number, onPrimed: () => void): void;
  /** Request k (in order) if it has arrived, else null; returns credit to the builder as it goes. */
  take(k: number): ReadyRequest | null;
  /** A taken request is finished with its body (settled): its batch's buffer may go back for reuse. */
  release(request: ReadyRequest): void;
  /** Resolves at the next delivery, or at a stop. */
  arrival(): Promise<void>;
  /** The stage is stopped: the builder stops, and anyone waiting is woken. */
  stop(): void;
  /** Requests built for the stage so far, and the builder's time building them (ms). */
  readonly built: number;
  readonly buildMs: number;
}

export function createSupply(port: BuilderPort): Supply {
  const queue = new ReadyQueue((bytes) => port.postMessage({ type: "recycle", bytes }, [bytes]));
  let stageId = Number.NaN;
  let lump = 1;
  let untold = 0;
  let wake: (() => void) | null = null;
  let priming: { target: number; timer: ReturnType<typeof setTimeout>; done: () => void } | null = null;

  function woken(): void {
    const resolve = wake;
    wake = null;
    resolve?.();
  }

  function primed(): void {
    if (priming === null) return;
    const { timer, done } = priming;
    clearTimeout(timer);
    priming = null;
    done();
  }

  port.onmessage = (event) => {
    if (!queue.push(event.data.batch)) return;
    woken();
    if (priming !== null && queue.built >= priming.target) primed();
  };

  return {
    prepare(id, indices, slots, onPrimed) {
      primed(); // an earlier stage still priming (stopped before it started) is done with
      stageId = id;
      queue.reset(id);
      const window = readyWindow(slots);
      lump = Math.max(1, window >> 2);
      untold = 0;
      port.postMessage({ type: "stage", stageId: id, indices: indices.slice(), window }, []);
      priming = {
        target: Math.min(window, indices.length),
        timer: setTimeout(primed, PRIME_MAX_MS),
        done: onPrimed,
      };
      if (queue.built >= priming.target) primed();
    },
    take(k) {
      const ready = queue.take(k);
      if (ready !== null && ++untold >= lump) {
        port.postMessage({ type: "credit", stageId, n: untold }, []);
        untold = 0;
      }
      return ready;
    },
    release(request) {
      queue.release(request);
    },
    arrival() {
      return new Promise((resolve) => {
        wake = resolve;
      });
    },
    stop() {
      port.postMessage({ type: "stop" }, []);
      woken();
      primed();
    },
    get built() {
      return queue.built;
    },
    get buildMs() {
      return queue.buildMs;
    },
  };
}
