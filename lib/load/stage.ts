// A run's stages as planned (a tagged union, one member per way of sending) and as they ran. Pure type
// definitions plus the flat description reports and record files carry. Adding a kind of stage is a
// new member here; the compiler then points at every switch that must learn it (`assertNever`).

/** How a rate stage spaces its sends. */
export type Arrival = "constant" | "poisson";

interface StageCommon {
  /** Stage index (0-based); the sweep's probe is -1 and never reported. */
  readonly id: number;
  /** Requests the stage plans to send. */
  readonly numRequests: number;
}

/** Open loop at a rate: `numRequests` sends over `durationS`, evenly spaced or Poisson. */
export interface RateStage extends StageCommon {
  readonly kind: "rate";
  readonly arrival: Arrival;
  readonly rate: number;
  readonly durationS: number;
}

/** Closed loop: exactly `concurrency` requests in flight until `numRequests` have been sent. */
export interface ClosedStage extends StageCommon {
  readonly kind: "closed";
  readonly concurrency: number;
}

/** Open loop replaying a trace's timing: request i is due `offsetsMs[i]` after the stage starts. */
export interface TraceStage extends StageCommon {
  readonly kind: "trace";
  /** The stage's configured rate and duration, which inference-perf reports as the requested rate. */
  readonly rate: number;
  readonly durationS: number;
  /** One entry per request (length numRequests); shared with other stages of the run, never mutated. */
  readonly offsetsMs: Float64Array;
}

export type Stage = RateStage | ClosedStage | TraceStage;

/** Stages with a negative id (the sweep's probe) feed a decision and are kept out of every report. */
export function isReported(stageId: number): boolean {
  return stageId >= 0;
}

/** Compile-time exhaustiveness: a new stage kind fails to type-check wherever it is not handled. */
export function assertNever(value: never): never {
  throw new TypeError(`Unhandled stage kind: ${JSON.stringify(value)}`);
}

export type StageStatus = "completed" | "interrupted" | "failed";

/**
 * A stage as reports and record files describe it: flat, JSON-safe, inference-perf's vocabulary
 * (`type` is the load type, a closed loop is "concurrent"). Nulls stand for what a kind does not have.
 */
export interface StageDescription {
  id: number;
  kind: "rate" | "concurrent" | "trace";
  type: "constant" | "poisson" | "concurrent" | "trace_replay";
  rate: number | null;
  durationS: number | null;
  concurrency: number | null;
  numRequests: number;
}

/** A stage as it ran: its description, when it started and ended, and how it went. */
export interface StageInfo extends StageDescription {
  /** Stage start and end, ms on the shared clock (lib/runtime/clock.ts). */
  startMs: number;
  endMs: number;
  status: StageStatus;
  /** Why a failed stage stopped early (an open circuit breaker); absent otherwise. */
  reason?: string;
}

export function describeStagePlan(stage: Stage): StageDescription {
  const { id, numRequests } = stage;
  switch (stage.kind) {
    case "rate":
      return {
        id,
        kind: "rate",
        type: stage.arrival,
        rate: stage.rate,
        durationS: stage.durationS,
        concurrency: null,
        numRequests,
      };
    case "closed":
      return {
        id,
        kind: "concurrent",
        type: "concurrent",
        rate: null,
        durationS: null,
        concurrency: stage.concurrency,
        numRequests,
      };
    case "trace":
      return {
        id,
        kind: "trace",
        type: "trace_replay",
        rate: stage.rate,
        durationS: stage.durationS,
        concurrency: null,
        numRequests,
      };
    default:
      return assertNever(stage);
  }
}
