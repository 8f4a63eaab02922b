// inference-perf's `summary_prometheus_metrics.json` / `stage_N_prometheus_metrics.json` body, key for
// key and in its order (reportgen's summarize_prometheus_metrics), from one window's server metrics.
// Every number is a Python float; a metric the server did not expose (or had no data for) is null,
// where inference-perf would write 0.0. Pure.
import type { MetricResult, ServerMetricValues, Value } from "../server-metrics/results.ts";
import { type PyFloat, pyFloat } from "./py-json.ts";

type Num = PyFloat | null;

const num = (value: Value | undefined): Num =>
  value === null || value === undefined ? null : pyFloat(value);

/** inference-perf's `_ratio`: hits / queries × 100, 0 when there were no queries. */
function ratio(hits: Value | undefined, queries: Value | undefined): Num {
  if (hits === null || hits === undefined || queries === null || queries === undefined) return null;
  return pyFloat(queries > 0 ? (hits / queries) * 100 : 0);
}

export function serverMetricsReport(values: ServerMetricValues): Record<string, unknown> {
  const get = (field: string): Partial<Record<string, Value>> => {
    const result: MetricResult | undefined = values[field];
    return (result ?? {}) as Partial<Record<string, Value>>;
  };
  const summary = (field: string) => {
    const r = get(field);
    return { mean: num(r.avg), median: num(r.median), p90: num(r.p90), p99: num(r.p99) };
  };
  const total = (field: string) => num(get(field).total);
  return {
    benchmark_time_seconds: pyFloat(0),
    // The server does not report failed requests.
    load_summary: {},
    successes: {
      count: total("requests"),
      rate: num(get("requests").per_second),
      prompt_len: { mean: num(get("prompt_tokens").avg), rate: num(get("prompt_tokens").per_second) },
      output_len: { mean: num(get("output_tokens").avg), rate: num(get("output_tokens").per_second) },
      queue_len: { mean: num(get("queue_length").avg) },
      request_latency: summary("request_latency"),
      time_to_first_token: summary("time_to_first_token"),
      time_per_output_token: summary("time_per_output_token"),
      kv_cache_usage_percentage: summary("kv_cache_usage"),
      num_requests_swapped: { mean: total("num_requests_swapped") },
      num_preemptions_total: { mean: total("num_preemptions_total") },
      prefix_cache_hit_percent: {
        mean: ratio(get("prefix_cache_hits").total, get("prefix_cache_queries").total),
      },
      inter_token_latency: summary("inter_token_latency"),
      num_requests_running: { mean: num(get("num_requests_running").avg) },
      request_queue_time: summary("request_queue_time"),
      request_inference_time: summary("request_inference_time"),
      request_prefill_time: summary("request_prefill_time"),
      request_decode_time: summary("request_decode_time"),
      request_prompt_tokens: summary("request_prompt_tokens"),
      request_generation_tokens: summary("request_generation_tokens"),
      request_max_num_generation_tokens: summary("request_max_num_generation_tokens"),
      request_params_n: summary("request_params_n"),
      request_params_max_tokens: summary("request_params_max_tokens"),
      request_success_count: total("request_success_count"),
      iteration_tokens: summary("iteration_tokens"),
      prompt_tokens_cached: total("prompt_tokens_cached"),
      prompt_tokens_recomputed: total("prompt_tokens_recomputed"),
      external_prefix_cache_hit_percent: {
        mean: ratio(get("external_prefix_cache_hits").total, get("external_prefix_cache_queries").total),
      },
      mm_cache_hit_percent: { mean: ratio(get("mm_cache_hits").total, get("mm_cache_queries").total) },
      corrupted_requests: total("corrupted_requests"),
      request_prefill_kv_computed_tokens: summary("request_prefill_kv_computed_tokens"),
      kv_block_idle_before_evict: summary("kv_block_idle_before_evict"),
      kv_block_lifetime: summary("kv_block_lifetime"),
      kv_block_reuse_gap: summary("kv_block_reuse_gap"),
    },
    failures: {},
  };
}
