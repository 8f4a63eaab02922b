// The GitHub Action's job summary: Markdown made from `inferload run --json` output (the stage table
// with units, failures by kind and label, thresholds with pass/fail) and the step's outputs. Pure.
// It reads only the keys it shows, so a report with more keys renders the same. Standalone (no
// imports): the action runs it with the downloaded binary's own runtime (`BUN_BE_BUN=1`).

/** A latency or length distribution, as in the lifecycle reports: mean, min, p…, median, max. */
type Distribution = Record<string, number> | null | undefined;

interface Lifecycle {
  load_summary?: { count?: number; requested_rate?: number; achieved_rate?: number; concurrency?: number };
  successes?: {
    count?: number;
    latency?: Record<string, Distribution>;
    throughput?: { output_tokens_per_sec?: number };
  };
  failures?: {
    count?: number;
    by_kind?: Record<string, number>;
    by_label?: Record<string, { count: number; messages?: { message: string }[] }>;
  };
}

/**
 * One evaluated threshold as `run --json` lists it under `thresholds`: the expression as given, the
 * stage it was checked on (null for the whole run), the observed value, and whether it held.
 */
export interface ThresholdResult {
  expression: string;
  stage?: number | null;
  value?: number | null;
  passed: boolean;
}

export interface RunJson {
  interrupted?: boolean;
  report_dir?: string | null;
  summary?: Lifecycle | null;
  stages?: { id: number; status: string; report: Lifecycle }[];
  thresholds?: ThresholdResult[];
}

export interface SummaryInput {
  /** Parsed `--json` output, or null when the run printed none (config error, crash). */
  json: RunJson | null;
  exitCode: number;
  config: string;
  /** The thresholds the action passed as `--threshold`. */
  thresholds: readonly string[];
  version: string;
}

const outcomes: Record<number, string> = {
  0: "✅ passed",
  1: "❌ the run failed (exit 1)",
  2: "❌ config or usage error (exit 2)",
  3: "❌ thresholds failed (exit 3)",
  130: "⚠️ interrupted (exit 130)",
};

export function jobSummary(input: SummaryInput): string {
  const { json, exitCode } = input;
  const lines = [`### inferload: \`${input.config}\` ${outcomes[exitCode] ?? `❌ exit ${exitCode}`}`, ""];
  if (json === null) {
    lines.push("inferload printed no results: the step's log says why.", "");
  } else {
    lines.push(...stageTable(json), ...failureTables(json.summary ?? null));
    if (json.interrupted === true)
      lines.push("The run was interrupted: the numbers cover the requests that completed.", "");
  }
  lines.push(...thresholdTable(input));
  const where = json?.report_dir ? `reports in \`${json.report_dir}\` · ` : "";
  lines.push(`<sub>${where}inferload ${input.version}</sub>`, "");
  return lines.join("\n");
}

/** `passed` is exit code 0 alone: thresholds, run failures and interrupts all make it false. */
export function stepOutputs(input: SummaryInput, jsonPath: string): Record<string, string> {
  return {
    "report-dir": input.json?.report_dir ?? "",
    "summary-json": input.json === null ? "" : jsonPath,
    passed: String(input.exitCode === 0),
  };
}

/** `key=value` lines for $GITHUB_OUTPUT (values here are single-line paths and words). */
export function formatOutputs(outputs: Readonly<Record<string, string>>): string {
  return Object.entries(outputs)
    .map(([key, value]) => `${key}=${value.replace(/[\r\n]+/g, " ")}\n`)
    .join("");
}

const header = [
  "Stage",
  "Status",
  "Rate req/s (requested → achieved)",
  "OK",
  "Failed",
  "TTFT p50 / p99 (ms)",
  "ITL p50 / p99 (ms)",
  "TPOT p50 / p99 (ms)",
  "Latency p50 / p99 (s)",
  "Output tok/s",
];

