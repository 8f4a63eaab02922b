// Which server metric feeds which report field, per server type: inference-perf's query sets for
// vLLM, SGLang and TGI (one metric name and kind per field), and the label filters every selector
// carries. Pure data plus two small functions.

/** How a metric is read: a counter's increase, a gauge's samples, a histogram's buckets. */
export type MetricKind = "counter" | "gauge" | "histogram";

export interface MetricSpec {
  /** The field of inference-perf's ModelServerMetrics it fills (`time_to_first_token`, …). */
  readonly field: string;
  readonly kind: MetricKind;
  /** The metric name as queried: a counter's bare family name (`_total` is tried too), a histogram's base. */
  readonly name: string;
}

export type ServerType = "vllm" | "sglang" | "tgi";

const c = (field: string, name: string): MetricSpec => ({ field, kind: "counter", name });
const g = (field: string, name: string): MetricSpec => ({ field, kind: "gauge", name });
const h = (field: string, name: string): MetricSpec => ({ field, kind: "histogram", name });

const vllm: readonly MetricSpec[] = [
  c("prompt_tokens", "vllm:prompt_tokens"),
  c("output_tokens", "vllm:generation_tokens"),
  c("requests", "vllm:request_success"),
  h("request_latency", "vllm:e2e_request_latency_seconds"),
  g("queue_length", "vllm:num_requests_waiting"),
  h("time_per_output_token", "vllm:request_time_per_output_token_seconds"),
  g("num_requests_running", "vllm:num_requests_running"),
  h("time_to_first_token", "vllm:time_to_first_token_seconds"),
  h("inter_token_latency", "vllm:inter_token_latency_seconds"),
  c("request_success_count", "vllm:request_success"),
  g("kv_cache_usage", "vllm:kv_cache_usage_perc"),
  c("num_preemptions_total", "vllm:num_preemptions"),
  c("prefix_cache_hits", "vllm:prefix_cache_hits"),
  c("prefix_cache_queries", "vllm:prefix_cache_queries"),
  h("request_queue_time", "vllm:request_queue_time_seconds"),
  h("request_inference_time", "vllm:request_inference_time_seconds"),
  h("request_prefill_time", "vllm:request_prefill_time_seconds"),
  h("request_decode_time", "vllm:request_decode_time_seconds"),
  h("request_prompt_tokens", "vllm:request_prompt_tokens"),
  h("request_generation_tokens", "vllm:request_generation_tokens"),
  h("request_max_num_generation_tokens", "vllm:request_max_num_generation_tokens"),
  h("request_params_n", "vllm:request_params_n"),
  h("request_params_max_tokens", "vllm:request_params_max_tokens"),
  h("iteration_tokens", "vllm:iteration_tokens_total"),
  c("prompt_tokens_cached", "vllm:prompt_tokens_cached"),
  c("prompt_tokens_recomputed", "vllm:prompt_tokens_recomputed"),
  c("external_prefix_cache_hits", "vllm:external_prefix_cache_hits"),
  c("external_prefix_cache_queries", "vllm:external_prefix_cache_queries"),
  c("mm_cache_hits", "vllm:mm_cache_hits"),
  c("mm_cache_queries", "vllm:mm_cache_queries"),
  // Exposed only when vLLM runs with VLLM_COMPUTE_NANS_IN_LOGITS=1.
  c("corrupted_requests", "vllm:corrupted_requests"),
  h("request_prefill_kv_computed_tokens", "vllm:request_prefill_kv_computed_tokens"),
  // kv_block_* are exposed only when vLLM runs with --kv-cache-metrics.
  h("kv_block_idle_before_evict", "vllm:kv_block_idle_before_evict_seconds"),
  h("kv_block_lifetime", "vllm:kv_block_lifetime_seconds"),
  h("kv_block_reuse_gap", "vllm:kv_block_reuse_gap_seconds"),
];

const sglang: readonly MetricSpec[] = [
  c("prompt_tokens", "sglang:prompt_tokens_total"),
  c("output_tokens", "sglang:generation_tokens_total"),
  c("requests", "sglang:e2e_request_latency_seconds_count"),
  h("request_latency", "sglang:e2e_request_latency_seconds"),
  g("queue_length", "sglang:num_queue_reqs"),
  h("time_per_output_token", "sglang:time_per_output_token_seconds"),
  h("time_to_first_token", "sglang:time_to_first_token_seconds"),
  h("inter_token_latency", "sglang:inter_token_latency_seconds"),
  g("kv_cache_usage", "sglang:token_usage"),
];

// TGI exposes token counts as per-request histograms, not counters.
const tgi: readonly MetricSpec[] = [
  h("prompt_tokens", "tgi_request_input_length"),
  h("output_tokens", "tgi_request_generated_tokens"),
  c("requests", "tgi_request_success"),
  h("request_latency", "tgi_request_duration"),
  g("queue_length", "tgi_queue_size"),
  h("time_per_output_token", "tgi_request_mean_time_per_token_duration"),
];

export const metricCatalog: Readonly<Record<ServerType, readonly MetricSpec[]>> = { vllm, sglang, tgi };

/** A PromQL single-quoted string: backslash and quote escaped (inference-perf leaves them raw). */
export function promQuote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * The label matchers every selector carries, as inference-perf builds them: vLLM and SGLang filter on
 * `model_name`, TGI (whose metrics have no model label) only on the user's filters. The model is the
 * one requests carry (inference-perf uses server.model_name even when it is unset, and matches nothing).
 */
export function metricFilters(type: ServerType, model: string, userFilters: readonly string[]): string[] {
  return type === "tgi" ? [...userFilters] : [`model_name=${promQuote(model)}`, ...userFilters];
}

/** The catalog for a config's server.type; `mock` (no server metrics) reads as vLLM, our simulator's dialect. */
export function catalogFor(serverType: string): { type: ServerType; specs: readonly MetricSpec[] } {
  const type: ServerType = serverType === "sglang" || serverType === "tgi" ? serverType : "vllm";
  return { type, specs: metricCatalog[type] };
}
