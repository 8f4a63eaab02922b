// How `run` and `report` finish once the reports are written: thresholds judged, the exit code
// chosen, and the results printed. stdout carries exactly one result: the summary table (with the
// failures and thresholds), or the `--json` object, or the `--markers` blocks; with the latter two the
// table goes to stderr unless --quiet. Where the reports went is always said. Shared so both commands
// print a report set the same way (docs/scripting.md).
import { colorFor } from "../lib/cli/color.ts";
import { UserError } from "../lib/cli/errors.ts";
import { type ExitCodeValue, runOutcome } from "../lib/cli/exit-codes.ts";
import { log } from "../lib/cli/log.ts";
import { escapeControl } from "../lib/cli/terminal-text.ts";
import type { RunReport } from "../lib/metrics/collector.ts";
import { consoleSummary } from "../lib/report/console.ts";
import { jsonSummary, summaryMarkers } from "../lib/report/json.ts";
import { type ServerMetricsReports, serverMetricsMarkers } from "../lib/report/server-metrics-files.ts";
import type { Threshold } from "../lib/thresholds/compile.ts";
import { evaluateThresholds } from "../lib/thresholds/evaluate.ts";
import { thresholdLines } from "../lib/thresholds/render.ts";

export interface StdoutFlags {
  json?: boolean | undefined;
  markers?: boolean | undefined;
  quiet?: boolean | undefined;
}

/** --json and --markers both own stdout: refuse the pair before any work starts. */
export function checkStdoutFlags(flags: StdoutFlags): void {
  if (flags.json && flags.markers)
    throw new UserError("Cannot use --json with --markers: both print on stdout; choose one");
}

export interface FinishOptions extends StdoutFlags {
  reportDir: string | null;
  thresholds: readonly Threshold[];
  /** `report` rebuilds a run: its exit code never says "interrupted" (130 is for signals). */
  ignoreInterrupt?: boolean | undefined;
}

/** Judges the thresholds, prints the results and returns the exit code. */
export function finishReports(
  result: {
    report: RunReport;
    files: readonly string[];
    extra: Readonly<Record<string, unknown>>;
    /** Server-side metrics (run with metrics.type prometheus or scrape), printed after the client's. */
    serverMetrics?: ServerMetricsReports | null;
  },
  options: FinishOptions,
): ExitCodeValue {
  const { report } = result;
  const thresholds = evaluateThresholds(options.thresholds, report);
  const outcome = runOutcome({
    interrupted: report.interrupted && options.ignoreInterrupt !== true,
    requests: report.summary.count,
    successes: report.summary.successCount,
    thresholdsPassed: thresholds.passed,
  });
  const stdoutIsData = options.json === true || options.markers === true;
  if (options.json) {
    const summary = jsonSummary(report, {
      reportDir: options.reportDir,
      files: result.files,
      extra: result.extra,
    });
    const json = {
      ...summary,
      status: outcome.status,
      exit_code: outcome.exitCode,
      thresholds: thresholds.results,
      ...result.extra,
      ...(result.serverMetrics ? { server_metrics: result.serverMetrics } : {}),
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  }
  if (options.markers) {
    process.stdout.write(`${summaryMarkers(report, result.extra)}\n`);
    if (result.serverMetrics) process.stdout.write(`${serverMetricsMarkers(result.serverMetrics)}\n`);
  }
  const where =
    options.reportDir === null ? "Reports: not written (storage off)" : `Reports: ${options.reportDir}`;
  if (!stdoutIsData || options.quiet !== true) {
    const stream = stdoutIsData ? process.stderr : process.stdout;
    // The table quotes server error messages: escaped, so a server cannot drive the terminal.
    const table = escapeControl(consoleSummary(report), { lines: true });
    const lines = [table, ...thresholdLines(thresholds, { color: colorFor(stream) }), where];
    stream.write(`${lines.join("\n")}\n`);
  } else {
    process.stderr.write(`${where}\n`);
  }
  if (outcome.status === "no_successes") log.error(noSuccessMessage(report));
  if (outcome.status === "thresholds_failed") {
    const failed = new Set(thresholds.results.filter((r) => !r.passed).map((r) => r.expression));
    log.error(`Threshold${failed.size === 1 ? "" : "s"} failed: ${[...failed].join("; ")}`);
  }
  return outcome.exitCode;
}

/** "No request succeeded: 12 requests failed (connect 10, http_status 2)", or none were sent. */
function noSuccessMessage(report: RunReport): string {
  const { count, byKind } = report.summary;
  if (count === 0) return "No request was sent: the stages scheduled none, or the run stopped first";
  const kinds = Object.entries(byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${n}`);
  return `No request succeeded: ${count} request${count === 1 ? "" : "s"} failed (${kinds.join(", ")})`;
}
