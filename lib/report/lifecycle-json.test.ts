import { expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fixedRun } from "./fixed-run.testing.ts";
import { lifecycleReport } from "./lifecycle-json.ts";
import { toJson } from "./write.ts";

const reference = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/reports/inference-perf/${name}`, import.meta.url), "utf8"));

type Json = null | number | string | boolean | Json[] | { [key: string]: Json };

/** Every key path of `ref` exists in `ours`; objects stay objects; distributions keep their key order. */
function expectSameShape(ref: Json, ours: Json, path = "$"): void {
  if (ref === null || typeof ref !== "object") {
    if (ref !== null && ours !== null) expect(`${path}: ${typeof ours}`).toBe(`${path}: ${typeof ref}`);
    return;
  }
  expect(ours !== null && typeof ours === "object" ? path : `${path} is missing or not an object`).toBe(path);
  const mine = ours as { [key: string]: Json };
  const refKeys = Object.keys(ref);
  if ("median" in ref)
    expect(`${path}: ${Object.keys(mine).join(",")}`).toBe(`${path}: ${refKeys.join(",")}`);
  for (const key of refKeys) {
    expect(`${path}.${key} ${key in mine ? "present" : "missing"}`).toBe(`${path}.${key} present`);
    expectSameShape((ref as { [key: string]: Json })[key] ?? null, mine[key] ?? null, `${path}.${key}`);
  }
}

const run = fixedRun();
const stage0 = run.stages[0]!;
const stage1 = run.stages[1]!;
const stageReport = JSON.parse(JSON.stringify(lifecycleReport(stage0.metrics, { stage: stage0.info })));
const summaryReport = JSON.parse(JSON.stringify(lifecycleReport(run.summary)));

test("a stage report has every key of inference-perf's stage_0 file, in its distribution key order", () => {
  expectSameShape(reference("stage_0_lifecycle_metrics.json"), stageReport);
});

test("the summary report has every key of inference-perf's summary file and no stage-only keys", () => {
  expectSameShape(reference("summary_lifecycle_metrics.json"), summaryReport);
  expect(Object.keys(summaryReport.load_summary)).toEqual(["count", "schedule_delay"]);
});

test("reports carry the newer inference-perf keys as its v0.6 releases wrote them", () => {
  for (const report of [stageReport, summaryReport]) {
    expect(typeof report.benchmark_time_seconds).toBe("number");
    expect(Object.keys(report.successes.prompt_tokens).slice(0, 4)).toEqual([
      "total",
      "cached",
      "uncached",
      "mean",
    ]);
    expect(Object.keys(report.successes.output_tokens).slice(0, 2)).toEqual(["total", "mean"]);
    expect(typeof report.successes.token_count_mismatches).toBe("number");
    expect(Object.keys(report.successes.request_size_bytes)).toContain("p99.9");
    expect(Object.keys(report.failures)).toEqual(
      expect.arrayContaining(["count", "request_latency", "prompt_len", "prompt_tokens", "by_label"]),
    );
  }
  const concurrent = JSON.parse(JSON.stringify(lifecycleReport(stage1.metrics, { stage: stage1.info })));
  expect(concurrent.load_summary.concurrency).toBe(2);
  expect(stageReport.load_summary.concurrency).toBeUndefined();
});

test("stage 0's numbers match a hand computation", () => {
  const r = stageReport;
  // 10 sends 200 ms apart: first to last send 1.8 s, so achieved 10 / 1.8 req/s against 5 requested.
  expect(r.load_summary).toMatchObject({ count: 10, send_duration: 1.8, requested_rate: 5 });
  expect(r.load_summary.achieved_rate).toBeCloseTo(10 / 1.8, 12);
  expect(r.load_summary.schedule_delay.median).toBeCloseTo(0.001, 12);
  // First send to last end: 1,000,001 → 1,001,901 ms = 1.9 s; 9 successes, prompts 100..108 = 936 tokens.
  expect(r.benchmark_time_seconds).toBeCloseTo(1.9, 9);
  expect(r.successes.count).toBe(9);
  expect(r.successes.throughput.input_tokens_per_sec).toBeCloseTo(936 / 1.9, 9);
  expect(r.successes.throughput.output_tokens_per_sec).toBeCloseTo(45 / 1.9, 9);
  expect(r.successes.throughput.total_tokens_per_sec).toBeCloseTo(981 / 1.9, 9);
  expect(r.successes.throughput.requests_per_sec).toBeCloseTo(9 / 1.9, 9);
  // TTFT of request i is 20 + i ms (i = 0..8): median 24 ms. Events are 10 ms apart: ITL and TPOT 10 ms.
  expect(r.successes.latency.time_to_first_token.median).toBeCloseTo(0.024, 12);
  expect(r.successes.latency.inter_token_latency.min).toBeCloseTo(0.01, 12);
  expect(r.successes.latency.inter_token_latency.max).toBeCloseTo(0.01, 12);
  expect(r.successes.latency.time_per_output_token.median).toBeCloseTo(0.01, 12);
  expect(r.successes.latency.normalized_time_per_output_token.median).toBeCloseTo(0.02, 12);
  expect(r.successes.latency.request_latency.max).toBeCloseTo(0.1, 12);
  // Requests 0, 2, 4, 6, 8 had 16 cached tokens each; request 3's client count (6) differs from usage (5).
  expect(r.successes.prompt_tokens).toMatchObject({ total: 936, cached: 80, uncached: 856 });
  expect(r.successes.token_count_mismatches).toBe(1);
  expect(r.successes.output_len.max).toBe(6);
  expect(r.successes.output_tokens.total).toBe(45);
  expect(r.failures).toMatchObject({
    count: 1,
    by_label: { "429 - Rate Limit": { count: 1, messages: [{ message: "Too many requests" }] } },
  });
  expect(r.failures.request_latency.median).toBeCloseTo(0.1, 12);
  expect(r.token_source).toEqual({ prompt: "server", output: "server" });
});

test("a unary concurrent stage has null streaming metrics and client token sources", () => {
  const r = JSON.parse(JSON.stringify(lifecycleReport(stage1.metrics, { stage: stage1.info })));
  expect(r.successes.latency.time_to_first_token).toBeNull();
  expect(r.successes.latency.inter_token_latency).toBeNull();
  expect(r.successes.latency.time_per_output_token).toBeNull();
  // inference-perf runs a concurrent stage as rate = num_requests over 1 s.
  expect(r.load_summary.requested_rate).toBe(4);
  expect(r.token_source).toEqual({ prompt: "client", output: "client" });
  expect(r.failures.request_latency).toBeNull();
});

test("reports of the fixed run equal the golden files (UPDATE_GOLDEN=1 rewrites them)", () => {
  const dir = new URL("../../fixtures/reports/golden/", import.meta.url);
  const files: Record<string, unknown> = {
    "summary_lifecycle_metrics.json": lifecycleReport(run.summary),
    "stage_0_lifecycle_metrics.json": lifecycleReport(stage0.metrics, { stage: stage0.info }),
    "stage_1_lifecycle_metrics.json": lifecycleReport(stage1.metrics, { stage: stage1.info }),
  };
  for (const [name, value] of Object.entries(files)) {
    const path = new URL(name, dir);
    if (process.env.UPDATE_GOLDEN === "1") {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, toJson(value));
    }
    expect(toJson(value)).toBe(readFileSync(path, "utf8"));
  }
});
