// Numbers the schema accepts but no run can honour: `rate: 1e12`, a million Workers, a stage of a
// trillion requests, timers past what a JavaScript timer can hold. Refused before any load, with the
// bound and why. Pure.
import { formatPath } from "./_path.ts";
import type { PathKey } from "./_valibot.ts";
import { MAX_WORKERS } from "./resolve.ts";
import type { Config } from "./schema.ts";

/** Requests per second one client can be asked for. */
export const MAX_RATE = 1_000_000;
/** Requests in one stage: a stage is planned before it starts (a rate stage's send times, 8 bytes each). */
export const MAX_STAGE_REQUESTS = 20_000_000;
/** Requests in flight asked of one closed-loop stage: each holds a connection. */
export const MAX_CONCURRENCY = 100_000;
/** Longest duration, interval or timeout, in seconds (7 days; timers overflow past 24.8 days). */
export const MAX_SECONDS = 7 * 24 * 3600;
/** Stages of a sweep's ladder. */
export const MAX_SWEEP_STAGES = 1000;

type Bound = { path: readonly PathKey[]; value: number | null | undefined; max: number; why: string };

function seconds(path: readonly PathKey[], value: number | null | undefined): Bound {
  return { path, value, max: MAX_SECONDS, why: "7 days" };
}

function bounds(config: Config): Bound[] {
  const { load } = config;
  const list: Bound[] = [
    {
      path: ["load", "num_workers"],
      value: load.num_workers,
      max: MAX_WORKERS,
      why: "each Worker is a thread with its own memory; more than the CPU count rarely helps",
    },
    seconds(["load", "interval"], load.interval),
    seconds(["load", "request_timeout"], load.request_timeout),
    seconds(["load", "stage_teardown_grace_seconds"], load.stage_teardown_grace_seconds),
  ];
  load.stages.forEach((stage, i) => {
    const at = (field: string): PathKey[] => ["load", "stages", i, field];
    list.push({
      path: at("rate"),
      value: stage.rate,
      max: MAX_RATE,
      why: "requests per second one client can send",
    });
    list.push(seconds(at("duration"), stage.duration));
    list.push({
      path: at("num_requests"),
      value: stage.num_requests,
      max: MAX_STAGE_REQUESTS,
      why: "a stage is planned in memory before it starts",
    });
    list.push({
      path: at("concurrency_level"),
      value: stage.concurrency_level,
      max: MAX_CONCURRENCY,
      why: "each request in flight holds a connection",
    });
  });
  if (load.sweep !== null) {
    const at = (field: string): PathKey[] => ["load", "sweep", field];
    list.push({
      path: at("num_requests"),
      value: load.sweep.num_requests,
      max: MAX_STAGE_REQUESTS,
      why: "a stage is planned in memory before it starts",
    });
    list.push({
      path: at("num_stages"),
      value: load.sweep.num_stages,
      max: MAX_SWEEP_STAGES,
      why: "a ladder that long would not end",
    });
    list.push(seconds(at("stage_duration"), load.sweep.stage_duration));
    list.push(seconds(at("timeout"), load.sweep.timeout));
  }
  return list;
}

/** One "path: expected …, got …" line per number out of bounds. */
export function boundProblems(config: Config): string[] {
  const problems: string[] = [];
  for (const { path, value, max, why } of bounds(config)) {
    if (value == null || value <= max) continue;
    problems.push(`${formatPath(path)}: expected at most ${max} (${why}), got ${value}`);
  }
  // Each bound alone can hold while their product cannot: 1000 req/s for 7 days.
  config.load.stages.forEach((stage, i) => {
    if (stage.rate == null || stage.duration == null) return;
    const requests = stage.rate * stage.duration;
    if (stage.rate <= MAX_RATE && requests > MAX_STAGE_REQUESTS) {
      problems.push(
        `${formatPath(["load", "stages", i])}: expected at most ${MAX_STAGE_REQUESTS} requests in one stage (rate × duration; a stage is planned in memory before it starts), got ${stage.rate} × ${stage.duration} = ${requests}`,
      );
    }
  });
  return problems;
}
