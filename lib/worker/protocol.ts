// The closed set of messages between the main thread, the load Workers and their builders. Flat,
// primitive-heavy messages (Bun's postMessage fast paths); records and ready requests travel only as
// transferred batches (batch.ts, ready-batch.ts).
import { isUserError } from "../cli/errors.ts";
import type { Config } from "../config/schema.ts";
import type { TraceLengths } from "../data/create.ts";
import type { ReplaySessionPlan } from "../data/replay/session-plan.ts";
import type { TransportStats } from "../http/transport.ts";
import type { SessionLifecycle } from "../record/session.ts";
import type { RecordBatch } from "./batch.ts";
import type { ReadyBatch } from "./ready-batch.ts";

/** Per-worker live counters in a SharedArrayBuffer (Int32 slots), read by the progress line. */
export const COUNTER_SENT = 0;
export const COUNTER_DONE = 1;
export const COUNTER_FAILED = 2;
export const COUNTER_IN_FLIGHT = 3;
/** Set to 1 by the main thread to stop scheduling at once (read before every send, no message hop). */
export const COUNTER_STOP = 4;
export const COUNTER_SLOTS = 5;

export type ToWorker =
  | {
      type: "init";
      workerId: number;
      config: Config;
      counters: SharedArrayBuffer;
      /**
       * Where this Worker announces the send time it sleeps towards (send-clock.ts), when the client
       * runs on one core and the other threads step aside for it; null otherwise.
       */
      sendClock: SharedArrayBuffer | null;
      /**
       * This Worker's end of the channel to its builder (ToBuilder out, FromBuilder in); null for a
       * session workload, whose requests this Worker builds itself.
       */
      builder: MessagePort | null;
      /** server.model_name, or the first model the server listed (session requests are built here). */
      model: string;
      /** trace_session_replay: this Worker's sessions (number in the corpus, and plan), else null. */
      replay: { index: number; plan: ReplaySessionPlan }[] | null;
    }
  /** A stage's slice: the Worker's builder starts on it, and the Worker answers "primed" once it has a head start. */
  | {
      type: "stage";
      stageId: number;
      indices: Uint32Array;
      /** Request k is due at t0Ms + offsets[k]; null for a closed loop (every request due at t0Ms). */
      offsets: Float64Array | null;
      /** Requests this worker may have in flight: worker_max_concurrency, or its share of concurrency_level. */
      slots: number;
    }
  /** Every Worker is primed: the stage starts at t0Ms on the shared clock. */
  | { type: "start"; stageId: number; t0Ms: number }
  /** A session stage begins: sessions arrive one by one with startSession. */
  | { type: "sessionStage"; stageId: number; t0Ms: number; slots: number }
  /** Start corpus session `index` (one of this Worker's) as of `atMs`. */
  | { type: "startSession"; stageId: number; index: number; atMs: number }
  /** No more sessions: reply stageDone once the running ones have settled. */
  | { type: "endSessionStage"; stageId: number }
  /** Stop scheduling: nothing new is sent; requests in flight finish. */
  | { type: "stop" }
  /** Abort requests in flight (they end as "cancelled"), then report the stage done. */
  | { type: "cancel" };

/** From the main thread to a builder Worker: once, before any stage. */
export interface BuilderInit {
  type: "init";
  workerId: number;
  config: Config;
  /** server.model_name, or the first model the server listed. */
  model: string;
  /** data.trace lengths read once by the main thread (random + data.trace), else null. */
  traceLengths: TraceLengths | null;
  /** The builder's end of the channel to its sending Worker. */
  sender: MessagePort;
  /**
   * Its sending Worker's send clock (send-clock.ts), when the client runs on one core: the builder
   * steps aside around each send. Null otherwise.
   */
  sendClock: SharedArrayBuffer | null;
}

/** From a sending Worker to its builder, over their channel. */
export type ToBuilder =
  /** Build this stage's requests in order (indices[k] is request k's stage index), `window` ahead. */
  | { type: "stage"; stageId: number; indices: Uint32Array; window: number }
  /** The sender took `n` more requests: build that many more. */
  | { type: "credit"; stageId: number; n: number }
  /** Stop building (the stage was stopped or cancelled). */
  | { type: "stop" }
  /** A working buffer of an earlier batch, every request in it done with: reuse it (transferred). */
  | { type: "recycle"; bytes: ArrayBuffer };

/** From a builder to its sending Worker: requests ready to send, buffers transferred. */
export type FromBuilder = { type: "built"; batch: ReadyBatch };

/** Builders post only "ready" and "fatal" to the main thread; load Workers post all of these. */
export type FromWorker =
  | { type: "ready"; workerId: number }
  /** The stage's first requests are built (or a second has passed): it may start. */
  | { type: "primed"; workerId: number; stageId: number }
  | { type: "batch"; workerId: number; batch: RecordBatch }
  | StageDone
  /** Sessions that ended (a replayed session as it settles; conversations at the stage's end). */
  | { type: "sessions"; workerId: number; lifecycles: SessionLifecycle[] }
  /** `userError`: a problem the user can fix (bad dataset path …), shown without a stack. */
  | { type: "fatal"; workerId: number; message: string; userError: boolean };

/** A load Worker's account of its stage, once every request it sent has ended. */
export interface StageDone {
  type: "stageDone";
  workerId: number;
  stageId: number;
  /** Requests actually sent in this stage. */
  sent: number;
  /** FNV-1a over the request bodies in send order (data and adapter choices), hex. */
  sequenceHash: string;
  transport: TransportStats;
  /** Requests its builder built for the stage, and the builder's time building them (ms). */
  built: number;
  buildMs: number;
  /** Requests that were due, with a free slot, but still waited for their body. */
  waitedForBody: number;
}

/** The message for an error a Worker cannot go on after: a UserError's message alone, else its stack. */
export function fatalMessage(workerId: number, error: unknown): Extract<FromWorker, { type: "fatal" }> {
  const userError = isUserError(error);
  const message = userError
    ? error.message
    : error instanceof Error
      ? (error.stack ?? error.message)
      : String(error);
  return { type: "fatal", workerId, message, userError };
}
