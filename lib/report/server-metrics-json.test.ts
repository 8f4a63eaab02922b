import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerMetricValues } from "../server-metrics/results.ts";
import { pythonJson } from "./py-json.ts";
import {
  serverMetricsMarkers,
  serverMetricsReports,
  writeServerMetricsReports,
} from "./server-metrics-files.ts";
import { serverMetricsReport } from "./server-metrics-json.ts";

const values: ServerMetricValues = {
  requests: { kind: "counter", total: 120, avg: 2, per_second: 2 },
  prompt_tokens: { kind: "counter", total: 1200, avg: 20, per_second: 20 },
  time_to_first_token: { kind: "histogram", avg: 0.05, median: 0.04, p90: 0.08, p99: 0.1, per_second: 2 },
  queue_length: { kind: "gauge", avg: 0.5, median: 0, p90: 2, p99: 3 },
  prefix_cache_hits: { kind: "counter", total: 30, avg: 0.5, per_second: 0.5 },
  prefix_cache_queries: { kind: "counter", total: 120, avg: 2, per_second: 2 },
  mm_cache_hits: { kind: "counter", total: 0, avg: 0, per_second: 0 },
  mm_cache_queries: { kind: "counter", total: 0, avg: 0, per_second: 0 },
};

describe("serverMetricsReport()", () => {
  test("has inference-perf's keys in its order", () => {
    const report = serverMetricsReport(values);
    expect(Object.keys(report)).toEqual(["benchmark_time_seconds", "load_summary", "successes", "failures"]);
    expect(Object.keys(report.successes as object)).toEqual([
      "count",
      "rate",
      "prompt_len",
      "output_len",
      "queue_len",
      "request_latency",
      "time_to_first_token",
      "time_per_output_token",
      "kv_cache_usage_percentage",
      "num_requests_swapped",
      "num_preemptions_total",
      "prefix_cache_hit_percent",
      "inter_token_latency",
      "num_requests_running",
      "request_queue_time",
      "request_inference_time",
      "request_prefill_time",
      "request_decode_time",
      "request_prompt_tokens",
      "request_generation_tokens",
      "request_max_num_generation_tokens",
      "request_params_n",
      "request_params_max_tokens",
      "request_success_count",
      "iteration_tokens",
      "prompt_tokens_cached",
      "prompt_tokens_recomputed",
      "external_prefix_cache_hit_percent",
      "mm_cache_hit_percent",
      "corrupted_requests",
      "request_prefill_kv_computed_tokens",
      "kv_block_idle_before_evict",
      "kv_block_lifetime",
      "kv_block_reuse_gap",
    ]);
  });

  test("numbers are Python floats; what the server did not give is null, not 0.0", () => {
    const text = pythonJson(serverMetricsReport(values), { indent: 2 });
    const parsed = JSON.parse(text);
    expect(text).toContain('"benchmark_time_seconds": 0.0');
    expect(text).toContain('"count": 120.0');
    expect(parsed.successes.time_to_first_token).toEqual({ mean: 0.05, median: 0.04, p90: 0.08, p99: 0.1 });
    expect(parsed.successes.prompt_len).toEqual({ mean: 20, rate: 20 });
    expect(parsed.successes.output_len).toEqual({ mean: null, rate: null });
    expect(parsed.successes.kv_cache_usage_percentage).toEqual({
      mean: null,
      median: null,
      p90: null,
      p99: null,
    });
    // hits / queries × 100; with no queries inference-perf says 0.0; unknown stays null.
    expect(parsed.successes.prefix_cache_hit_percent).toEqual({ mean: 25 });
    expect(text).toContain('"mm_cache_hit_percent": {\n      "mean": 0.0');
    expect(parsed.successes.external_prefix_cache_hit_percent).toEqual({ mean: null });
    expect(parsed.load_summary).toEqual({});
    expect(parsed.failures).toEqual({});
  });
});

describe("server metrics report files", () => {
  test("are written with inference-perf's names and the file prefix, and as markers", () => {
    const dir = mkdtempSync(join(tmpdir(), "sm-"));
    try {
      const reports = serverMetricsReports({
        summary: values,
        stages: [
          { id: 0, values },
          { id: 1, values },
        ],
      });
      const written = writeServerMetricsReports(reports, {
        report: { request_lifecycle: {} },
        storage: { local_storage: { path: dir, report_file_prefix: "run1-" } },
      });
      expect(written.map((p) => p.slice(dir.length + 1))).toEqual([
        "run1-summary_prometheus_metrics.json",
        "run1-stage_0_prometheus_metrics.json",
        "run1-stage_1_prometheus_metrics.json",
      ]);
      expect(JSON.parse(readFileSync(written[0] as string, "utf8")).successes.count).toBe(120);
      const markers = serverMetricsMarkers(reports);
      expect(markers).toStartWith("=== START_PROMETHEUS_SUMMARY ===\n{");
      expect(markers).toContain("=== END_PROMETHEUS_STAGE_1 ===");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
