// The `load` section (inference-perf `LoadConfig`): stages, sweep, LoRA split, trace, seeds. Pure.
import * as v from "valibot";
import {
  checked,
  int,
  list,
  nonEmptyStr,
  num,
  oneOf,
  opt,
  type PathKey,
  type Problem,
  section,
  str,
  strict,
} from "./_valibot.ts";
import { traceSchema } from "./schema-data.ts";

export const loadTypes = [
  "constant",
  "poisson",
  "trace_replay",
  "concurrent",
  "trace_session_replay",
] as const;
export type LoadType = (typeof loadTypes)[number];

/** How close the LoRA splits must sum to 1.0; inference-perf compares with `!=`, which rejects 0.1+0.2+0.7. */
export const LORA_SPLIT_TOLERANCE = 1e-6;

// One stage shape for every load type (inference-perf picks the class from load.type); which
// fields a stage must and must not have is checked by `stageProblems` below. Fields absent in
// the file stay absent (undefined), so a printed stage shows only what applies to it.
export const stageSchema = strict({
  rate: v.nullish(num({ gt: 0 })),
  duration: v.nullish(int({ gt: 0 })),
  num_requests: v.nullish(int({ gt: 0 })),
  concurrency_level: v.nullish(int({ gt: 0 })),
  concurrent_sessions: v.nullish(int({ ge: 0 })),
  session_rate: v.nullish(num({ gt: 0 })),
  num_sessions: v.nullish(int({ gt: 0 })),
  timeout: v.nullish(num({ gt: 0 })),
});

type StageValue = v.InferOutput<typeof stageSchema>;

const sweepSchema = strict({
  type: oneOf(["geometric", "linear"]),
  num_requests: v.optional(int({ gt: 0 }), 2000),
  timeout: v.optional(num({ gt: 0 }), 60),
  num_stages: v.optional(int({ gt: 0 }), 5),
  stage_duration: v.optional(int({ gt: 0 }), 180),
  saturation_percentile: v.optional(num({ gt: 0, le: 100 }), 95),
});

const loraSchema = strict({ name: nonEmptyStr(), split: num({ ge: 0, le: 1 }) });

const stageFieldsByKind = {
  rate: ["rate", "duration"],
  concurrent: ["num_requests", "concurrency_level"],
  session: ["concurrent_sessions", "session_rate", "num_sessions", "timeout"],
} as const;

type StageKind = keyof typeof stageFieldsByKind;

function stageKind(type: LoadType): StageKind {
  if (type === "concurrent") return "concurrent";
  if (type === "trace_session_replay") return "session";
  return "rate";
}

const requiredMessage: Record<string, string> = {
  rate: "expected a number > 0",
  duration: "expected an integer > 0",
  num_requests: "expected an integer > 0",
  concurrency_level: "expected an integer > 0",
  concurrent_sessions: "expected an integer >= 0",
};

/** Per-stage rules for the chosen load type: required fields present, other kinds' fields absent. */
export function stageProblems(type: LoadType, stage: StageValue, index: number): Problem[] {
  const kind = stageKind(type);
  const problems: Problem[] = [];
  const required = kind === "session" ? ["concurrent_sessions"] : stageFieldsByKind[kind];
  for (const field of required) {
    if (stage[field as keyof StageValue] == null) {
      problems.push({
        path: ["stages", index, field],
        expected: `${requiredMessage[field]} (required for ${type} stages)`,
      });
    }
  }
  for (const [other, fields] of Object.entries(stageFieldsByKind)) {
    if (other === kind) continue;
    for (const field of fields) {
      if (stage[field as keyof StageValue] != null) {
        problems.push({
          path: ["stages", index, field],
          expected: `expected no ${field} in a ${type} stage`,
        });
      }
    }
  }
  if (kind === "session" && stage.session_rate != null && (stage.concurrent_sessions ?? 0) > 0) {
    if (stage.session_rate > (stage.concurrent_sessions ?? 0)) {
      problems.push({
        path: ["stages", index, "session_rate"],
        expected: `expected a number <= concurrent_sessions (${stage.concurrent_sessions})`,
      });
    }
  }
  return problems;
}

type LoraValue = { name: string; split: number };

