import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { catalogFor, metricFilters, promQuote } from "./catalog.ts";
import { counterLegs, metricQueries, rangeSeconds, underscoredQuery } from "./promql.ts";

const filters = ["model_name='m'"];

describe("metricQueries()", () => {
  // The expected strings are inference-perf's own (its golden query tests), character for character.
  test("a gauge: mean and quantiles over time", () => {
    expect(
      metricQueries({ field: "queue_length", kind: "gauge", name: "vllm:num_requests_waiting" }, 60, filters),
    ).toEqual([
      "avg_over_time(vllm:num_requests_waiting{model_name='m'}[60s])",
      "quantile_over_time(0.5, vllm:num_requests_waiting{model_name='m'}[60s])",
      "quantile_over_time(0.9, vllm:num_requests_waiting{model_name='m'}[60s])",
      "quantile_over_time(0.99, vllm:num_requests_waiting{model_name='m'}[60s])",
    ]);
  });

  test("a counter: both name forms joined with or", () => {
    expect(
      metricQueries({ field: "prompt_tokens", kind: "counter", name: "vllm:prompt_tokens" }, 60, filters),
    ).toEqual([
      "sum(increase(vllm:prompt_tokens_total{model_name='m'}[60s]) or increase(vllm:prompt_tokens{model_name='m'}[60s]))",
      "avg_over_time((rate(vllm:prompt_tokens_total{model_name='m'}[60s]) or rate(vllm:prompt_tokens{model_name='m'}[60s]))[60s:60s])",
      "sum(rate(vllm:prompt_tokens_total{model_name='m'}[60s]) or rate(vllm:prompt_tokens{model_name='m'}[60s]))",
    ]);
  });

  test("a counter declared with _total is not suffixed twice; one over _count keeps one leg", () => {
    const total = { field: "prompt_tokens", kind: "counter", name: "sglang:prompt_tokens_total" } as const;
    expect(metricQueries(total, 60, [])[2]).toBe(
      "sum(rate(sglang:prompt_tokens_total{}[60s]) or rate(sglang:prompt_tokens{}[60s]))",
    );
    const count = {
      field: "requests",
      kind: "counter",
      name: "sglang:e2e_request_latency_seconds_count",
    } as const;
    expect(metricQueries(count, 60, [])[0]).toBe(
      "sum(increase(sglang:e2e_request_latency_seconds_count{}[60s]))",
    );
    expect(counterLegs("x_sum")).toEqual(["x_sum"]);
  });

  test("a histogram: mean, quantiles from buckets, rate of observations", () => {
    const f = "model_name='m'";
    expect(
      metricQueries(
        { field: "request_latency", kind: "histogram", name: "vllm:e2e_request_latency_seconds" },
        60,
        filters,
      ),
    ).toEqual([
      `sum(rate(vllm:e2e_request_latency_seconds_sum{${f}}[60s])) / (sum(rate(vllm:e2e_request_latency_seconds_count{${f}}[60s])) > 0)`,
      `histogram_quantile(0.5, sum(rate(vllm:e2e_request_latency_seconds_bucket{${f}}[60s])) by (le))`,
      `histogram_quantile(0.9, sum(rate(vllm:e2e_request_latency_seconds_bucket{${f}}[60s])) by (le))`,
      `histogram_quantile(0.99, sum(rate(vllm:e2e_request_latency_seconds_bucket{${f}}[60s])) by (le))`,
      `sum(rate(vllm:e2e_request_latency_seconds_count{${f}}[60s]))`,
    ]);
  });

  // Golden files: every query of every server type, one `field<TAB>query` line each, for a model and
  // a 60 s window. A renamed metric or a changed filter shows up as a diff of these files.
  test.each(["vllm", "sglang", "tgi"])("the %s query set matches its golden file", (server) => {
    const { type, specs } = catalogFor(server);
    const f = metricFilters(type, "meta-llama/Llama-3.1-8B-Instruct", []);
    const lines = specs.flatMap((spec) => metricQueries(spec, 60, f).map((q) => `${spec.field}\t${q}`));
    const path = join(import.meta.dirname, "../../fixtures/server-metrics", `${server}_queries.txt`);
    if (process.env.UPDATE_GOLDENS === "1") writeFileSync(path, `${lines.join("\n")}\n`);
    expect(lines).toEqual(readFileSync(path, "utf8").trimEnd().split("\n"));
  });
});

describe("rangeSeconds()", () => {
  test.each([
    [60, 60],
    [90.4, 90],
    [90.6, 91],
    // Python's f"{x:.0f}" rounds a tie to even.
    [90.5, 90],
    [91.5, 92],
    [0.2, 1],
  ])("%p s → [%ps]", (input, expected) => {
    expect(rangeSeconds(input)).toBe(expected);
  });
});

describe("filters and names", () => {
  test("vLLM and SGLang filter on the model, TGI only on the user's filters", () => {
    expect(metricFilters("vllm", "m", ['namespace="x"'])).toEqual(["model_name='m'", 'namespace="x"']);
    expect(metricFilters("tgi", "m", ['namespace="x"'])).toEqual(['namespace="x"']);
  });

  test("a model name with a quote or backslash stays one PromQL string", () => {
    expect(promQuote("it's\\x")).toBe("'it\\'s\\\\x'");
  });

  test("underscoredQuery() renames metric names, never label values", () => {
    expect(underscoredQuery("sum(rate(vllm:x_count{model_name='a:b'}[5s]))")).toBe(
      "sum(rate(vllm_x_count{model_name='a:b'}[5s]))",
    );
  });
});
