// What a sweep tells the user and saves: the probe's outcome, the saturation rate, the generated
// stages, as console lines and as the `sweep.json` object. Pure: values in, text and objects out.
import { formatCount, formatRate, requestCount } from "../load/constant.ts";
import type { RateStage } from "../load/stage.ts";
import type { LadderType } from "./ladder.ts";
import type { SaturationResult } from "./saturation.ts";

/** The probe's fixed concurrency: inference-perf's guide describes "1000 concurrent requests". */
export const PROBE_CONCURRENCY = 1000;

export interface SweepSettings {
  type: LadderType;
  num_requests: number;
  timeout: number;
  num_stages: number;
  stage_duration: number;
  saturation_percentile: number;
}

export interface ProbeOutcome {
  completed: number;
  failed: number;
  /** Requests cut off by the timeout (or never sent because of it). */
  cancelled: number;
  durationS: number;
  timedOut: boolean;
}

/** The `sweep` object saved in the report (snake_case, like the lifecycle files). */
export interface SweepReport {
  type: LadderType;
  probe: {
    num_requests: number;
    concurrency: number;
    timeout: number;
    completed: number;
    failed: number;
    cancelled: number;
    duration_s: number;
    timed_out: boolean;
    warmup_s: number;
    min_latency_s: number;
    window_s: number;
    windows: number;
    burn_rate: { min: number; median: number; max: number };
    saturation_percentile: number;
    saturation_rate: number;
  };
  stages: { stage_id: number; rate: number; duration: number }[];
}

/** The ladder's rates as stages 0..n-1 of the configured arrival type, stage_duration seconds each. */
export function sweepStages(
  rates: readonly number[],
  type: "constant" | "poisson",
  durationS: number,
): RateStage[] {
  return rates.map((rate, id) => ({
    id,
    kind: "rate",
    arrival: type,
    rate,
    durationS,
    numRequests: requestCount({ rate, durationS }),
  }));
}

export function sweepReport(
  settings: SweepSettings,
  outcome: ProbeOutcome,
  saturation: SaturationResult,
  stages: readonly RateStage[],
): SweepReport {
  return {
    type: settings.type,
    probe: {
      num_requests: settings.num_requests,
      concurrency: PROBE_CONCURRENCY,
      timeout: settings.timeout,
      completed: outcome.completed,
      failed: outcome.failed,
      cancelled: outcome.cancelled,
      duration_s: outcome.durationS,
      timed_out: outcome.timedOut,
      warmup_s: saturation.warmupS,
      min_latency_s: saturation.minLatencyS,
      window_s: saturation.windowS,
      windows: saturation.windows,
      burn_rate: saturation.burnRate,
      saturation_percentile: saturation.percentile,
      saturation_rate: saturation.maxRate,
    },
    stages: stages.map((s) => ({ stage_id: s.id, rate: s.rate, duration: s.durationS })),
  };
}

/** "Sweep probe: 2,000 requests at 1,000 in flight, at most 60 s". */
export function describeProbePlan(settings: SweepSettings): string {
  return `Sweep probe: ${formatCount(settings.num_requests)} requests at ${formatCount(PROBE_CONCURRENCY)} in flight, at most ${settings.timeout} s`;
}

/** The probe's result, the saturation rate and the ladder, one line each. */
export function describeSweep(report: SweepReport): string[] {
  const p = report.probe;
  const cut = p.timed_out ? `, stopped by sweep.timeout (${formatCount(p.cancelled)} cancelled)` : "";
  const rate = formatRate;
  return [
    `Sweep probe: ${formatCount(p.completed)} completed, ${formatCount(p.failed)} failed in ${p.duration_s.toFixed(1)} s${cut}`,
    `Sweep probe: burn rate min ${rate(p.burn_rate.min)}, median ${rate(p.burn_rate.median)}, max ${rate(p.burn_rate.max)} req/s over ${p.windows} windows of ${p.window_s.toFixed(2)} s (after ${p.warmup_s.toFixed(2)} s of warm-up)`,
    `Saturation: p${p.saturation_percentile} of the burn rate = ${rate(p.saturation_rate)} req/s`,
    `Sweep stages (${report.type}): ${report.stages.map((s) => formatRate(s.rate)).join(", ")} req/s, ${report.stages[0]?.duration ?? 0} s each`,
  ];
}
