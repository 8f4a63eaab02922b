// What the runner tells the collector about a stage: its plan (rate, duration, concurrency) and how it
// went (start/end on the shared clock, status). Pure type definitions; the engine fills them in.

export type StageKind = "rate" | "concurrent" | "trace";
export type StageType = "constant" | "poisson" | "concurrent" | "trace_replay";
export type StageStatus = "completed" | "interrupted" | "failed";

/** One stage of a run as planned: what the runner executes and the collector reports. */
export interface StagePlan {
  /** Stage index (0-based); -1 is the sweep's probe, which is never reported. */
  id: number;
  kind: StageKind;
  type: StageType;
  /** Requested rate in req/s, or null for a concurrent stage (inference-perf then reports the rate it ran at). */
  rate: number | null;
  durationS: number | null;
  /** Concurrency level of a concurrent stage, else null. */
  concurrency: number | null;
  /** Requests the stage planned to send. */
  numRequests: number;
}

/** A stage as it ran: its plan, when it started and ended, and how it went. */
export interface StageInfo extends StagePlan {
  /** Stage start and end, ms on the shared clock (performance.timeOrigin + performance.now()). */
  startMs: number;
  endMs: number;
  status: StageStatus;
}
