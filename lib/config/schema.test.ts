import { describe, expect, test } from "bun:test";
import { build, oneStage, problemsOf } from "./facts.testing.ts";

describe("defaults", () => {
  test("a minimal config gets every inference-perf default", () => {
    const { config } = build({ load: oneStage });
    expect(config.api).toMatchObject({ type: "completion", streaming: false, headers: null });
    expect(config.server).toBeNull();
    expect(config.data.type).toBe("mock");
    expect(config.load).toMatchObject({
      type: "constant",
      interval: 1,
      sweep: null,
      worker_max_concurrency: 100,
      worker_max_tcp_connections: 2500,
      circuit_breakers: [],
      request_timeout: null,
      max_response_bytes: 64 * 1024 * 1024,
      lora_traffic_split: null,
    });
    expect(config.report.request_lifecycle).toEqual({
      summary: true,
      per_stage: true,
      per_request: false,
      per_adapter: true,
      per_adapter_stage: false,
      percentiles: [0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9],
      use_server_output_tokens: false,
      max_error_messages: 100,
    });
    expect(config.report.prometheus).toEqual({ summary: true, per_stage: false });
    expect(config.storage.local_storage).toEqual({
      path: "reports-20260102-030405",
      report_file_prefix: null,
    });
    expect(config.metrics).toBeNull();
    expect(config.tokenizer).toBeNull();
    expect(config.circuit_breakers).toBeNull();
  });

  test("a distribution is filled with inference-perf's defaults", () => {
    const { config } = build({
      load: oneStage,
      data: { type: "synthetic", input_distribution: { mean: 100 } },
    });
    expect(config.data.input_distribution).toEqual({
      min: 10,
      max: 1024,
      mean: 100,
      std_dev: 200,
      total_count: null,
      type: "normal",
      variance: null,
      skew: 0,
    });
  });

  test("null sections take their defaults, as inference-perf's Optional[...] = X()", () => {
    const { config } = build({ load: oneStage, report: { prometheus: null }, storage: null });
    expect(config.report.prometheus.summary).toBe(true);
    expect(config.storage.local_storage.path).toBe("reports-20260102-030405");
  });

  test("shared_prefix accepts inference-perf's older field names", () => {
    const { config } = build({
      load: oneStage,
      data: {
        type: "shared_prefix",
        shared_prefix: { num_unique_system_prompts: 3, num_users_per_system_prompt: 7 },
      },
    });
    expect(config.data.shared_prefix).toMatchObject({
      num_groups: 3,
      num_prompts_per_group: 7,
      question_len: 50,
    });
  });
});

describe("stage rules", () => {
  test("concurrent stages need num_requests and concurrency_level", () => {
    expect(problemsOf({ load: { type: "concurrent", stages: [{ num_requests: 10 }] } })).toEqual([
      "load.stages[0].concurrency_level: expected an integer > 0 (required for concurrent stages), got nothing",
    ]);
  });

  test("concurrent stages refuse rate and duration", () => {
    const stage = { num_requests: 10, concurrency_level: 2, rate: 5, duration: 3 };
    expect(problemsOf({ load: { type: "concurrent", stages: [stage] } })).toEqual([
      "load.stages[0].rate: expected no rate in a concurrent stage, got 5",
      "load.stages[0].duration: expected no duration in a concurrent stage, got 3",
    ]);
  });

  test.each(["constant", "poisson", "trace_replay"])("%s stages need rate > 0 and duration > 0", (type) => {
    const load = { type, trace: { file: "t.csv" }, stages: [{ rate: 0, duration: 5 }, { duration: 5 }] };
    expect(problemsOf({ load })).toEqual([
      "load.stages[0].rate: expected a number > 0, got 0",
      `load.stages[1].rate: expected a number > 0 (required for ${type} stages), got nothing`,
    ]);
  });

  test("rate-based stages refuse the concurrent fields", () => {
    const load = { stages: [{ rate: 1, duration: 5, num_requests: 3, concurrency_level: 2 }] };
    expect(problemsOf({ load })).toEqual([
      "load.stages[0].num_requests: expected no num_requests in a constant stage, got 3",
      "load.stages[0].concurrency_level: expected no concurrency_level in a constant stage, got 2",
    ]);
  });

  test("the problem from the issue reads as written there", () => {
    const load = {
      stages: [
        { rate: 1, duration: 5 },
        { rate: -5, duration: 5 },
      ],
    };
    expect(problemsOf({ load })).toEqual(["load.stages[1].rate: expected a number > 0, got -5"]);
  });

  test("stages are required unless a sweep is configured", () => {
    expect(problemsOf({ load: {} })).toEqual([
      "load.stages: expected at least one stage, or a load.sweep, got an empty list",
    ]);
    expect(problemsOf({ load: { sweep: { type: "linear" } } })).toEqual([]);
  });
});

