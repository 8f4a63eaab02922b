import { describe, expect, test } from "bun:test";
import { fixedRun } from "../report/fixed-run.testing.ts";
import { compileThresholds } from "./compile.ts";
import { evaluateThresholds } from "./evaluate.ts";
import { thresholdLines } from "./render.ts";

// The fixed run: stage 0 sends 10 requests at 5 req/s (achieved 10 / 1.8 s), 9 succeed with TTFT
// 20..28 ms, 1 is a 429; stage 1 is concurrent: 4 unary successes (no TTFT).
const run = fixedRun();
const ctx = { percentiles: [50, 99], goodput: [] };
const compile = (...texts: string[]) =>
  compileThresholds(
    texts.map((text) => ({ text, origin: "--threshold" })),
    ctx,
  );

describe("evaluateThresholds()", () => {
  test("judges every threshold for the run and each stage, by value and by how much", () => {
    const report = evaluateThresholds(compile("ttft.max < 25ms", "failures.rate < 5%"), run);
    const rows = report.results.map((r) => [r.expression, r.scope, r.stage, r.value, r.passed]);
    expect(rows).toEqual([
      ["ttft.max < 25ms", "run", null, expect.closeTo(0.028, 12), false],
      ["ttft.max < 25ms", "stage", 0, expect.closeTo(0.028, 12), false],
      // No streamed success in stage 1: no TTFT at all, which fails rather than passes.
      ["ttft.max < 25ms", "stage", 1, null, false],
      ["failures.rate < 5%", "run", null, expect.closeTo(1 / 14, 12), false],
      ["failures.rate < 5%", "stage", 0, expect.closeTo(0.1, 12), false],
      ["failures.rate < 5%", "stage", 1, 0, true],
    ] as never);
    expect(report.results[0]!.delta).toBeCloseTo(0.003, 12);
    expect(report.results[2]!.delta).toBeNull();
    expect(report).toMatchObject({ passed: false, failed: 5 });
  });

  test("evaluates a stage-only metric on rate stages alone", () => {
    const report = evaluateThresholds(compile("achieved_rate_ratio > 0.9", "achieved_rate > 5"), run);
    expect(report.results.map((r) => [r.metric, r.scope, r.stage, r.passed])).toEqual([
      ["achieved_rate_ratio", "stage", 0, true],
      // achieved_rate exists for the concurrent stage too (4 sends over 300 ms); the ratio does not.
      ["achieved_rate", "stage", 0, true],
      ["achieved_rate", "stage", 1, true],
    ]);
    expect(report.results[0]!.value).toBeCloseTo(10 / 1.8 / 5, 12);
  });

  test("passes with no thresholds at all", () => {
    expect(evaluateThresholds([], run)).toEqual({ passed: true, failed: 0, results: [] });
  });

  test("reads the numbers the report files hold", () => {
    const report = evaluateThresholds(compile("requests.count == 14", "output_tokens_per_sec > 0"), run);
    expect(report.results.filter((r) => r.scope === "run").map((r) => r.passed)).toEqual([true, true]);
  });
});

describe("thresholdLines()", () => {
  test("says which threshold failed, where and by how much", () => {
    const report = evaluateThresholds(compile("ttft.max < 25ms", "failures.rate < 20%"), run);
    expect(thresholdLines(report)).toEqual([
      "Thresholds: 1 of 2 failed",
      "  ✗ ttft.max < 25ms      run 28 ms (3 ms over) · stage 0 28 ms (3 ms over) · stage 1 no data",
      "  ✓ failures.rate < 20%  run 7.143% · stage 0 10% · stage 1 0%",
    ]);
  });

  test("prints nothing without thresholds", () => {
    expect(thresholdLines(evaluateThresholds([], run))).toEqual([]);
  });
});
