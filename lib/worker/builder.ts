// The builder's loop: builds a stage's requests in order, ahead of their send times, into batches for
// its sending Worker, never more than `window` requests ahead of what the sender has taken
// (back-pressure by credits: the sender returns them as it takes requests). Event-driven, clock and
// scheduling injected, so it runs in tests without Workers.
import type { ReadyBatch, ReadyBatchWriter } from "./ready-batch.ts";

/**
 * Requests a builder may have built ahead of what its sender has taken (the sender's initial credit),
 * at least this many; a closed loop with more slots gets up to one per slot (WINDOW_MAX), so the
 * first round need not wait for bodies.
 */
export const WINDOW_MIN = 256;
export const WINDOW_MAX = 4096;

/** The window for a stage whose sender has `slots` slots. */
export function readyWindow(slots: number): number {
  return Math.max(WINDOW_MIN, Math.min(slots, WINDOW_MAX));
}

export interface StageBuild {
  stageId: number;
  /** How many requests the stage has for this worker (positions k = 0 … count-1). */
  count: number;
  /** Requests it may build before the sender returns credit (readyWindow). */
  window: number;
  /** Appends request k to the writer; a request that cannot be built goes in as an error, never a throw. */
  buildInto(k: number, writer: ReadyBatchWriter): void;
}

export interface BuilderOptions {
  writer: ReadyBatchWriter;
  post(batch: ReadyBatch): void;
  now(): number;
  /** Runs `fn` on a later event-loop turn, so credit and stop messages get in between batches. */
  later(fn: () => void): void;
  /**
   * Called before each request is built while at least half the window is built ahead (so at least
   * a quarter not yet taken, credit coming back in quarter-window lumps): blocks while the sender's
   * send is imminent (send-clock.ts). A builder that is not that far ahead never steps aside.
   */
  stepAside?: () => void;
  /** A batch goes out at this many requests, bytes, or ms of building, whichever comes first. */
  maxCount?: number;
  maxBytes?: number;
  maxMs?: number;
}

export interface Builder {
  start(stage: StageBuild): void;
  /** The sender took `n` more requests of stage `stageId`. */
  credit(stageId: number, n: number): void;
  stop(): void;
}

export function createBuilder(opts: BuilderOptions): Builder {
  const { writer, post, now, later, stepAside } = opts;
  const maxCount = opts.maxCount ?? 64;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const maxMs = opts.maxMs ?? 1;
  let stage: StageBuild | null = null;
  let next = 0;
  let credit = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled || stage === null || credit <= 0 || next >= stage.count) return;
    scheduled = true;
    later(pump);
  }

  /** Builds one batch (or what credit allows), posts it, and comes back on a later turn for more. */
  function pump(): void {
    scheduled = false;
    const s = stage;
    if (s === null) return;
    const first = next;
    const started = now();
    let buildMs = 0;
    while (credit > 0 && next < s.count) {
      if (stepAside !== undefined && s.window - credit >= s.window >> 1) stepAside();
      const t = now();
      s.buildInto(next, writer);
      buildMs += now() - t;
      next++;
      credit--;
      // The stage's first request goes out alone: the sender needs it soonest.
      if (first === 0 && next === 1) break;
      if (writer.count >= maxCount || writer.bytes >= maxBytes || now() - started >= maxMs) break;
    }
    const batch = writer.take(s.stageId, first, buildMs);
    if (batch !== null) post(batch);
    schedule();
  }

  return {
    start(s) {
      writer.take(s.stageId, 0, 0); // drop anything half-built for an earlier stage
      stage = s;
      next = 0;
      credit = s.window;
      schedule();
    },
    credit(stageId, n) {
      if (stage === null || stageId !== stage.stageId) return;
      credit += n;
      schedule();
    },
    stop() {
      stage = null;
    },
  };
}
