// The end-of-run summary table: one row per stage (and a total row), a units row under the header,
// times in ms; then why requests failed. Pure: returns text (the command prints it on stdout, or on
// stderr when stdout carries --json or --markers).
import type { RunReport } from "../metrics/collector.ts";
import type { Summary } from "../metrics/distribution.ts";
import { LATE_SEND_MS, type MetricsSnapshot } from "../metrics/stage-metrics.ts";

const headers = [
  "Stage",
  "Rate",
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
  "Output",
];
const units = ["", "req/s", "req/s", "", "", "ms", "ms", "ms", "ms", "ms", "ms", "ms", "ms", "tok/s"];

export function consoleSummary(report: RunReport): string {
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
  const lines = [
    table([headers, units, ...rows]),
    ...failureLines(report.summary),
    ...retryLines(report.summary),
    ...scheduleLines(report),
    ...transportLines(report.summary),
  ];
  if (report.interrupted) lines.push("Run interrupted: the numbers cover the requests that completed.");
  if (report.summary.count === 0) lines.push("No requests completed.");
  return lines.join("\n");
}

/** Why requests failed, most frequent first: the table only counts them. */
function failureLines(m: MetricsSnapshot, shown = 5): string[] {
  const labels = Object.entries(m.byLabel).sort((a, b) => b[1].count - a[1].count);
  if (labels.length === 0) return [];
  const lines = ["Failures:"];
  for (const [label, { count, messages }] of labels.slice(0, shown)) {
    const example = messages[0] === undefined ? "" : `: ${truncate(messages[0], 100)}`;
    lines.push(`  ${count} × ${label}${example}`);
  }
  if (labels.length > shown)
    lines.push(`  … and ${labels.length - shown} more labels (see the report files)`);
  return lines;
}

/** load.request_retries at work: requests sent again after a connection failure (retries.ts). */
function retryLines(m: MetricsSnapshot): string[] {
  const r = m.retries;
  if (r === null) return [];
  return [
    `Retries: ${r.requestsRetried} request(s) sent again (${r.attempts} extra attempt(s)): ${r.recovered} recovered, ${r.failedAfterRetry} failed anyway; ${fixed(r.wastedSecTotal, 2)} s spent on failed attempts and backoff`,
  ];
}

/**
 * How closely rate stages kept their send times: how many requests left over LATE_SEND_MS late, and
 * the delay's median and p99 when every stage had a rate (a closed loop's delays would dilute them).
 * A late send shifts when a request reaches the server, not its latency (that runs from the send).
 */
function scheduleLines(report: RunReport): string[] {
  const rated = report.stages.filter((stage) => stage.info.rate !== null);
  const count = rated.reduce((sum, stage) => sum + stage.metrics.count, 0);
  if (count === 0) return [];
  const late = rated.reduce((sum, stage) => sum + stage.metrics.lateSends, 0);
  const share = (100 * late) / count;
  let line = `Schedule: ${late.toLocaleString("en-US")} of ${count.toLocaleString("en-US")} requests (${fixed(share, 2)}%) left over ${LATE_SEND_MS} ms after their send time`;
  const delay = report.summary.scheduleDelay;
  if (rated.length === report.stages.length && delay?.median !== undefined && delay.p99 !== undefined)
    line += `; delay p50 ${ms(delay, "median")} ms, p99 ${ms(delay, "p99")} ms`;
  return [line];
}

/** How requests used connections, and the zero ITL gaps of events read together (transport-keys.ts). */
function transportLines(m: MetricsSnapshot): string[] {
  const c = m.connections;
  if (m.count === 0) return [];
  const median = c.connectMs?.median;
  const connect = median === undefined ? "" : ` (connect p50 ${fixed(median, median < 10 ? 2 : 1)} ms)`;
  const resent = c.resent > 0 ? `, ${c.resent} re-sent after a stale keep-alive close` : "";
  const lines = [
    `Connections: ${c.opened} opened${connect}, ${c.reused} reused, ${c.closedByServer} closed by the server${resent}`,
  ];
  if (m.sameReadGaps > 0) {
    const percent = ((100 * m.sameReadGaps) / m.itlGaps).toFixed(1);
    lines.push(`ITL: ${percent}% of gaps are 0 (two token events in one socket read)`);
  }
  return lines;
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function counts(m: MetricsSnapshot): string[] {
  return [String(m.successCount), String(m.failureCount)];
}

function latencies(m: MetricsSnapshot): string[] {
  return [m.ttft, m.itl, m.tpot, m.requestLatency].flatMap((s) => [ms(s, "median"), ms(s, "p99")]);
}

function outputRate(m: MetricsSnapshot): string {
  const seconds = (m.lastEndMs - m.firstSentMs) / 1000;
  return m.count > 0 && seconds > 0 ? fixed(m.totalOutputTokens / seconds, 1) : "-";
}

function ms(summary: Summary | null, key: string): string {
  const value = summary?.[key];
  if (value === undefined) return "-";
  const millis = value * 1000;
  // Decide the precision on the rounded value, so 9.996 ms prints as "10.0", not "10.00".
  return fixed(millis, Number(millis.toFixed(2)) < 10 ? 2 : 1);
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
