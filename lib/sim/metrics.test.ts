import { describe, expect, test } from "bun:test";
import { parsePrometheusText } from "./_prom-check.ts";
import { buckets125, escapeLabel, type GaugeSource, SimMetrics } from "./metrics.ts";

const gauges = (over: Partial<GaugeSource> = {}): GaugeSource => ({
  running: 3,
  waiting: 1,
  modelLoad: (m) => (m === "base" ? { running: 2, waiting: 1 } : { running: 1, waiting: 0 }),
  kvUsage: 0.25,
  maxConcurrent: 3,
  httpInFlight: 3,
  maxLoras: 1,
  faults: { "429": 2, cut: 1 },
  ...over,
});

/** One request through a series: 12 prompt tokens, 3 output tokens, finished by length. */
function serve(metrics: SimMetrics, model: string): void {
  metrics.received(model);
  const s = metrics.series(model);
  s.firstToken(0.05, 12);
  s.token(null);
  s.token(0.02);
  s.token(0.02);
  s.finished("length", {
    e2eS: 0.09,
    queueS: 0.01,
    prefillS: 0.04,
    decodeS: 0.04,
    promptTokens: 12,
    generationTokens: 3,
    maxTokens: 3,
  });
}

function reader(samples: ReturnType<typeof parsePrometheusText>) {
  return (name: string, labels: Record<string, string> = {}) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      ?.value;
}

describe("SimMetrics", () => {
  test("vLLM style: one engine series under the base model's name, LoRA requests counted there too", () => {
    const metrics = new SimMetrics(["base", "ada/pter"]);
    serve(metrics, "base");
    serve(metrics, "ada/pter");
    metrics.received("ada/pter");
    metrics.series("ada/pter").aborted();
    const samples = parsePrometheusText(metrics.render(gauges()));
    const value = reader(samples);
    const base = { model_name: "base", engine: "0" };
    expect(value("vllm:num_requests_running", base)).toBe(3);
    expect(value("vllm:num_requests_waiting", base)).toBe(1);
    expect(samples.some((s) => s.name.startsWith("vllm:") && s.labels.model_name === "ada/pter")).toBe(false);
    expect(value("vllm:prompt_tokens_total", base)).toBe(24);
    expect(value("vllm:generation_tokens_total", base)).toBe(6);
    expect(value("vllm:request_success_total", { ...base, finished_reason: "length" })).toBe(2);
    expect(value("vllm:request_success_total", { ...base, finished_reason: "abort" })).toBe(1);
    expect(value("vllm:num_preemptions_total", base)).toBe(0);
    expect(value("vllm:time_to_first_token_seconds_bucket", { ...base, le: "0.04" })).toBe(0);
    expect(value("vllm:time_to_first_token_seconds_bucket", { ...base, le: "0.06" })).toBe(2);
    expect(value("vllm:inter_token_latency_seconds_count", base)).toBe(4);
    expect(value("vllm:inter_token_latency_seconds_sum", base)).toBeCloseTo(0.08);
    // Per-request TPOT: decode time over the gaps between 3 tokens.
    expect(value("vllm:request_time_per_output_token_seconds_sum", base)).toBeCloseTo(0.04);
    expect(value("vllm:request_queue_time_seconds_sum", base)).toBeCloseTo(0.02);
    expect(value("vllm:request_prefill_time_seconds_sum", base)).toBeCloseTo(0.08);
    expect(value("vllm:request_decode_time_seconds_sum", base)).toBeCloseTo(0.08);
    expect(value("vllm:request_inference_time_seconds_sum", base)).toBeCloseTo(0.16);
    expect(value("vllm:e2e_request_latency_seconds_count", base)).toBe(2);
    expect(value("vllm:request_prompt_tokens_bucket", { ...base, le: "10" })).toBe(0);
    expect(value("vllm:request_prompt_tokens_bucket", { ...base, le: "20" })).toBe(2);
    expect(value("vllm:request_params_max_tokens_sum", base)).toBe(6);
    expect(value("vllm:kv_cache_usage_perc", base)).toBe(0.25);
    expect(value("vllm:lora_requests_info", { running_lora_adapters: "ada/pter", max_lora: "1" })).toBe(1);
    expect(value("inferload_sim_requests_total", { model_name: "ada/pter" })).toBe(2);
    expect(value("inferload_sim_faults_total", { kind: "429" })).toBe(2);
  });

  test("SGLang style: SGLang's family names, the same numbers", () => {
    const metrics = new SimMetrics(["m"], { style: "sglang" });
    serve(metrics, "m");
    const value = reader(parsePrometheusText(metrics.render(gauges())));
    expect(value("sglang:prompt_tokens_total", { model_name: "m" })).toBe(12);
    expect(value("sglang:generation_tokens_total", { model_name: "m" })).toBe(3);
    expect(value("sglang:e2e_request_latency_seconds_count", { model_name: "m" })).toBe(1);
    expect(value("sglang:num_queue_reqs", { model_name: "m" })).toBe(1);
    expect(value("sglang:token_usage", { model_name: "m" })).toBe(0.25);
    expect(value("vllm:prompt_tokens_total")).toBeUndefined();
  });

  test("TGI style: TGI's names, counters without _total, no model label", () => {
    const metrics = new SimMetrics(["m"], { style: "tgi" });
    serve(metrics, "m");
    const samples = parsePrometheusText(metrics.render(gauges()));
    const value = reader(samples);
    expect(value("tgi_request_success")).toBe(1);
    expect(value("tgi_request_input_length_sum")).toBe(12);
    expect(value("tgi_request_generated_tokens_sum")).toBe(3);
    expect(value("tgi_queue_size")).toBe(1);
    expect(
      samples.filter((s) => s.name.startsWith("tgi_")).every((s) => s.labels.model_name === undefined),
    ).toBe(true);
  });

  test("buckets125() follows vLLM's 1-2-5 series up to the limit", () => {
    expect(buckets125(1000)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
    expect(buckets125(4)).toEqual([1, 2]);
  });

  test("escapes quotes, backslashes and newlines in label values", () => {
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const text = new SimMetrics(['we"ird\\name']).render(gauges());
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
