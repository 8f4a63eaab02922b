// The simulator's Prometheus metrics, as a vLLM (V1) engine exposes them: one series per family,
// labelled with the served model name (the base model: requests to a LoRA adapter count there too,
// and the adapters show in vllm:lora_requests_info) and `engine="0"`; counters, gauges and histograms
// with vLLM's names, types and buckets. `metricsStyle` renders the same accumulators with SGLang's or
// TGI's family names instead. A few inferload_sim_* families (per served name) serve tests.
// Accumulators only: observing is a few array writes; render() builds the text format (0.0.4).
// Not exposed, because the simulator has no such mechanism: prefix-cache queries and hits,
// multimodal cache, iteration tokens, KV-block lifetimes. vllm:num_preemptions is exposed (always 0).

import type { MetricsStyle } from "./options.ts";

// vLLM's bucket boundaries (vllm/v1/metrics/loggers.py), in seconds.
const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
  80.0, 160.0, 640.0, 2560.0,
];
const ITL_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];
const REQUEST_LATENCY_BUCKETS = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0,
  960.0, 1920.0, 7680.0,
];

/** vLLM's build_1_2_5_buckets(max): 1, 2, 5, 10, 20, 50, … up to max. */
export function buckets125(max: number): number[] {
  const out: number[] = [];
  for (let exponent = 1; ; exponent *= 10) {
    for (const m of [1, 2, 5]) {
      if (m * exponent > max) return out;
      out.push(m * exponent);
    }
  }
}

class Histogram {
  readonly bounds: readonly number[];
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }
}

/** Everything one finished request tells the engine's histograms (seconds, tokens). */
export interface FinishedRequest {
  e2eS: number;
  /** Waiting for a slot. */
  queueS: number;
  /** Slot to first token. */
  prefillS: number;
  /** First to last token. */
  decodeS: number;
  promptTokens: number;
  generationTokens: number;
  maxTokens: number;
}

function engineSeries(maxModelLen: number) {
  const tokens = buckets125(maxModelLen);
  return {
    promptTokens: 0,
    generationTokens: 0,
    success: { stop: 0, length: 0, abort: 0 },
    ttft: new Histogram(TTFT_BUCKETS),
    itl: new Histogram(ITL_BUCKETS),
    tpot: new Histogram(ITL_BUCKETS),
    e2e: new Histogram(REQUEST_LATENCY_BUCKETS),
    queue: new Histogram(REQUEST_LATENCY_BUCKETS),
    prefill: new Histogram(REQUEST_LATENCY_BUCKETS),
    decode: new Histogram(REQUEST_LATENCY_BUCKETS),
    inference: new Histogram(REQUEST_LATENCY_BUCKETS),
    promptLen: new Histogram(tokens),
    generationLen: new Histogram(tokens),
    maxTokens: new Histogram(tokens),
    paramsN: new Histogram([1, 2, 5, 10, 20]),
  };
}
type Series = ReturnType<typeof engineSeries>;

/** The updates one request makes, in the order the engine makes them. */
export class RequestSeries {
  readonly #s: Series;
  constructor(series: Series) {
    this.#s = series;
  }
  firstToken(ttftS: number, promptTokens: number): void {
    this.#s.ttft.observe(ttftS);
    this.#s.promptTokens += promptTokens;
  }
  token(itlS: number | null): void {
    this.#s.generationTokens++;
    if (itlS !== null) this.#s.itl.observe(itlS);
  }
  /** A request that ran to its end ("stop" or "length"). */
  finished(reason: "stop" | "length", r: FinishedRequest): void {
    const s = this.#s;
    s.success[reason]++;
    s.e2e.observe(r.e2eS);
    s.queue.observe(r.queueS);
    s.prefill.observe(r.prefillS);
    s.decode.observe(r.decodeS);
    s.inference.observe(r.prefillS + r.decodeS);
    if (r.generationTokens > 1) s.tpot.observe(r.decodeS / (r.generationTokens - 1));
    s.promptLen.observe(r.promptTokens);
    s.generationLen.observe(r.generationTokens);
    s.maxTokens.observe(r.maxTokens);
    s.paramsN.observe(1);
  }
  /** A request cut short (client gone, or a fault): vLLM counts it under finished_reason="abort". */
  aborted(): void {
    this.#s.success.abort++;
  }
}

export interface GaugeSource {
  /** Sequences decoding and waiting, all served names together. */
  readonly running: number;
  readonly waiting: number;
  modelLoad(model: string): { running: number; waiting: number };
  readonly kvUsage: number;
  readonly maxConcurrent: number;
  readonly httpInFlight: number;
  readonly maxLoras: number;
  readonly faults: Readonly<Record<string, number>>;
}

