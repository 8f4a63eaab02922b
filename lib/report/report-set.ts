// The set of lifecycle reports a run produces, in order: summary, stages, adapters, adapter-stages,
// each with its inference-perf file name (before report_file_prefix). The file writer, `--json` and
// `--markers` all read this one list, so what they show cannot drift apart. Pure.
import type { StageInfo } from "../load/stage.ts";
import type { RunReport, StageResult } from "../metrics/collector.ts";
import type { MetricsSnapshot } from "../metrics/stage-metrics.ts";
import { type LifecycleReport, lifecycleReport } from "./lifecycle-json.ts";

/** report.request_lifecycle's switches; the full `Config` satisfies it. */
export interface LifecycleSwitches {
  summary?: boolean | null | undefined;
  per_stage?: boolean | null | undefined;
  per_request?: boolean | null | undefined;
  per_adapter?: boolean | null | undefined;
  per_adapter_stage?: boolean | null | undefined;
}

export type ReportKind = ReportEntry["kind"];

interface EntryCommon {
  /** inference-perf's file name, without report_file_prefix. */
  file: string;
  /** Requests in the bucket. */
  count: number;
  report: LifecycleReport;
}

export type ReportEntry =
  | (EntryCommon & { kind: "summary" })
  | StageEntry
  | (EntryCommon & { kind: "adapter"; adapter: string })
  | (EntryCommon & { kind: "adapter_stage"; stage: StageInfo; adapter: string });

export type StageEntry = EntryCommon & { kind: "stage"; stage: StageInfo };

export interface ReportSetOptions {
  /** Which kinds the set holds (report.request_lifecycle); every kind when absent. */
  switches?: LifecycleSwitches | undefined;
  /** Keep buckets without requests (`--json` lists every stage); files skip them, as inference-perf does. */
  keepEmpty?: boolean | undefined;
  /** The run's keys for every report (fingerprints, base_seed, sweep). */
  extra?: Readonly<Record<string, unknown>> | undefined;
}

export function reportSet(report: RunReport, options: ReportSetOptions = {}): ReportEntry[] {
  const on = (kind: ReportKind) => options.switches === undefined || isKindOn(options.switches, kind);
  const keep = (metrics: MetricsSnapshot) => options.keepEmpty === true || metrics.count > 0;
  const common = { interrupted: report.interrupted, extra: options.extra };
  const entries: ReportEntry[] = [];
  if (on("summary") && keep(report.summary)) {
    entries.push({
      kind: "summary",
      file: "summary_lifecycle_metrics.json",
      count: report.summary.count,
      report: lifecycleReport(report.summary, common),
    });
  }
  if (on("stage")) {
    for (const stage of report.stages) {
      if (keep(stage.metrics)) entries.push(stageEntry(stage, common));
    }
  }
  if (on("adapter")) {
    for (const { adapter, metrics } of report.adapters) {
      if (!keep(metrics)) continue;
      entries.push({
        kind: "adapter",
        file: `adapter_${safeName(adapter)}_lifecycle_metrics.json`,
        count: metrics.count,
        adapter,
        report: lifecycleReport(metrics, common),
      });
    }
  }
  if (on("adapter_stage")) {
    for (const { adapter, info, metrics } of report.adapterStages) {
      if (!keep(metrics)) continue;
      entries.push({
        kind: "adapter_stage",
        file: `adapter_${safeName(adapter)}_stage_${info.id}_lifecycle_metrics.json`,
        count: metrics.count,
        stage: info,
        adapter,
        report: lifecycleReport(metrics, { ...common, stage: info }),
      });
    }
  }
  return entries;
}

/** One stage's report: also what the runner saves as each stage ends, before the run's keys exist. */
export function stageEntry(
  stage: StageResult,
  options: { interrupted?: boolean | undefined; extra?: Readonly<Record<string, unknown>> | undefined },
): StageEntry {
  const { info, metrics } = stage;
  return {
    kind: "stage",
    file: `stage_${info.id}_lifecycle_metrics.json`,
    count: metrics.count,
    stage: info,
    report: lifecycleReport(metrics, { ...options, stage: info }),
  };
}

// inference-perf's per_adapter defaults to true in code (its docs say false); the config schema decides.
const defaults: Readonly<Record<ReportKind | "per_request", boolean>> = {
  summary: true,
  stage: true,
  adapter: true,
  adapter_stage: false,
  per_request: false,
};

const switchOf = {
  summary: "summary",
  stage: "per_stage",
  adapter: "per_adapter",
  adapter_stage: "per_adapter_stage",
  per_request: "per_request",
} as const;

/** inference-perf's `Optional[bool]` switches: absent takes the default, null means off. */
export function isKindOn(switches: LifecycleSwitches, kind: ReportKind | "per_request"): boolean {
  const flag = switches[switchOf[kind]];
  return flag === undefined ? defaults[kind] : flag === true;
}

/** Adapter names like "org/lora" must not create directories. */
function safeName(name: string): string {
  return name.replace(/[/\\]/g, "_");
}
