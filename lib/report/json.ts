// The `--json` object printed on stdout: the summary lifecycle report, every stage's report and the
// report folder, so a shell script gets the numbers without reading files; and inference-perf's
// scrapable `--markers` blocks. Both read the run's report set (report-set.ts). Pure.
import type { RunReport } from "../metrics/collector.ts";
import { pythonJson } from "./py-json.ts";
import { reportSet } from "./report-set.ts";

export function jsonSummary(
  report: RunReport,
  options: {
    reportDir?: string | null | undefined;
    files?: readonly string[];
    extra?: Readonly<Record<string, unknown>>;
  } = {},
): Record<string, unknown> {
  // Every stage is listed, even one without requests; the summary is null when nothing was sent.
  const set = reportSet(report, { switches: summaryAndStages, keepEmpty: true, extra: options.extra });
  const summary = set.find((entry) => entry.kind === "summary" && entry.count > 0);
  return {
    interrupted: report.interrupted,
    report_dir: options.reportDir ?? null,
    files: options.files ?? [],
    summary: summary?.report ?? null,
    stages: set
      .filter((entry) => entry.kind === "stage")
      .map(({ stage, report }) => ({ id: stage.id, status: stage.status, report })),
  };
}

/**
 * inference-perf's machine-scrapable stdout blocks (`=== START_SUMMARY ===` …), for tools that parse
 * them; each block is the report file's text (Python's json, indent 2).
 */
export function summaryMarkers(report: RunReport, extra?: Readonly<Record<string, unknown>>): string {
  const blocks: string[] = [];
  for (const entry of reportSet(report, { switches: summaryAndStages, extra })) {
    const name = entry.kind === "stage" ? `STAGE_${entry.stage.id}` : "SUMMARY";
    blocks.push(`=== START_${name} ===`, pythonJson(entry.report, { indent: 2 }), `=== END_${name} ===`);
  }
  return blocks.join("\n");
}

/** stdout shows the summary and the stages, whatever the file switches say (as inference-perf's markers). */
const summaryAndStages = { summary: true, per_stage: true, per_adapter: false, per_adapter_stage: false };