export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export class SimMetrics {
  readonly #models: readonly string[];
  readonly #style: MetricsStyle;
  readonly #series: Series;
  readonly #requests = new Map<string, number>();
  readonly #handle: RequestSeries;

  constructor(models: readonly string[], options: { style?: MetricsStyle; maxModelLen?: number } = {}) {
    this.#models = models;
    this.#style = options.style ?? "vllm";
    this.#series = engineSeries(options.maxModelLen ?? 32768);
    this.#handle = new RequestSeries(this.#series);
    for (const model of models) this.#requests.set(model, 0);
  }

  /** The engine's series; every served name (base or adapter) updates the same one, as in vLLM. */
  series(model: string): RequestSeries {
    if (!this.#requests.has(model)) throw new RangeError(`No metrics series for model "${model}"`);
    return this.#handle;
  }

  received(model: string): void {
    this.#requests.set(model, (this.#requests.get(model) ?? 0) + 1);
  }
  requestCount(model: string): number {
    return this.#requests.get(model) ?? 0;
  }

  render(gauges: GaugeSource): string {
    const out: string[] = [];
    const labels = this.#style === "tgi" ? "" : `model_name="${escapeLabel(this.#models[0] as string)}"`;
    const withLabels = (extra = "") => {
      const all = [extra, labels, this.#style === "vllm" ? 'engine="0"' : ""]
        .filter((x) => x !== "")
        .join(",");
      return all === "" ? "" : `{${all}}`;
    };
    const family = (name: string, type: string, help: string) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const single = (name: string, type: string, help: string, value: number) => {
      family(name, type, help);
      out.push(`${name}${withLabels()} ${value}`);
    };
    const histogram = (name: string, help: string, h: Histogram) => {
      family(name, "histogram", help);
      let cumulative = 0;
      for (let i = 0; i < h.bounds.length; i++) {
        cumulative += h.counts[i] as number;
        out.push(`${name}_bucket${withLabels(`le="${h.bounds[i]}"`)} ${cumulative}`);
      }
      out.push(`${name}_bucket${withLabels('le="+Inf"')} ${h.count}`);
      out.push(`${name}_count${withLabels()} ${h.count}`, `${name}_sum${withLabels()} ${h.sum}`);
    };
    const s = this.#series;
    if (this.#style === "vllm") this.#renderVllm(gauges, { family, single, histogram, withLabels, out });
    else if (this.#style === "sglang") {
      single("sglang:num_running_reqs", "gauge", "The number of running requests.", gauges.running);
      single(
        "sglang:num_queue_reqs",
        "gauge",
        "The number of requests in the waiting queue.",
        gauges.waiting,
      );
      single("sglang:token_usage", "gauge", "The token usage.", gauges.kvUsage);
      const finished = s.success.stop + s.success.length;
      single("sglang:num_requests_total", "counter", "Number of requests processed.", finished);
      single("sglang:prompt_tokens_total", "counter", "Number of prefill tokens processed.", s.promptTokens);
      single(
        "sglang:generation_tokens_total",
        "counter",
        "Number of generation tokens processed.",
        s.generationTokens,
      );
      histogram("sglang:time_to_first_token_seconds", "Histogram of time to first token in seconds.", s.ttft);
      histogram("sglang:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", s.itl);
      histogram(
        "sglang:time_per_output_token_seconds",
        "Histogram of time per output token in seconds.",
        s.tpot,
      );
      histogram(
        "sglang:e2e_request_latency_seconds",
        "Histogram of End-to-end request latency in seconds",
        s.e2e,
      );
      histogram("sglang:queue_time_seconds", "Histogram of queueing time in seconds.", s.queue);
    } else {
      single("tgi_queue_size", "gauge", "Current queue size", gauges.waiting);
      single("tgi_batch_current_size", "gauge", "Current batch size", gauges.running);
      const finished = s.success.stop + s.success.length;
      single("tgi_request_count", "counter", "Total number of requests", finished + s.success.abort);
      single("tgi_request_success", "counter", "Number of successful requests", finished);
      histogram("tgi_request_duration", "Request duration", s.e2e);
      histogram("tgi_request_queue_duration", "Request queue duration", s.queue);
      histogram("tgi_request_inference_duration", "Request inference duration", s.inference);
      histogram("tgi_request_mean_time_per_token_duration", "Mean time per token per request", s.tpot);
      histogram("tgi_request_input_length", "Input token length per request", s.promptLen);
      histogram("tgi_request_generated_tokens", "Generated tokens per request", s.generationLen);
    }
    this.#renderSim(gauges, family, out);
    return `${out.join("\n")}\n`;
  }

  #renderVllm(
    gauges: GaugeSource,
    r: {
      family: (name: string, type: string, help: string) => void;
      single: (name: string, type: string, help: string, value: number) => void;
      histogram: (name: string, help: string, h: Histogram) => void;
      withLabels: (extra?: string) => string;
      out: string[];
    },
  ): void {
    const s = this.#series;
    const { single, histogram, family, withLabels, out } = r;
    single(
      "vllm:num_requests_running",
      "gauge",
      "Number of requests in model execution batches.",
      gauges.running,
    );
    single(
      "vllm:num_requests_waiting",
      "gauge",
      "Number of requests waiting to be processed.",
      gauges.waiting,
    );
    single("vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.", gauges.kvUsage);
    single(
      "vllm:gpu_cache_usage_perc",
      "gauge",
      "GPU KV-cache usage (pre-V1 name). 1 means 100 percent usage.",
      gauges.kvUsage,
    );
    family("vllm:lora_requests_info", "gauge", "Running stats on lora requests.");
    const adapters = this.#models.slice(1);
    const running = adapters.filter((m) => gauges.modelLoad(m).running > 0).join(",");
    const waiting = adapters.filter((m) => gauges.modelLoad(m).waiting > 0).join(",");
    out.push(
      `vllm:lora_requests_info{max_lora="${gauges.maxLoras}",running_lora_adapters="${escapeLabel(running)}",waiting_lora_adapters="${escapeLabel(waiting)}"} 1`,
    );
    single("vllm:num_preemptions_total", "counter", "Cumulative number of preemption from the engine.", 0);
    single("vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.", s.promptTokens);
    single(
      "vllm:generation_tokens_total",
      "counter",
      "Number of generation tokens processed.",
      s.generationTokens,
    );
    family("vllm:request_success_total", "counter", "Count of successfully processed requests.");
    for (const reason of ["stop", "length", "abort"] as const) {
      out.push(`vllm:request_success_total${withLabels(`finished_reason="${reason}"`)} ${s.success[reason]}`);
    }
    histogram("vllm:request_prompt_tokens", "Number of prefill tokens processed.", s.promptLen);
    histogram("vllm:request_generation_tokens", "Number of generation tokens processed.", s.generationLen);
    histogram(
      "vllm:request_max_num_generation_tokens",
      "Histogram of maximum number of requested generation tokens.",
      s.generationLen,
    );
    histogram("vllm:request_params_n", "Histogram of the n request parameter.", s.paramsN);
    histogram(
      "vllm:request_params_max_tokens",
      "Histogram of the max_tokens request parameter.",
      s.maxTokens,
    );
    histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", s.ttft);
    histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", s.itl);
    histogram(
      "vllm:time_per_output_token_seconds",
      "Histogram of time per output token in seconds (pre-V1 name).",
      s.itl,
    );
    histogram(
      "vllm:request_time_per_output_token_seconds",
      "Histogram of time_per_output_token_seconds per request.",
      s.tpot,
    );
    histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", s.e2e);
    histogram(
      "vllm:request_queue_time_seconds",
      "Histogram of time spent in WAITING phase for request.",
      s.queue,
    );
    histogram(
      "vllm:request_inference_time_seconds",
      "Histogram of time spent in RUNNING phase for request.",
      s.inference,
    );
    histogram(
      "vllm:request_prefill_time_seconds",
      "Histogram of time spent in PREFILL phase for request.",
      s.prefill,
    );
    histogram(
      "vllm:request_decode_time_seconds",
      "Histogram of time spent in DECODE phase for request.",
      s.decode,
    );
  }

  #renderSim(
    gauges: GaugeSource,
    family: (name: string, type: string, help: string) => void,
    out: string[],
  ): void {
    family(
      "inferload_sim_requests_total",
      "counter",
      "Requests received per served name (valid requests only).",
    );
    for (const m of this.#models)
      out.push(`inferload_sim_requests_total{model_name="${escapeLabel(m)}"} ${this.requestCount(m)}`);
    family("inferload_sim_faults_total", "counter", "Injected faults by kind.");
    for (const [kind, n] of Object.entries(gauges.faults))
      out.push(`inferload_sim_faults_total{kind="${escapeLabel(kind)}"} ${n}`);
    family("inferload_sim_max_concurrent_requests", "gauge", "Highest running plus waiting requests seen.");
    out.push(`inferload_sim_max_concurrent_requests ${gauges.maxConcurrent}`);
    family("inferload_sim_http_in_flight", "gauge", "HTTP requests currently open on the simulator.");
    out.push(`inferload_sim_http_in_flight ${gauges.httpInFlight}`);
  }
}
