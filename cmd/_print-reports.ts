// What `run` and `report` print once the reports are written: `--json` or `--markers` on stdout, the
// summary table on stderr unless --quiet. Shared so both commands print a report set the same way.
import { UserError } from "../lib/cli/errors.ts";
import { escapeControl } from "../lib/cli/terminal-text.ts";
import type { RunReport } from "../lib/metrics/collector.ts";
import { consoleSummary } from "../lib/report/console.ts";
import { jsonSummary, summaryMarkers } from "../lib/report/json.ts";

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

export function printReports(
  result: { report: RunReport; files: readonly string[]; extra: Readonly<Record<string, unknown>> },
  options: StdoutFlags & { reportDir: string | null },
): void {
  if (options.json) {
    const summary = jsonSummary(result.report, {
      reportDir: options.reportDir,
      files: result.files,
      extra: result.extra,
    });
    process.stdout.write(`${JSON.stringify({ ...summary, ...result.extra })}\n`);
  }
  if (options.markers) process.stdout.write(`${summaryMarkers(result.report, result.extra)}\n`);
  if (options.quiet !== true) {
    // The table quotes server error messages: escaped, so a server cannot drive the terminal.
    const summary = consoleSummary(result.report, { reportDir: options.reportDir });
    process.stderr.write(`${escapeControl(summary, { lines: true })}\n`);
  }
}
