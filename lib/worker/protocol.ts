// The closed set of messages between the main thread and a load Worker. Flat, primitive-heavy
// messages (Bun's postMessage fast paths); records travel only as transferred batches (batch.ts).
import type { Config } from "../config/schema.ts";
import type { TraceLengths } from "../data/create.ts";
import type { ReplaySessionPlan } from "../data/replay/session-plan.ts";
import type { TransportStats } from "../http/transport.ts";
import type { SessionLifecycle } from "../record/session.ts";
import type { RecordBatch } from "./batch.ts";

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
      /** server.model_name, or the first model the server listed. */
      model: string;
      counters: SharedArrayBuffer;
      /** data.trace lengths read once by the main thread (random + data.trace), else null. */
      traceLengths: TraceLengths | null;
      /** trace_session_replay: this Worker's sessions (number in the corpus, and plan), else null. */
      replay: { index: number; plan: ReplaySessionPlan }[] | null;
    }
  | {
      type: "stage";
      stageId: number;
      /** Stage start on the shared clock; request k is due at t0Ms + offsets[k] (t0Ms for a closed loop). */
      t0Ms: number;
      indices: Uint32Array;
      offsets: Float64Array | null;
      /** Requests this worker may have in flight: worker_max_concurrency, or its share of concurrency_level. */
      slots: number;
    }
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

export type FromWorker =
  | { type: "ready"; workerId: number }
  | { type: "batch"; workerId: number; batch: RecordBatch }
  | {
      type: "stageDone";
      workerId: number;
      stageId: number;
      /** Requests actually sent in this stage. */
      sent: number;
      /** FNV-1a over the request bodies in send order (data and adapter choices), hex. */
      sequenceHash: string;
      transport: TransportStats;
    }
  /** Sessions that ended (a replayed session as it settles; conversations at the stage's end). */
  | { type: "sessions"; workerId: number; lifecycles: SessionLifecycle[] }
  /** `userError`: a problem the user can fix (bad dataset path …), shown without a stack. */
  | { type: "fatal"; workerId: number; message: string; userError: boolean };
