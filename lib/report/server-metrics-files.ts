// The server-metrics report set: inference-perf's file names (`summary_prometheus_metrics.json`,
// `stage_N_prometheus_metrics.json`, under the run's report folder and file prefix, whichever source
// produced the numbers), the same bodies for `--json`, and marker blocks for `--markers`
// (inferload's: inference-perf prints markers for lifecycle reports only).
import type { ServerMetricsOutcome } from "../server-metrics/source.ts";
import { createLocalStorage } from "../storage/local.ts";
import { pythonJson } from "./py-json.ts";
import { serverMetricsReport } from "./server-metrics-json.ts";
import { reportDir, toJson, type WriteConfig } from "./write.ts";

export interface ServerMetricsReports {
  summary: Record<string, unknown> | null;
  stages: { id: number; report: Record<string, unknown> }[];
}

export function serverMetricsReports(
  outcome: Pick<ServerMetricsOutcome, "summary" | "stages">,
): ServerMetricsReports {
  return {
    summary: outcome.summary === null ? null : serverMetricsReport(outcome.summary),
    stages: outcome.stages.map((s) => ({ id: s.id, report: serverMetricsReport(s.values) })),
  };
}

/** Writes the set; returns the paths written. Throws what storage throws (the caller warns). */
export function writeServerMetricsReports(
  reports: ServerMetricsReports,
  config: WriteConfig,
  options: { dir?: string | undefined } = {},
): string[] {
  const dir = reportDir(config, options.dir);
  if (dir === null) return [];
  const storage = createLocalStorage(dir, config.storage?.local_storage?.report_file_prefix ?? "");
  const written: string[] = [];
  if (reports.summary !== null)
    written.push(storage.write("summary_prometheus_metrics.json", toJson(reports.summary)));
  for (const stage of reports.stages) {
    written.push(storage.write(`stage_${stage.id}_prometheus_metrics.json`, toJson(stage.report)));
  }
  return written;
}

/** `=== START_PROMETHEUS_SUMMARY ===` and `=== START_PROMETHEUS_STAGE_N ===` blocks, each a file's text. */
export function serverMetricsMarkers(reports: ServerMetricsReports): string {
  const blocks: string[] = [];
  if (reports.summary !== null) {
    blocks.push(
      "=== START_PROMETHEUS_SUMMARY ===",
      pythonJson(reports.summary, { indent: 2 }),
      "=== END_PROMETHEUS_SUMMARY ===",
    );
  }
  for (const { id, report } of reports.stages) {
    blocks.push(
      `=== START_PROMETHEUS_STAGE_${id} ===`,
      pythonJson(report, { indent: 2 }),
      `=== END_PROMETHEUS_STAGE_${id} ===`,
    );
  }
  return blocks.join("\n");
}
