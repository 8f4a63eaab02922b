// The `--json` object printed on stdout: the summary lifecycle report, every stage's report and the
// report folder, so a shell script gets the numbers without reading files. Pure.
import type { RunReport } from "../metrics/collector.ts";
import { lifecycleReport } from "./lifecycle-json.ts";
import { pythonJson } from "./py-json.ts";

export function jsonSummary(
  report: RunReport,
  options: {
    reportDir?: string | null | undefined;
    files?: readonly string[];
    extra?: Readonly<Record<string, unknown>>;
  } = {},
): Record<string, unknown> {
  const common = { interrupted: report.interrupted, extra: options.extra };
  return {
    interrupted: report.interrupted,
    report_dir: options.reportDir ?? null,
    files: options.files ?? [],
    summary: report.summary.count > 0 ? lifecycleReport(report.summary, common) : null,
    stages: report.stages.map((stage) => ({
      id: stage.info.id,
      status: stage.info.status,
      report: lifecycleReport(stage.metrics, { ...common, stage: stage.info }),
    })),
  };
}

/**
 * inference-perf's machine-scrapable stdout blocks (`=== START_SUMMARY ===` …), for tools that parse
 * them; each block is the report file's text (Python's json, indent 2).
 */
export function summaryMarkers(report: RunReport, extra?: Readonly<Record<string, unknown>>): string {
  const blocks: string[] = [];
  const common = { interrupted: report.interrupted, extra };
  if (report.summary.count > 0) {
    blocks.push(
      "=== START_SUMMARY ===",
      pythonJson(lifecycleReport(report.summary, common), { indent: 2 }),
      "=== END_SUMMARY ===",
    );
  }
  for (const stage of report.stages) {
    if (stage.metrics.count === 0) continue;
    const id = stage.info.id;
    blocks.push(
      `=== START_STAGE_${id} ===`,
      pythonJson(lifecycleReport(stage.metrics, { ...common, stage: stage.info }), { indent: 2 }),
      `=== END_STAGE_${id} ===`,
    );
  }
  return blocks.join("\n");
}
