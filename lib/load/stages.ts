// config.load → the list of stages to run, in order. Pure: reads only the fields it names.
import type { StagePlan } from "../metrics/stage-info.ts";
import { requestCount } from "./constant.ts";

/** One stage of a run, as the runner executes it and the collector reports it. */
export type Stage = StagePlan;

/** The parts of inference-perf's `load` section the plan needs (the resolved Config fits it). */
export interface LoadPlanView {
  type: string;
  stages: readonly {
    rate?: number | null | undefined;
    duration?: number | null | undefined;
    num_requests?: number | null | undefined;
    concurrency_level?: number | null | undefined;
  }[];
}

/**
 * Stages for load types constant, poisson and concurrent. trace_replay stages need the trace's
 * offsets, so their numRequests comes from `traceCount` (the trace's row count) when given.
 */
export function planStages(load: LoadPlanView, traceCount?: number): Stage[] {
  return load.stages.map((s, id): Stage => {
    if (load.type === "concurrent") {
      const numRequests = positiveInt(s.num_requests, `load.stages[${id}].num_requests`);
      const concurrency = positiveInt(s.concurrency_level, `load.stages[${id}].concurrency_level`);
      return {
        id,
        kind: "concurrent",
        type: "concurrent",
        rate: null,
        durationS: null,
        concurrency,
        numRequests,
      };
    }
    const rate = positive(s.rate, `load.stages[${id}].rate`);
    const durationS = positive(s.duration, `load.stages[${id}].duration`);
    if (load.type === "constant" || load.type === "poisson") {
      const numRequests = requestCount({ rate, durationS });
      return { id, kind: "rate", type: load.type, rate, durationS, concurrency: null, numRequests };
    }
    if (load.type === "trace_replay") {
      const numRequests = traceCount ?? requestCount({ rate, durationS });
      return { id, kind: "trace", type: "trace_replay", rate, durationS, concurrency: null, numRequests };
    }
    throw new RangeError(
      `load.type: expected constant, poisson, concurrent or trace_replay, got "${load.type}"`,
    );
  });
}

// The config schema already checks these; the throws guard the plan against a config built in code.
function positive(value: number | null | undefined, path: string): number {
  if (typeof value !== "number" || !(value > 0))
    throw new RangeError(`${path}: expected a number > 0, got ${value}`);
  return value;
}

function positiveInt(value: number | null | undefined, path: string): number {
  const n = positive(value, path);
  if (!Number.isInteger(n)) throw new RangeError(`${path}: expected an integer > 0, got ${value}`);
  return n;
}