describe("sweep, trace and LoRA rules", () => {
  test.each(["concurrent", "trace_session_replay", "trace_replay"])("sweep is refused with %s", (type) => {
    expect(problemsOf({ load: { type, sweep: { type: "geometric" } } })).toContain(
      `load.sweep: expected no sweep with load.type "${type}", got an object`,
    );
  });

  test("trace_replay needs load.trace", () => {
    expect(problemsOf({ load: { type: "trace_replay", ...oneStage } })).toEqual([
      'load.trace: expected a trace ({file, format}) for load.type "trace_replay", got null',
    ]);
  });

  test("LoRA splits must sum to 1.0 within the stated tolerance", () => {
    const split = (parts: number[]) => ({
      load: { ...oneStage, lora_traffic_split: parts.map((s, i) => ({ name: `a${i}`, split: s })) },
    });
    // 0.1 + 0.2 + 0.7 is 0.9999999999999999 in floats: inference-perf's `!=` refuses it, we accept it.
    expect(problemsOf(split([0.1, 0.2, 0.7]))).toEqual([]);
    expect(problemsOf(split([0.33, 0.33, 0.34]))).toEqual([]);
    expect(problemsOf(split([0.5, 0.4999]))).toEqual([
      "load.lora_traffic_split: expected splits summing to 1.0 (within 0.000001), got a sum of 0.9999",
    ]);
  });

  test("LoRA names must be unique and non-empty", () => {
    const load = {
      ...oneStage,
      lora_traffic_split: [
        { name: "a", split: 0.5 },
        { name: "a", split: 0.25 },
        { name: "", split: 0.25 },
      ],
    };
    expect(problemsOf({ load })).toEqual([
      'load.lora_traffic_split[2].name: expected a non-empty string, got ""',
      'load.lora_traffic_split[1].name: expected a name not used above, got "a"',
    ]);
  });
});

describe("distribution rules", () => {
  const withInput = (d: object) => ({ load: oneStage, data: { type: "synthetic", input_distribution: d } });

  test("min above max is refused", () => {
    expect(problemsOf(withInput({ min: 10, max: 5 }))).toEqual([
      "data.input_distribution.max: expected an integer >= min (10), got 5",
    ]);
  });

  test("variance needs std_dev 0, and may not be negative", () => {
    expect(problemsOf(withInput({ variance: 4 }))).toEqual([
      "data.input_distribution.variance: expected no variance while std_dev > 0 (set std_dev: 0), got 4",
    ]);
    expect(problemsOf(withInput({ variance: 4, std_dev: 0 }))).toEqual([]);
    expect(problemsOf(withInput({ variance: -1, std_dev: 0 }))).toEqual([
      "data.input_distribution.variance: expected a number >= 0, got -1",
    ]);
  });

  test("a negative std_dev and an unknown type are refused", () => {
    expect(problemsOf(withInput({ std_dev: -2, type: "gamma" }))).toEqual([
      "data.input_distribution.std_dev: expected a number >= 0, got -2",
      'data.input_distribution.type: expected one of "normal", "skew_normal", "lognormal", "uniform", "poisson", "fixed", got "gamma"',
    ]);
  });
});