/** Splits sum to 1.0 within LORA_SPLIT_TOLERANCE; names unique. Entries that are themselves invalid are skipped. */
export function loraProblems(
  split: readonly LoraValue[],
  valid: (path: readonly PathKey[]) => boolean,
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  split.forEach((entry, i) => {
    if (!valid(["lora_traffic_split", i, "name"])) return;
    if (seen.has(entry.name)) {
      problems.push({ path: ["lora_traffic_split", i, "name"], expected: "expected a name not used above" });
    }
    seen.add(entry.name);
  });
  if (split.length === 0) {
    problems.push({ path: ["lora_traffic_split"], expected: "expected at least one adapter (or null)" });
    return problems;
  }
  if (!split.every((_, i) => valid(["lora_traffic_split", i, "split"]))) return problems;
  const total = split.reduce((sum, entry) => sum + entry.split, 0);
  if (Math.abs(total - 1) > LORA_SPLIT_TOLERANCE) {
    problems.push({
      path: ["lora_traffic_split"],
      expected: `expected splits summing to 1.0 (within ${LORA_SPLIT_TOLERANCE})`,
      got: `a sum of ${Number(total.toFixed(9))}`,
    });
  }
  return problems;
}

type LoadValue = {
  type: LoadType;
  stages: StageValue[];
  sweep: unknown;
  trace: unknown;
  lora_traffic_split: LoraValue[] | null;
};

/** The cross-field rules of inference-perf's `LoadConfig` validator, plus `trace_replay` needs `trace`. */
export function loadProblems(load: LoadValue, valid: (path: readonly PathKey[]) => boolean): Problem[] {
  const problems: Problem[] = [];
  // inference-perf checks this at run time, after printing the config; we check it here so that
  // `validate` catches a config that `run` would refuse.
  if (!valid(["stages"]) || !valid(["sweep"])) {
    // Checked below once stages and sweep are themselves valid.
  } else if (load.stages.length === 0 && load.sweep === null) {
    problems.push({ path: ["stages"], expected: "expected at least one stage, or a load.sweep" });
  }
  // The sweep's ladder is a list of rates, so it needs a rate-based load type. inference-perf documents
  // "constant or poisson" but only refuses concurrent; with trace_replay its ladder would be ignored.
  if (valid(["sweep"]) && load.sweep !== null && load.type !== "constant" && load.type !== "poisson") {
    problems.push({ path: ["sweep"], expected: `expected no sweep with load.type "${load.type}"` });
  }
  if (Array.isArray(load.stages)) {
    load.stages.forEach((stage, i) => {
      if (valid(["stages", i])) problems.push(...stageProblems(load.type, stage, i));
    });
  }
  if (valid(["trace"]) && load.type === "trace_replay" && load.trace === null) {
    problems.push({
      path: ["trace"],
      expected: 'expected a trace ({file, format}) for load.type "trace_replay"',
    });
  }
  if (Array.isArray(load.lora_traffic_split)) problems.push(...loraProblems(load.lora_traffic_split, valid));
  return problems;
}

export const loadSchema = checked(
  section({
    type: v.optional(oneOf(loadTypes), "constant"),
    interval: v.optional(num({ ge: 0 }), 1),
    stages: v.optional(list(stageSchema), () => []),
    sweep: opt(sweepSchema),
    /** null until resolve.ts fills it from the CPU count; 0 = inference-perf's single-process mode. */
    num_workers: opt(int({ ge: 0 })),
    worker_max_concurrency: v.optional(int({ ge: 0 }), 100),
    worker_max_tcp_connections: v.optional(int({ gt: 0 }), 2500),
    trace: opt(traceSchema),
    circuit_breakers: v.optional(list(str()), () => []),
    request_timeout: opt(num({ gt: 0 })),
    /**
     * Ours: a response body past this many bytes ends as a `too_large` failure (its connection is
     * closed and its memory freed). 64 MiB is thousands of times any real completion.
     */
    max_response_bytes: v.optional(int({ gt: 0 }), 64 * 1024 * 1024),
    request_retries: v.optional(int({ ge: 0 }), 0),
    request_retry_backoff_sec: v.optional(num({ ge: 0 }), 0.5),
    stage_teardown_grace_seconds: v.optional(num({ ge: 0 }), 120),
    lora_traffic_split: opt(list(loraSchema)),
    /** null until resolve.ts fills it from the clock (ms), as inference-perf does. */
    base_seed: opt(int()),
  }),
  [["type"]],
  loadProblems,
);
