// config.load (and facts read beforehand, such as a trace's timing) → the run's stages, in order.
// Pure: reads only the fields it names, no clock and no I/O. Every stage comes out complete; nothing
// changes a stage after planning.
import { requestCount } from "./constant.ts";
import type { Stage } from "./stage.ts";
import { type TraceColumns, traceOffsets, traceStageCount } from "./trace.ts";

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

/** What the planner cannot know from the config alone, read by the caller before planning. */
export interface PlanFacts {
  /** trace_replay: the parsed `load.trace` (its timing). */
  timing?: TraceColumns | null | undefined;
  /** trace_replay with `data.trace`: that trace's row count, which sets each stage's request count. */
  dataRows?: number | null | undefined;
}

export interface RunPlan {
  stages: Stage[];
  /** Things worth a warning line, e.g. a trace stage that sends fewer rows than the trace has. */
  notes: string[];
}

export function planRun(load: LoadPlanView, facts: PlanFacts = {}): RunPlan {
  const notes: string[] = [];
  // One copy of the longest trace prefix any stage sends; each trace stage holds a view of it.
  let sharedTraceOffsets: Float64Array | null = null;
  const stages = load.stages.map((s, id): Stage => {
    if (load.type === "concurrent") {
      const numRequests = positiveInt(s.num_requests, `load.stages[${id}].num_requests`);
      const concurrency = positiveInt(s.concurrency_level, `load.stages[${id}].concurrency_level`);
      return { id, kind: "closed", concurrency, numRequests };
    }
    const rate = positive(s.rate, `load.stages[${id}].rate`);
    const durationS = positive(s.duration, `load.stages[${id}].duration`);
    if (load.type === "constant" || load.type === "poisson") {
      return {
        id,
        kind: "rate",
        arrival: load.type,
        rate,
        durationS,
        numRequests: requestCount({ rate, durationS }),
      };
    }
    if (load.type === "trace_replay") {
      const timing = facts.timing;
      if (timing === null || timing === undefined)
        throw new RangeError("A trace_replay plan needs the parsed load.trace");
      const { count, note } = traceStageCount({
        timingRows: timing.count,
        dataRows: facts.dataRows ?? null,
        rate,
        durationS,
      });
      if (note !== null) notes.push(`Stage ${id}: ${note}`);
      if (sharedTraceOffsets === null || sharedTraceOffsets.length < count)
        sharedTraceOffsets = traceOffsets(timing, longestTraceCount(load, facts, timing));
      const offsetsMs = sharedTraceOffsets.subarray(0, count);
      return { id, kind: "trace", rate, durationS, numRequests: count, offsetsMs };
    }
    throw new RangeError(
      `load.type: expected constant, poisson, concurrent or trace_replay, got "${load.type}"`,
    );
  });
  return { stages, notes };
}

function longestTraceCount(load: LoadPlanView, facts: PlanFacts, timing: TraceColumns): number {
  let longest = 0;
  for (const s of load.stages) {
    const { count } = traceStageCount({
      timingRows: timing.count,
      dataRows: facts.dataRows ?? null,
      rate: s.rate ?? 0,
      durationS: s.duration ?? 0,
    });
    longest = Math.max(longest, count);
  }
  return longest;
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