describe("unknown keys and other rules", () => {
  test("an unknown key gets a did-you-mean from the keys of its own section", () => {
    expect(problemsOf({ load: { ...oneStage, worker_max_concurency: 5 }, reprot: {} })).toEqual([
      'load.worker_max_concurency: unknown key, did you mean "worker_max_concurrency"?',
      'reprot: unknown key, did you mean "report"?',
    ]);
  });

  test("unknown keys inside list items and distributions are found too", () => {
    expect(
      problemsOf({ load: { stages: [{ rate: 1, duraton: 5 }] }, data: { input_distribution: { meen: 3 } } }),
    ).toEqual([
      'data.input_distribution.meen: unknown key, did you mean "mean"?',
      'load.stages[0].duraton: unknown key, did you mean "duration"?',
    ]);
  });

  test("a mistake inside an inline distribution is reported on its own field", () => {
    const data = {
      type: "shared_prefix",
      shared_prefix: { question_len: { meen: 3 }, output_len: { min: 9, max: 1 } },
    };
    expect(problemsOf({ load: oneStage, data })).toEqual([
      'data.shared_prefix.question_len.meen: unknown key, did you mean "mean"?',
      "data.shared_prefix.output_len.max: expected an integer >= min (9), got 1",
    ]);
  });

  test("use_chat_template is only for random data", () => {
    expect(problemsOf({ load: oneStage, data: { type: "mock", use_chat_template: true } })).toEqual([
      'data.use_chat_template: expected false unless data.type is "random", got true',
    ]);
  });

  test("a server, when given, needs a base_url", () => {
    expect(problemsOf({ load: oneStage, server: { type: "vllm" } })).toEqual([
      "server.base_url: expected a non-empty string (required), got nothing",
    ]);
  });

  test("report.goodput.percentile takes the spellings of inference-perf's config-weka.yaml and nothing else", () => {
    const goodput = (percentile: unknown) => ({
      load: oneStage,
      report: { goodput: { constraints: { ttft: 0.3 }, percentile } },
    });
    expect(build(goodput("p90")).config.report.goodput?.percentile).toBe("p90");
    expect(build(goodput(99.9)).config.report.goodput?.percentile).toBe(99.9);
    for (const bad of ["90", "p0", "p100", "median", 100]) {
      expect(problemsOf(goodput(bad))).toEqual([
        `report.goodput.percentile: expected a percentile such as "p90" or a number > 0 and < 100, got ${JSON.stringify(bad)}`,
      ]);
    }
  });

  test("every problem is listed at once, across sections", () => {
    const lines = problemsOf({
      api: { streaming: "yes" },
      load: { stages: [{ rate: -1, duration: 1 }], lora_traffic_split: [{ name: "x", split: 0.5 }] },
      report: { request_lifecycle: { percentiles: [101] } },
    });
    expect(lines).toHaveLength(4);
  });
});

describe("metrics rules", () => {
  test("metrics.type scrape needs no section; its section's defaults are 1 s and no extra targets", () => {
    expect(build({ load: oneStage, metrics: { type: "scrape" } }).config.metrics).toEqual({
      type: "scrape",
      prometheus: null,
      scrape: null,
    });
    expect(build({ load: oneStage, metrics: { type: "scrape", scrape: {} } }).config.metrics?.scrape).toEqual(
      {
        url: null,
        interval: 1,
        targets: [],
        filters: [],
      },
    );
  });

  test("prometheus needs its section, scrape its type, and targets are URLs", () => {
    expect(problemsOf({ load: oneStage, metrics: { type: "prometheus" } })).toEqual([
      'metrics.prometheus: expected a prometheus section (url or google_managed: true) with type "prometheus", got null',
    ]);
    expect(
      problemsOf({ load: oneStage, metrics: { type: "default", scrape: { targets: ["nope"] } } }),
    ).toEqual([
      'metrics.scrape.targets[0]: expected a URL, got "nope"',
      'metrics.scrape: expected no scrape section unless type is "scrape", got an object',
    ]);
  });
});