function stageTable(json: RunJson): string[] {
  const rows = (json.stages ?? []).map((stage) => {
    const load = stage.report.load_summary ?? {};
    const requested = load.concurrency !== undefined ? `c=${load.concurrency}` : num(load.requested_rate, 2);
    return [
      String(stage.id),
      stage.status,
      `${requested} → ${num(load.achieved_rate, 2)}`,
      ...metrics(stage.report),
    ];
  });
  if (json.summary && (json.stages ?? []).length !== 1)
    rows.push(["**all**", "", "", ...metrics(json.summary)]);
  if (rows.length === 0) return ["No stage ran.", ""];
  return [...table(header, rows), ""];
}

function metrics(report: Lifecycle): string[] {
  const latency = report.successes?.latency ?? {};
  const pair = (d: Distribution, scale: number, digits: number) =>
    `${num(scaled(d?.median, scale), digits)} / ${num(scaled(d?.p99, scale), digits)}`;
  return [
    num(report.successes?.count, 0),
    num(report.failures?.count, 0),
    pair(latency.time_to_first_token, 1000, 1),
    pair(latency.inter_token_latency, 1000, 2),
    pair(latency.time_per_output_token, 1000, 2),
    pair(latency.request_latency, 1, 3),
    num(report.successes?.throughput?.output_tokens_per_sec, 1),
  ];
}

function failureTables(summary: Lifecycle | null): string[] {
  const failures = summary?.failures;
  const kinds = Object.entries(failures?.by_kind ?? {}).filter(([, n]) => n > 0);
  if (kinds.length === 0) return [];
  const total = summary?.load_summary?.count ?? 0;
  const share = (n: number) => (total > 0 ? `${((100 * n) / total).toFixed(1)}%` : "-");
  const labels = Object.entries(failures?.by_label ?? {}).sort((a, b) => b[1].count - a[1].count);
  return [
    "#### Failures by kind",
    "",
    ...table(
      ["Kind", "Requests", "Share of all"],
      kinds.sort((a, b) => b[1] - a[1]).map(([kind, n]) => [kind, String(n), share(n)]),
    ),
    "",
    ...table(
      ["Label", "Requests", "Example message"],
      labels.map(([label, entry]) => [
        label,
        String(entry.count),
        cell(entry.messages?.[0]?.message ?? "", 120),
      ]),
    ),
    "",
  ];
}

function thresholdTable(input: SummaryInput): string[] {
  const evaluated = input.json?.thresholds;
  if (Array.isArray(evaluated) && evaluated.length > 0) {
    const rows = evaluated.map((t) => [
      `\`${cell(t.expression, 200)}\``,
      t.stage === null || t.stage === undefined ? "run" : `stage ${t.stage}`,
      num(t.value ?? undefined, 4),
      t.passed ? "✅ pass" : "❌ fail",
    ]);
    return ["#### Thresholds", "", ...table(["Threshold", "Checked on", "Observed", "Result"], rows), ""];
  }
  if (input.thresholds.length === 0) return [];
  // No per-threshold results in the output: the exit code still says whether all of them held.
  const result =
    input.exitCode === 0 ? "✅ pass" : input.exitCode === 3 ? "❌ failed (see the log)" : "not evaluated";
  const rows = input.thresholds.map((t) => [`\`${cell(t, 200)}\``, result]);
  return ["#### Thresholds", "", ...table(["Threshold", "Result"], rows), ""];
}

/** A Markdown table; columns of numbers (and "a / b", "a → b") are right-aligned. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const numeric = head.map((_, i) => rows.every((row) => /^[-\d.%/→c= ]*$/.test(row[i] ?? "")));
  return [line(head), line(numeric.map((right) => (right ? "---:" : "---"))), ...rows.map(line)];
}

/** Text safe inside a Markdown table cell: one line, pipes escaped, at most `max` characters. */
function cell(text: string, max: number): string {
  const one = text.replace(/\s+/g, " ").trim().replace(/\|/g, "\\|").replace(/`/g, "'");
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

function scaled(value: number | undefined, scale: number): number | undefined {
  return value === undefined ? undefined : value * scale;
}

function num(value: number | undefined, digits: number): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "-";
}
