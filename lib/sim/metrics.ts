// The simulator's Prometheus metrics, with vLLM's names and its `model_name` label, one series per
// served name (base model and each LoRA adapter), plus a few inferload_sim_* counters for tests.
// Accumulators only: observing is a few array writes; render() builds the text format (0.0.4).

// vLLM's bucket boundaries (vllm/engine/metrics.py), in seconds.
const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
  80.0, 160.0, 640.0, 2560.0,
];
const ITL_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];
const E2E_BUCKETS = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0,
  960.0, 1920.0, 7680.0,
];

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

function perModelSeries() {
  return {
    requests: 0,
    promptTokens: 0,
    generationTokens: 0,
    success: { length: 0, stop: 0, abort: 0 },
    ttft: new Histogram(TTFT_BUCKETS),
    itl: new Histogram(ITL_BUCKETS),
    e2e: new Histogram(E2E_BUCKETS),
    queue: new Histogram(E2E_BUCKETS),
  };
}
type Series = ReturnType<typeof perModelSeries>;

/** Updates of one request's served name (a handle on its series). */
export class ModelSeries {
  readonly #s: Series;
  constructor(series: Series) {
    this.#s = series;
  }
  firstToken(ttftS: number, queueS: number, promptTokens: number): void {
    this.#s.ttft.observe(ttftS);
    this.#s.queue.observe(queueS);
    this.#s.promptTokens += promptTokens;
  }
  token(itlS: number | null): void {
    this.#s.generationTokens++;
    if (itlS !== null) this.#s.itl.observe(itlS);
  }
  finished(e2eS: number, reason: "length" | "stop" | "abort"): void {
    this.#s.success[reason]++;
    if (reason !== "abort") this.#s.e2e.observe(e2eS);
  }
}

export interface GaugeSource {
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
  readonly #series = new Map<string, Series>();

  constructor(models: readonly string[]) {
    this.#models = models;
    for (const model of models) this.#series.set(model, perModelSeries());
  }

  /** The series of a served name; requests for unknown names never get this far (404). */
  #of(model: string): Series {
    const series = this.#series.get(model);
    if (series === undefined) throw new RangeError(`No metrics series for model "${model}"`);
    return series;
  }

  /** The series of one served name, for a request to update without a lookup per token. */
  series(model: string): ModelSeries {
    return new ModelSeries(this.#of(model));
  }

  received(model: string): void {
    this.#of(model).requests++;
  }
  requestCount(model: string): number {
    return this.#series.get(model)?.requests ?? 0;
  }
  firstToken(model: string, ttftS: number, queueS: number, promptTokens: number): void {
    this.series(model).firstToken(ttftS, queueS, promptTokens);
  }
  token(model: string, itlS: number | null): void {
    this.series(model).token(itlS);
  }
  finished(model: string, e2eS: number, reason: "length" | "stop" | "abort"): void {
    this.series(model).finished(e2eS, reason);
  }

  render(gauges: GaugeSource): string {
    const out: string[] = [];
    const models = this.#models;
    const label = (model: string) => `model_name="${escapeLabel(model)}"`;
    const family = (name: string, type: string, help: string) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const perModel = (name: string, type: string, help: string, value: (m: string) => number) => {
      family(name, type, help);
      for (const m of models) out.push(`${name}{${label(m)}} ${value(m)}`);
    };
    perModel(
      "vllm:num_requests_running",
      "gauge",
      "Number of requests in model execution batches.",
      (m) => gauges.modelLoad(m).running,
    );
    perModel(
      "vllm:num_requests_waiting",
      "gauge",
      "Number of requests waiting to be processed.",
      (m) => gauges.modelLoad(m).waiting,
    );
    const base = models[0] as string;
    family("vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.");
    out.push(`vllm:kv_cache_usage_perc{${label(base)}} ${gauges.kvUsage}`);
    family(
      "vllm:gpu_cache_usage_perc",
      "gauge",
      "GPU KV-cache usage (pre-V1 name). 1 means 100 percent usage.",
    );
    out.push(`vllm:gpu_cache_usage_perc{${label(base)}} ${gauges.kvUsage}`);
    family("vllm:lora_requests_info", "gauge", "Running stats on lora requests.");
    const adapters = models.slice(1);
    const running = adapters.filter((m) => gauges.modelLoad(m).running > 0).join(",");
    const waiting = adapters.filter((m) => gauges.modelLoad(m).waiting > 0).join(",");
    out.push(
      `vllm:lora_requests_info{max_lora="${gauges.maxLoras}",running_lora_adapters="${escapeLabel(running)}",waiting_lora_adapters="${escapeLabel(waiting)}"} 1`,
    );
    perModel(
      "vllm:prompt_tokens_total",
      "counter",
      "Number of prefill tokens processed.",
      (m) => this.#of(m).promptTokens,
    );
    perModel(
      "vllm:generation_tokens_total",
      "counter",
      "Number of generation tokens processed.",
      (m) => this.#of(m).generationTokens,
    );
    family("vllm:request_success_total", "counter", "Count of successfully processed requests.");
    for (const m of models) {
      for (const reason of ["length", "stop", "abort"] as const) {
        out.push(
          `vllm:request_success_total{finished_reason="${reason}",${label(m)}} ${this.#of(m).success[reason]}`,
        );
      }
    }
    const histogram = (name: string, help: string, pick: (s: Series) => Histogram) => {
      family(name, "histogram", help);
      for (const m of models) {
        const h = pick(this.#of(m));
        let cumulative = 0;
        for (let i = 0; i < h.bounds.length; i++) {
          cumulative += h.counts[i] as number;
          out.push(`${name}_bucket{le="${h.bounds[i]}",${label(m)}} ${cumulative}`);
        }
        out.push(`${name}_bucket{le="+Inf",${label(m)}} ${h.count}`);
        out.push(`${name}_count{${label(m)}} ${h.count}`, `${name}_sum{${label(m)}} ${h.sum}`);
      }
    };
    histogram(
      "vllm:time_to_first_token_seconds",
      "Histogram of time to first token in seconds.",
      (s) => s.ttft,
    );
    histogram(
      "vllm:inter_token_latency_seconds",
      "Histogram of inter-token latency in seconds.",
      (s) => s.itl,
    );
    histogram(
      "vllm:time_per_output_token_seconds",
      "Histogram of time per output token in seconds (pre-V1 name).",
      (s) => s.itl,
    );
    histogram(
      "vllm:e2e_request_latency_seconds",
      "Histogram of end to end request latency in seconds.",
      (s) => s.e2e,
    );
    histogram(
      "vllm:request_queue_time_seconds",
      "Histogram of time spent in WAITING phase for request.",
      (s) => s.queue,
    );
    perModel(
      "inferload_sim_requests_total",
      "counter",
      "Requests received per served name (valid requests only).",
      (m) => this.#of(m).requests,
    );
    family("inferload_sim_faults_total", "counter", "Injected faults by kind.");
    for (const [kind, n] of Object.entries(gauges.faults))
      out.push(`inferload_sim_faults_total{kind="${escapeLabel(kind)}"} ${n}`);
    family("inferload_sim_max_concurrent_requests", "gauge", "Highest running plus waiting requests seen.");
    out.push(`inferload_sim_max_concurrent_requests ${gauges.maxConcurrent}`);
    family("inferload_sim_http_in_flight", "gauge", "HTTP requests currently open on the simulator.");
    out.push(`inferload_sim_http_in_flight ${gauges.httpInFlight}`);
    return `${out.join("\n")}\n`;
  }
}
