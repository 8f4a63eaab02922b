// The end-of-run summary table: one row per stage (and a total row), times in ms. Pure: returns text;
// the command prints it to stderr (stdout stays for data).
import type { RunReport } from "../metrics/collector.ts";
import type { Summary } from "../metrics/distribution.ts";
import type { ClosedMetrics } from "../metrics/stage-metrics.ts";

const headers = [
  "Stage",
  "Req/s",
  "Achieved",
  "OK",
  "Failed",
  "TTFT p50",
  "TTFT p99",
  "ITL p50",
  "ITL p99",
  "TPOT p50",
  "TPOT p99",
  "Latency p50",
  "Latency p99",
  "Out tok/s",
];

export function consoleSummary(
  report: RunReport,
  options: { reportDir?: string | null | undefined } = {},
): string {
  const rows: string[][] = report.stages.map((stage) => {
    const m = stage.metrics;
    const sendS = (m.lastSentMs - m.firstSentMs) / 1000;
    const requested =
      stage.info.rate ?? (stage.info.concurrency === null ? null : `c=${stage.info.concurrency}`);
    return [
      `${stage.info.id}${stage.info.status === "completed" ? "" : ` (${stage.info.status})`}`,
      typeof requested === "number" ? fixed(requested, 2) : (requested ?? "-"),
      m.count > 0 && sendS > 0 ? fixed(m.count / sendS, 2) : "-",
      ...counts(m),
      ...latencies(m),
      outputRate(m),
    ];
  });
  if (report.stages.length > 1) {
    const m = report.summary;
    rows.push(["all", "", "", ...counts(m), ...latencies(m), outputRate(m)]);
  }
  const lines = [table([headers, ...rows])];
  if (report.interrupted) lines.push("Run interrupted: the numbers cover the requests that completed.");
  if (report.summary.count === 0) lines.push("No requests completed.");
  if (options.reportDir) lines.push(`Reports: ${options.reportDir}`);
  return lines.join("\n");
}

function counts(m: ClosedMetrics): string[] {
  return [String(m.successCount), String(m.failureCount)];
}

function latencies(m: ClosedMetrics): string[] {
  return [m.ttft, m.itl, m.tpot, m.requestLatency].flatMap((s) => [ms(s, "median"), ms(s, "p99")]);
}

function outputRate(m: ClosedMetrics): string {
  const seconds = (m.lastEndMs - m.firstSentMs) / 1000;
  return m.count > 0 && seconds > 0 ? fixed(m.totalOutputTokens / seconds, 1) : "-";
}

function ms(summary: Summary | null, key: string): string {
  const value = summary?.[key];
  return value === undefined ? "-" : fixed(value * 1000, value * 1000 < 10 ? 2 : 1);
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

/** Left-aligned first column, right-aligned numbers, two spaces between columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
