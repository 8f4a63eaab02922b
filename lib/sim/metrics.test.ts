import { describe, expect, test } from "bun:test";
import { parsePrometheusText } from "./_prom-check.ts";
import { escapeLabel, type GaugeSource, SimMetrics } from "./metrics.ts";

const gauges = (over: Partial<GaugeSource> = {}): GaugeSource => ({
  modelLoad: (m) => (m === "base" ? { running: 2, waiting: 1 } : { running: 1, waiting: 0 }),
  kvUsage: 0.25,
  maxConcurrent: 3,
  httpInFlight: 3,
  maxLoras: 1,
  faults: { "429": 2, cut: 1 },
  ...over,
});

describe("SimMetrics", () => {
  test("renders vLLM metric names with a model_name label per served name, and valid Prometheus text", () => {
    const metrics = new SimMetrics(["base", "ada/pter"]);
    metrics.received("base");
    metrics.firstToken("base", 0.05, 0.01, 12);
    metrics.token("base", null);
    metrics.token("base", 0.02);
    metrics.finished("base", 0.07, "length");
    metrics.received("ada/pter");
    const samples = parsePrometheusText(metrics.render(gauges()));
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(value("vllm:num_requests_running", { model_name: "base" })).toBe(2);
    expect(value("vllm:num_requests_waiting", { model_name: "base" })).toBe(1);
    expect(value("vllm:num_requests_running", { model_name: "ada/pter" })).toBe(1);
    expect(value("vllm:prompt_tokens_total", { model_name: "base" })).toBe(12);
    expect(value("vllm:generation_tokens_total", { model_name: "base" })).toBe(2);
    expect(value("vllm:request_success_total", { model_name: "base", finished_reason: "length" })).toBe(1);
    expect(value("vllm:time_to_first_token_seconds_count", { model_name: "base" })).toBe(1);
    expect(value("vllm:time_to_first_token_seconds_bucket", { model_name: "base", le: "0.04" })).toBe(0);
    expect(value("vllm:time_to_first_token_seconds_bucket", { model_name: "base", le: "0.06" })).toBe(1);
    expect(value("vllm:inter_token_latency_seconds_sum", { model_name: "base" })).toBeCloseTo(0.02);
    expect(value("vllm:e2e_request_latency_seconds_count", { model_name: "base" })).toBe(1);
    expect(value("vllm:kv_cache_usage_perc", { model_name: "base" })).toBe(0.25);
    expect(value("vllm:lora_requests_info", { running_lora_adapters: "ada/pter", max_lora: "1" })).toBe(1);
    expect(value("inferload_sim_requests_total", { model_name: "ada/pter" })).toBe(1);
    expect(value("inferload_sim_faults_total", { kind: "429" })).toBe(2);
  });

  test("escapes quotes, backslashes and newlines in label values", () => {
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const text = new SimMetrics(['we"ird\\name']).render(
      gauges({ modelLoad: () => ({ running: 0, waiting: 0 }) }),
    );
    const running = parsePrometheusText(text).find((s) => s.name === "vllm:num_requests_running");
    expect(running?.labels.model_name).toBe('we"ird\\name');
  });
});

describe("parsePrometheusText()", () => {
  test.each([
    ["a sample before its TYPE", "x 1\n"],
    ["a bad value", "# TYPE x gauge\nx one\n"],
    ["an unquoted label", "# TYPE x gauge\nx{a=b} 1\n"],
    ["a missing final newline", "# TYPE x gauge\nx 1"],
    [
      "buckets that are not cumulative",
      '# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="+Inf"} 3\nh_count 3\nh_sum 1\n',
    ],
    [
      "a +Inf bucket that differs from _count",
      '# TYPE h histogram\nh_bucket{le="+Inf"} 3\nh_count 4\nh_sum 1\n',
    ],
  ])("rejects %s", (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow(SyntaxError);
  });
});
