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
    concurrent_sessions?: number | null | undefined;
    session_rate?: number | null | undefined;
    num_sessions?: number | null | undefined;
    timeout?: number | null | undefined;
  }[];
}

/** What the planner cannot know from the config alone, read by the caller before planning. */
export interface PlanFacts {
  /** trace_replay: the parsed `load.trace` (its timing). */
  timing?: TraceColumns | null | undefined;
  /** trace_replay with `data.trace`: that trace's row count, which sets each stage's request count. */
  dataRows?: number | null | undefined;
  /** trace_session_replay: calls per session of the corpus, in replay order (its length = sessions). */
  sessionCalls?: ArrayLike<number> | null | undefined;
}

export interface RunPlan {
  stages: Stage[];
  /** Things worth a warning line, e.g. a trace stage that sends fewer rows than the trace has. */
  notes: string[];
}

export function planRun(load: LoadPlanView, facts: PlanFacts = {}): RunPlan {
  const notes: string[] = [];
  if (load.type === "trace_session_replay") return planSessions(load, facts, notes);
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
      `load.type: expected constant, poisson, concurrent, trace_replay or trace_session_replay, got "${load.type}"`,
    );
  });
  return { stages, notes };
}

/**
 * Session stages take consecutive slices of the corpus (a cursor across stages, as inference-perf):
 * each stage its num_sessions, or all that remain when it names none. A stage asking for more sessions
 * than remain is refused before any load, pointing at duplicate_sessions_target.
 */
function planSessions(load: LoadPlanView, facts: PlanFacts, notes: string[]): RunPlan {
  const calls = facts.sessionCalls;
  if (calls === null || calls === undefined)
    throw new RangeError("A trace_session_replay plan needs the corpus's session sizes");
  let cursor = 0;
  const stages = load.stages.map((s, id): Stage => {
    const path = `load.stages[${id}]`;
    const concurrentSessions = s.concurrent_sessions ?? 0;
    if (!Number.isInteger(concurrentSessions) || concurrentSessions < 0)
      throw new RangeError(
        `${path}.concurrent_sessions: expected an integer >= 0, got ${concurrentSessions}`,
      );
    const left = calls.length - cursor;
    let count = left;
    if (s.num_sessions !== null && s.num_sessions !== undefined) {
      count = positiveInt(s.num_sessions, `${path}.num_sessions`);
      if (count > left) {
        throw new SessionPlanError(
          `${path}.num_sessions: expected at most ${left} (the sessions ${cursor === 0 ? "in the corpus" : "left after the earlier stages"}), got ${count}`,
        );
      }
    } else if (left === 0) notes.push(`Stage ${id}: no sessions left in the corpus; the stage sends nothing`);
    let numRequests = 0;
    for (let k = cursor; k < cursor + count; k++) numRequests += calls[k] ?? 0;
    const stage: Stage = {
      id,
      kind: "session",
      concurrentSessions,
      sessionRate: s.session_rate ?? null,
      firstSession: cursor,
      sessionCount: count,
      timeoutS: s.timeout ?? null,
      numRequests,
    };
    cursor += count;
    return stage;
  });
  return { stages, notes };
}

/** A plan the corpus cannot fill; the caller turns it into a UserError with its advice. */
export class SessionPlanError extends RangeError {
  override readonly name = "SessionPlanError";
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
