// The action's last step, run with the inferload binary's own runtime (`BUN_BE_BUN=1 inferload
// finish.ts …`, so the runner needs neither Node nor jq): reads the `run --json` output, appends the
// job summary to $GITHUB_STEP_SUMMARY (stdout without it) and the outputs to $GITHUB_OUTPUT.
// Usage: finish.ts JSON_FILE EXIT_CODE CONFIG VERSION [THRESHOLD …]
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { formatOutputs, jobSummary, type RunJson, type SummaryInput, stepOutputs } from "./job-summary.ts";

const [jsonPath = "", exitCode = "1", config = "", version = "", ...thresholds] = process.argv.slice(2);

/** The run's JSON, or null when it printed none or something else (a crash mid-write). */
function readRunJson(path: string): RunJson | null {
  if (!existsSync(path)) return null;
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return parsed !== null && typeof parsed === "object" ? (parsed as RunJson) : null;
  } catch {
    return null;
  }
}

const input: SummaryInput = {
  json: readRunJson(jsonPath),
  exitCode: Number(exitCode),
  config,
  thresholds,
  version,
};
const summary = jobSummary(input);
const summaryFile = process.env.GITHUB_STEP_SUMMARY;
if (summaryFile) appendFileSync(summaryFile, summary);
else process.stdout.write(summary);
const outputs = formatOutputs(stepOutputs(input, jsonPath));
const outputFile = process.env.GITHUB_OUTPUT;
if (outputFile) appendFileSync(outputFile, outputs);
else process.stdout.write(outputs);
