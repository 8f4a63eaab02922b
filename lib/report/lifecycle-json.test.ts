import { expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { StageMetrics } from "../metrics/stage-metrics.ts";
import { record } from "../record/record.testing.ts";
import { fixedRun } from "./fixed-run.testing.ts";
import { type Literal, literalKind, parseWithLiterals } from "./json-literals.testing.ts";
import { lifecycleReport } from "./lifecycle-json.ts";
import { toJson } from "./write.ts";

/** A real inference-perf report file, number literals kept as int or float. */
const reference = (name: string) =>
  parseWithLiterals(
    readFileSync(new URL(`../../fixtures/inference-perf-reports/${name}`, import.meta.url), "utf8"),
  ) as { [key: string]: Literal };

type Tree = { [key: string]: Literal };

/**
 * Where our file departs from inference-perf's: for every object of theirs, its keys must open ours
 * in the same order (we only append), and every value must be of the same kind (an int literal where
 * they write an int, a float literal where they write a float). A distribution has no samples in
 * one file or the other when it is `null`: their `null` stands for a distribution shaped like
 * `template`, and ours may be `null` where theirs had samples.
 */
function departures(theirs: Literal, ours: Literal | undefined, template: Literal, path = "$"): string[] {
  const kind = literalKind(theirs);
  const ourKind = literalKind(ours);
  if (theirs === null) {
    if (ours === null) return [];
    return ourKind === "object"
      ? departures(template, ours, template, path)
      : [`${path}: null, got ${ourKind}`];
  }
  if (ours === null && kind === "object" && "median" in (theirs as Tree)) return [];
  if (kind !== ourKind) return [`${path}: ${kind}, got ${ourKind}`];
  if (kind !== "object") return [];
  const theirKeys = Object.keys(theirs as Tree);
  const ourKeys = Object.keys(ours as Tree);
  const out: string[] = [];
  if (ourKeys.slice(0, theirKeys.length).join(",") !== theirKeys.join(",")) {
    out.push(`${path}: keys ${theirKeys.join(",")} first, got ${ourKeys.join(",")}`);
  }
  for (const key of theirKeys) {
    out.push(
      ...departures((theirs as Tree)[key] as Literal, (ours as Tree)[key], template, `${path}.${key}`),
    );
  }
  return out;
}

/** The value at `path` of a tree read with parseWithLiterals. */
function at(tree: Literal, path: readonly string[]): Literal | undefined {
  let node: Literal | undefined = tree;
  for (const key of path) node = node !== null && typeof node === "object" ? (node as Tree)[key] : undefined;
  return node;
}

const run = fixedRun();
const stage0 = run.stages[0]!;
const stage1 = run.stages[1]!;
const stageReport = JSON.parse(JSON.stringify(lifecycleReport(stage0.metrics, { stage: stage0.info })));
const summaryReport = JSON.parse(JSON.stringify(lifecycleReport(run.summary)));
/** Our files as written (bytes through toJson), read back with their number literals. */
const written = {
  summary: parseWithLiterals(toJson(lifecycleReport(run.summary))),
  stage0: parseWithLiterals(toJson(lifecycleReport(stage0.metrics, { stage: stage0.info }))),
  stage1: parseWithLiterals(toJson(lifecycleReport(stage1.metrics, { stage: stage1.info }))),
};

test.each([
  ["stage_0_lifecycle_metrics.json", "stage0"],
  ["summary_lifecycle_metrics.json", "summary"],
  ["stage_0_lifecycle_metrics.json", "stage1"],
] as const)("inference-perf's %s and our %s report agree on key order and number types", (file, ours) => {
  const theirs = reference(file);
  const template = at(theirs, ["successes", "latency", "request_latency"]) as Literal;
  expect(departures(theirs, written[ours], template)).toEqual([]);
});

test("the summary report has no stage-only load_summary keys", () => {
  expect(Object.keys(written.summary as Tree)).toContain("load_summary");
  expect(Object.keys(at(written.summary, ["load_summary"]) as Tree)).toEqual(["count", "schedule_delay"]);
});

// Keys newer inference-perf versions write, absent from the released files above; types as its
// reportgen/base.py builds them (sums start at 0.0 and distributions go through float(), counts are
// len() or sum() of ints, concurrency is the stage's Optional[int]).
test.each([
  [["benchmark_time_seconds"], "float"],
  [["successes", "request_size_bytes", "p99.9"], "float"],
  [["successes", "prompt_tokens", "total"], "float"],
  [["successes", "prompt_tokens", "cached"], "float"],
  [["successes", "prompt_tokens", "uncached"], "float"],
  [["successes", "prompt_tokens", "median"], "float"],
  [["successes", "output_tokens", "total"], "float"],
  [["successes", "output_tokens", "max"], "float"],
  [["successes", "token_count_mismatches"], "int"],
  [["successes", "client_fallback_requests", "prompt"], "int"],
  [["successes", "client_fallback_requests", "output"], "int"],
  [["failures", "prompt_tokens", "total"], "float"],
  [["failures", "by_label", "429 - Rate Limit", "count"], "int"],
] as const)("newer inference-perf key %p is written as %s", (path, kind) => {
  expect(literalKind(at(written.stage0, path))).toBe(kind);
});

test("whole rates, token counts and durations are written as Python floats, counts as ints", () => {
  const text = toJson(lifecycleReport(stage1.metrics, { stage: stage1.info }));
  // Stage 1 is concurrent: inference-perf runs it as rate = num_requests (4) and keeps the level (2).
  expect(text).toContain('"requested_rate": 4.0,');
  expect(text).toContain('"concurrency": 2\n');
  expect(literalKind(at(written.stage1, ["load_summary", "concurrency"]))).toBe("int");
  expect(literalKind(at(written.stage1, ["stage", "num_requests"]))).toBe("int");
  expect(literalKind(at(written.stage1, ["stage", "duration_s"]))).toMatch(/^(float|null)$/);
  expect(toJson(lifecycleReport(stage0.metrics, { stage: stage0.info }))).toContain('"min": 100.0,');
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

test("goodput_metrics closes `successes` in inference-perf's key order, percentages and rates as floats", () => {
  const metrics = new StageMetrics({
    percentiles: [50],
    maxErrorMessages: 1,
    goodput: { request_latency: 0.15, ttft: 0.05 },
  });
  // Good: TTFT 20 ms, latency 100 ms. Not good: latency 200 ms. 1 s from first send to last end.
  metrics.add(record({ sentMs: 1000, endMs: 1100 }));
  metrics.add(record({ sentMs: 1800, tokenEventMs: [1820, 1830], endMs: 2000 }));
  const written = parseWithLiterals(toJson(lifecycleReport(metrics.snapshot()))) as Tree;
  const successes = written.successes as Tree;
  expect(Object.keys(successes).at(-1)).toBe("goodput_metrics");
  const goodput = successes.goodput_metrics as Tree;
  // Attainment keys follow inference-perf's check order (ttft before request_latency), not the config's.
  expect(Object.keys(goodput)).toEqual([
    "goodput_percentage",
    "request_goodput",
    "token_goodput",
    "good_requests",
    "total_requests",
    "ttft_attainment_percentage",
    "request_latency_attainment_percentage",
  ]);
  expect(Object.fromEntries(Object.entries(goodput).map(([k, v]) => [k, literalKind(v)]))).toEqual({
    goodput_percentage: "float",
    request_goodput: "float",
    token_goodput: "float",
    good_requests: "int",
    total_requests: "int",
    ttft_attainment_percentage: "float",
    request_latency_attainment_percentage: "float",
  });
  expect(JSON.parse(toJson(lifecycleReport(metrics.snapshot()))).successes.goodput_metrics).toEqual({
    goodput_percentage: 50,
    request_goodput: 1,
    token_goodput: 105,
    good_requests: 1,
    total_requests: 2,
    ttft_attainment_percentage: 100,
    request_latency_attainment_percentage: 50,
  });
});

test("without goodput constraints, or without successes, there is no goodput_metrics key", () => {
  for (const goodput of [null, { ttft: 1 }]) {
    const metrics = new StageMetrics({ percentiles: [50], maxErrorMessages: 1, goodput });
    metrics.add(record({ failure: goodput === null ? null : "timeout" }));
    expect(Object.keys(lifecycleReport(metrics.snapshot()).successes as Tree)).not.toContain(
      "goodput_metrics",
    );
  }
});

test("a stage whose requests retried gets inference-perf's retries block after benchmark_time_seconds", () => {
  const metrics = new StageMetrics({ percentiles: [50, 99], maxErrorMessages: 10 });
  metrics.add(record());
  // Sent three times, answered by the third attempt sent 1.5 s after the first.
  metrics.add(record({ attempts: 3, sentMs: 1000, lastAttemptMs: 2500, endMs: 2600 }));
  // Sent twice, failed anyway: its whole 4 s life was wasted.
  metrics.add(
    record({ attempts: 2, sentMs: 1000, lastAttemptMs: 3000, endMs: 5000, failure: "dropped", status: 0 }),
  );
  const text = toJson(lifecycleReport(metrics.snapshot()));
  const report = parseWithLiterals(text);
  const keys = Object.keys(report as Tree);
  expect(keys.indexOf("retries")).toBe(keys.indexOf("benchmark_time_seconds") + 1);
  expect(JSON.parse(text).retries).toEqual({
    requests_retried: 2,
    attempts: 3,
    recovered: 1,
    failed_after_retry: 1,
    wasted_sec_total: 5.5,
    wasted_sec: { mean: 2.75, min: 1.5, max: 4, median: 2.75, p99: 3.975 },
  });
  expect(literalKind(at(report, ["retries", "attempts"]))).toBe("int");
  expect(literalKind(at(report, ["retries", "wasted_sec_total"]))).toBe("float");
  expect(literalKind(at(report, ["retries", "wasted_sec", "max"]))).toBe("float");
});

test("a run without retries has no retries key (its reports stay byte-identical)", () => {
  expect(Object.keys(written.summary as Tree)).not.toContain("retries");
  expect(Object.keys(written.stage0 as Tree)).not.toContain("retries");
});
