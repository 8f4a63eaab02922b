import { expect, test } from "bun:test";
import { formatOutputs, jobSummary, type RunJson, type SummaryInput, stepOutputs } from "./job-summary.ts";

const dist = (median: number, p99: number) => ({ mean: median, median, p99 });
const report = (ok: number, failed: number, load: Record<string, number> = {}) => ({
  load_summary: { count: ok + failed, ...load },
  successes: {
    count: ok,
    latency: { time_to_first_token: dist(0.0425, 0.1), request_latency: dist(1.5, 2.25) },
    throughput: { output_tokens_per_sec: 123.45 },
  },
  failures: { count: failed, by_kind: {}, by_label: {} },
});
const twoStages: RunJson = {
  report_dir: "reports-x",
  summary: report(30, 0),
  stages: [
    { id: 0, status: "completed", report: report(10, 0, { requested_rate: 5, achieved_rate: 4.987 }) },
    {
      id: 1,
      status: "completed",
      report: report(20, 0, { requested_rate: 1, achieved_rate: 1, concurrency: 8 }),
    },
  ],
};
const input = (over: Partial<SummaryInput>): SummaryInput => ({
  json: twoStages,
  exitCode: 0,
  config: "bench.yaml",
  thresholds: [],
  version: "v1.0.0",
  ...over,
});

test("jobSummary() shows one row per stage in the units of the header, and a row for the whole run", () => {
  const md = jobSummary(input({}));
  expect(md).toStartWith("### inferload: `bench.yaml` ✅ passed\n");
  expect(md).toContain(
    "| 0 | completed | 5.00 → 4.99 | 10 | 0 | 42.5 / 100.0 | - / - | - / - | 1.500 / 2.250 | 123.5 |",
  );
  expect(md).toContain("| 1 | completed | c=8 → 1.00 | 20 | 0 |");
  expect(md).toContain("| **all** |  |  | 30 | 0 |");
  expect(md).toContain("<sub>reports in `reports-x` · inferload v1.0.0</sub>");
  expect(md).not.toContain("Failures");
});

test("jobSummary() lists evaluated thresholds with the stage, the observed value and pass or fail", () => {
  const json: RunJson = {
    ...twoStages,
    thresholds: [
      { expression: "ttft.p99 < 0.05", stage: 0, value: 0.1, passed: false },
      { expression: "failures.rate < 0.01", stage: null, value: 0, passed: true },
    ],
  };
  const md = jobSummary(
    input({ json, exitCode: 3, thresholds: ["ttft.p99 < 0.05", "failures.rate < 0.01"] }),
  );
  expect(md).toStartWith("### inferload: `bench.yaml` ❌ thresholds failed (exit 3)\n");
  expect(md).toContain("| `ttft.p99 < 0.05` | stage 0 | 0.1000 | ❌ fail |");
  expect(md).toContain("| `failures.rate < 0.01` | run | 0.0000 | ✅ pass |");
});

test("without per-threshold results, the exit code says whether the thresholds held", () => {
  const held = jobSummary(input({ thresholds: ["ttft.p99 < 1"] }));
  expect(held).toContain("| `ttft.p99 < 1` | ✅ pass |");
  const failed = jobSummary(input({ exitCode: 3, thresholds: ["ttft.p99 < 1"] }));
  expect(failed).toContain("| `ttft.p99 < 1` | ❌ failed (see the log) |");
  const notRun = jobSummary(input({ json: null, exitCode: 2, thresholds: ["ttft.p99 < 1"] }));
  expect(notRun).toContain("inferload printed no results");
  expect(notRun).toContain("| `ttft.p99 < 1` | not evaluated |");
});

test("failure labels and messages cannot break the Markdown table", () => {
  const summary = report(1, 3);
  summary.failures.by_kind = { http_status: 3 } as never;
  summary.failures.by_label = {
    "400 - other": { count: 3, messages: [{ message: "bad | input\nline two" }] },
  } as never;
  const md = jobSummary(
    input({ json: { summary, stages: [{ id: 0, status: "completed", report: summary }] } }),
  );
  expect(md).toContain("| http_status | 3 | 75.0% |");
  expect(md).toContain("| 400 - other | 3 | bad \\| input line two |");
});

test("outputs: passed only on exit 0; the JSON path only when there is JSON", () => {
  expect(stepOutputs(input({}), "/tmp/run.json")).toEqual({
    "report-dir": "reports-x",
    "summary-json": "/tmp/run.json",
    passed: "true",
  });
  expect(stepOutputs(input({ exitCode: 130 }), "/tmp/run.json").passed).toBe("false");
  expect(stepOutputs(input({ json: null, exitCode: 1 }), "/tmp/run.json")).toEqual({
    "report-dir": "",
    "summary-json": "",
    passed: "false",
  });
  expect(formatOutputs({ a: "x\ny", b: "" })).toBe("a=x y\nb=\n");
});
