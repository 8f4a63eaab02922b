// inference-perf's circuit breakers: each finished request, as its per-request JSON (None values
// left out), is a sample for a breaker when any `metrics.matches` JMESPath expression is truthy, and a
// hit when `rules` is empty or any rule is truthy. Triggers (any one opens the breaker, for good):
//   consecutive      threshold hits in a row;
//   rate_over_window hits / samples over the last window_sec (by request end time) >= threshold,
//                    with at least min_samples samples in the window.
// Truthiness is Python's, as inference-perf tests `bool(expr.search(data))`: 0, "", [], {} and
// null are false. Pure: the runner feeds records and reads `opened()`.
import type * as JMESPath from "@jmespath-community/jmespath";
import type { JSONValue } from "@jmespath-community/jmespath";
import type { RequestRecord } from "../record/record.ts";
import { perRequestEntry } from "../report/per-request-json.ts";

type Trigger =
  | { type: "consecutive"; threshold: number }
  | { type: "rate_over_window"; window_sec: number; threshold: number; min_samples: number };

export interface BreakerConfig {
  name: string;
  metrics: { matches: readonly string[]; rules: readonly string[] };
  triggers: readonly Trigger[];
}

/** Why a breaker opened, for the console and the reports. */
export interface BreakerTrip {
  name: string;
  trigger: Trigger["type"];
  /** The stage of the request that opened it. */
  stageId: number;
  reason: string;
}

export interface CircuitBreaker {
  readonly name: string;
  feed(record: RequestRecord): void;
  /** Set once the breaker opens (it never closes again). */
  opened(): BreakerTrip | null;
}

type Compiled = ReturnType<typeof JMESPath.compile>;

let engine: typeof JMESPath | null = null;

/**
 * Imports the JMESPath engine when the config has circuit breakers; the functions below need it.
 * Evaluating it cost every run's start ~2 ms of the main thread when it was imported statically, and
 * few configs have breakers (docs/PERFORMANCE.md "Start-up").
 */
export async function loadBreakerExpressions(config: {
  circuit_breakers?: readonly unknown[] | null;
}): Promise<void> {
  if ((config.circuit_breakers ?? []).length > 0) engine ??= await import("@jmespath-community/jmespath");
}

function jmespath(): typeof JMESPath {
  if (engine === null) throw new Error("circuit breaker expressions used before loadBreakerExpressions()");
  return engine;
}

/** The first problem compiling an expression, or null: config checks call this before any load. */
export function expressionProblem(expression: string): string | null {
  const { compile } = jmespath();
  try {
    compile(expression);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function createCircuitBreaker(config: BreakerConfig): CircuitBreaker {
  const { compile } = jmespath();
  const matches = config.metrics.matches.map((e) => compile(e));
  const rules = config.metrics.rules.map((e) => compile(e));
  const triggers = config.triggers.map(createTrigger);
  let trip: BreakerTrip | null = null;
  return {
    name: config.name,
    feed(record) {
      if (trip !== null) return;
      const view = requestView(record);
      if (!anyTruthy(matches, view)) return;
      const hit = rules.length === 0 || anyTruthy(rules, view);
      for (const trigger of triggers) {
        const reason = trigger.update(hit, record.endMs);
        if (reason !== null && trip === null) {
          trip = { name: config.name, trigger: trigger.type, stageId: record.stageId, reason };
        }
      }
    },
    opened: () => trip,
  };
}

/** A record as the JSON the expressions read: the per-request report entry without nulls. */
export function requestView(record: RequestRecord): JSONValue {
  return dropNulls(perRequestEntry(record)) as JSONValue;
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value))
    if (inner !== null && inner !== undefined) out[key] = dropNulls(inner);
  return out;
}

function anyTruthy(expressions: readonly Compiled[], view: JSONValue): boolean {
  const { TreeInterpreter } = jmespath();
  return expressions.some((ast) => pythonTruthy(TreeInterpreter.search(ast, view)));
}

export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

interface TriggerState {
  type: Trigger["type"];
  /** Takes one sample; returns why the trigger fired, or null. */
  update(hit: boolean, atMs: number): string | null;
}

function createTrigger(spec: Trigger): TriggerState {
  if (spec.type === "consecutive") {
    let run = 0;
    return {
      type: spec.type,
      update(hit) {
        run = hit ? run + 1 : 0;
        return run >= spec.threshold
          ? `${run} consecutive matching requests (threshold ${spec.threshold})`
          : null;
      },
    };
  }
  // Samples in the window as parallel arrays with a moving start: each sample is added and dropped once.
  const times: number[] = [];
  const hits: boolean[] = [];
  let start = 0;
  let hitCount = 0;
  const windowMs = spec.window_sec * 1000;
  return {
    type: spec.type,
    update(hit, atMs) {
      times.push(atMs);
      hits.push(hit);
      if (hit) hitCount++;
      while (start < times.length && (times[start] as number) < atMs - windowMs) {
        if (hits[start]) hitCount--;
        start++;
      }
      if (start > 1024 && start * 2 > times.length) {
        times.splice(0, start);
        hits.splice(0, start);
        start = 0;
      }
      const total = times.length - start;
      if (total < spec.min_samples || total === 0) return null;
      const rate = hitCount / total;
      return rate >= spec.threshold
        ? `${hitCount} of ${total} matching requests in the last ${spec.window_sec} s (rate ${round(rate)} >= ${spec.threshold}, at least ${spec.min_samples} samples)`
        : null;
    },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
