// The metrics a threshold may name, each read from a lifecycle report (the object the report files
// hold), so a threshold sees exactly the number the files show. Which names exist depends on the
// config: the percentiles asked for and the goodput constraints. Pure.
import type { StageInfo } from "../load/stage.ts";
import { goodputNames } from "../metrics/goodput.ts";
import { percentileKey } from "../metrics/percentiles.ts";
import { failureKinds } from "../record/record.ts";

/** A lifecycle report as JSON (numbers plain). */
export type ReportView = Readonly<Record<string, unknown>>;

/**
 * How a limit's unit applies: seconds take `s` or `ms`; a fraction (0..1) takes `%`; a percentage
 * (0..100) takes `%` as decoration; a plain number takes none.
 */
export type MetricKind = "seconds" | "fraction" | "percent" | "number";

export interface MetricDef {
  name: string;
  kind: MetricKind;
  /** Whether the metric exists for this bucket: stage-only metrics are skipped for the whole run. */
  applies(stage: StageInfo | null): boolean;
  /** The value, or null when the bucket has no data for it (a threshold on it fails). */
  read(view: ReportView, stage: StageInfo | null): number | null;
}

export interface CatalogueContext {
  /** report.request_lifecycle.percentiles */
  percentiles: readonly number[];
  /** The report.goodput constraints set (their names). */
  goodput: readonly string[];
}

/** Distribution short names and the report keys they read; the long names are accepted too. */
export const distributions: Readonly<Record<string, readonly string[]>> = {
  ttft: ["successes", "latency", "time_to_first_token"],
  tpot: ["successes", "latency", "time_per_output_token"],
  itl: ["successes", "latency", "inter_token_latency"],
  ntpot: ["successes", "latency", "normalized_time_per_output_token"],
  request_latency: ["successes", "latency", "request_latency"],
  schedule_delay: ["load_summary", "schedule_delay"],
  prompt_len: ["successes", "prompt_len"],
  output_len: ["successes", "output_len"],
};
const secondsDistributions = new Set(["ttft", "tpot", "itl", "ntpot", "request_latency", "schedule_delay"]);

export const goodputMetricNames = ["goodput_percentage", "request_goodput", "token_goodput", "good_requests"];

/** The statistics of a distribution: mean, min, max and the configured percentiles (p50 = median). */
export function statisticsOf(percentiles: readonly number[]): string[] {
  const keys = percentiles.map(percentileKey);
  return ["mean", "min", "max", ...keys, ...(keys.includes("median") ? ["p50"] : [])];
}

export function metricCatalogue(ctx: CatalogueContext): Map<string, MetricDef> {
  const defs: MetricDef[] = [];
  const always = (_stage: StageInfo | null) => true;
  const stageOnly = (stage: StageInfo | null): boolean => stage !== null;
  const scalar = (name: string, kind: MetricKind, path: readonly string[], applies = always) =>
    defs.push({ name, kind, applies, read: (view) => numberAt(view, path) });

  for (const [short, path] of Object.entries(distributions)) {
    const kind: MetricKind = secondsDistributions.has(short) ? "seconds" : "number";
    const long = path[path.length - 1] as string;
    for (const stat of statisticsOf(ctx.percentiles)) {
      const key = stat === "p50" ? "median" : stat;
      for (const name of new Set([short, long])) scalar(`${name}.${stat}`, kind, [...path, key]);
    }
  }
  scalar("requests.count", "number", ["load_summary", "count"]);
  scalar("successes.count", "number", ["successes", "count"]);
  scalar("failures.count", "number", ["failures", "count"]);
  const share = (count: (view: ReportView) => number | null) => (view: ReportView) => {
    const total = numberAt(view, ["load_summary", "count"]);
    const n = count(view);
    return total === null || total === 0 || n === null ? null : n / total;
  };
  defs.push(
    {
      name: "successes.rate",
      kind: "fraction",
      applies: always,
      read: share((v) => numberAt(v, ["successes", "count"])),
    },
    {
      name: "failures.rate",
      kind: "fraction",
      applies: always,
      read: share((v) => numberAt(v, ["failures", "count"])),
    },
  );
  for (const kind of failureKinds) {
    // by_kind lists only the kinds that happened: a kind that never failed counts 0.
    const count = (view: ReportView) =>
      numberAt(view, ["failures", "count"]) === null
        ? null
        : (numberAt(view, ["failures", "by_kind", kind]) ?? 0);
    defs.push(
      { name: `failures.${kind}.count`, kind: "number", applies: always, read: count },
      { name: `failures.${kind}.rate`, kind: "fraction", applies: always, read: share(count) },
    );
  }
  for (const key of [
    "requests_per_sec",
    "input_tokens_per_sec",
    "output_tokens_per_sec",
    "total_tokens_per_sec",
  ])
    scalar(key, "number", ["successes", "throughput", key]);
  scalar("benchmark_time_seconds", "seconds", ["benchmark_time_seconds"]);

  if (ctx.goodput.length > 0) {
    const goodput = ["successes", "goodput_metrics"];
    scalar("goodput_percentage", "percent", [...goodput, "goodput_percentage"]);
    scalar("request_goodput", "number", [...goodput, "request_goodput"]);
    scalar("token_goodput", "number", [...goodput, "token_goodput"]);
    scalar("good_requests", "number", [...goodput, "good_requests"]);
    for (const name of goodputNames.filter((n) => ctx.goodput.includes(n))) {
      scalar(`${name}_attainment_percentage`, "percent", [...goodput, `${name}_attainment_percentage`]);
    }
  }

  // Stage reports only: a stage has a schedule, the whole run does not.
  scalar("achieved_rate", "number", ["load_summary", "achieved_rate"], stageOnly);
  scalar("requested_rate", "number", ["load_summary", "requested_rate"], stageOnly);
  scalar("send_duration", "seconds", ["load_summary", "send_duration"], stageOnly);
  defs.push({
    name: "achieved_rate_ratio",
    kind: "fraction",
    // A concurrent stage has no requested rate (inference-perf writes num_requests there).
    applies: (stage) => stage !== null && stage.rate !== null,
    read: (view) => {
      const achieved = numberAt(view, ["load_summary", "achieved_rate"]);
      const requested = numberAt(view, ["load_summary", "requested_rate"]);
      return achieved === null || requested === null || requested === 0 ? null : achieved / requested;
    },
  });
  return new Map(defs.map((def) => [def.name, def]));
}

function numberAt(view: ReportView, path: readonly string[]): number | null {
  let node: unknown = view;
  for (const key of path) {
    if (node === null || typeof node !== "object") return null;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === "number" && Number.isFinite(node) ? node : null;
}
