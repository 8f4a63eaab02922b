// Every example config of inference-perf's repository that inferload keeps a copy of (unchanged, in
// fixtures/inference-perf-examples/, README there) goes through `inferload validate` and `inferload run`
// against the built-in simulator. Only what cannot work offline is changed (server URL, Hugging Face
// tokenizers and datasets, Prometheus, trace and dataset files) and every stage is made tiny; the
// table below lists each example's own changes with the reason, and the examples inferload refuses
// with the problem it reports. docs/config.md quotes the count this test measures.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { parseYAML } from "confbox";
import { globSync } from "tinyglobby";
import { cacheDataset } from "../lib/data/hub.testing.ts";
import { trace } from "../lib/data/replay/trace.testing.ts";
import { visionArenaParquet } from "../lib/data/visionarena.testing.ts";
import { encodeSolidImage } from "../lib/media/image.ts";
import { readReport, withSim } from "../lib/run/benchmark.testing.ts";
import type { StartSimInput } from "../lib/sim/start.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";
import { captureOutput, captureStderr, setEnvForTests } from "./run-config.testing.ts";

const root = join(import.meta.dir, "..");
const copies = join(root, "fixtures/inference-perf-examples");
const tokenizer = join(root, "fixtures/data/tokenizer.json");
const sharegpt = join(root, "fixtures/data/sharegpt-sample.json");

interface Example {
  /** The file's path in inference-perf's repository. */
  upstream: string;
  /** Where the copy lives when another test's folder already holds it (else copies/<upstream>). */
  copy?: string;
  /** This example's own --set overrides, beyond the common ones (commonOverrides); each says why. */
  set?: (f: Files) => string[];
  /** Simulator options beyond the served model name. */
  sim?: StartSimInput;
  /** The problem inferload reports for it (validate and run exit 2): upstream features it lacks. */
  refused?: string;
  /** More to check in its reports. */
  check?: (summary: Json) => void;
}

/** Files the test writes before the table is used: small stand-ins for traces and datasets. */
interface Files {
  /** Six short traces (a folder of them stands in for a corpus; one or two for named files). */
  traces: string[];
  traceDir: string;
}

// biome-ignore lint/suspicious/noExplicitAny: configs and reports are read as the loose JSON they are
type Json = Record<string, any>;

const json = (value: unknown) => JSON.stringify(value);

const examples: Example[] = [
  { upstream: "config.yml", set: () => [`data.path=${sharegpt}`] }, // ShareGPT is downloaded from the hub upstream
  { upstream: "config-weka.yaml", copy: "fixtures/configs/upstream/config-weka.yaml" }, // dataset: the hub cache below
  {
    upstream: "examples/embeddings/config.yml",
    refused: 'api.type: expected one of "completion", "chat", "anthropic_messages", got "embeddings"',
  },
  {
    upstream: "examples/rerank/config.yml",
    refused: 'api.type: expected one of "completion", "chat", "anthropic_messages", got "rerank"',
  },
  { upstream: "examples/multimodal/image.yaml", copy: "fixtures/configs/examples/multimodal/image.yaml" },
  { upstream: "examples/multimodal/mixed.yaml", copy: "fixtures/configs/examples/multimodal/mixed.yaml" },
  {
    upstream: "examples/multimodal/shared_prefix.yaml",
    copy: "fixtures/configs/examples/multimodal/shared_prefix.yaml",
  },
  {
    upstream: "examples/multimodal/video_mp4.yaml",
    copy: "fixtures/configs/examples/multimodal/video_mp4.yaml",
  },
  // Its rows come from the Hugging Face cache below (lmarena-ai/VisionArena-Chat).
  {
    upstream: "examples/multimodal/visionarena.yaml",
    copy: "fixtures/configs/examples/multimodal/visionarena.yaml",
  },
  { upstream: "examples/multimodal/mmmu.yaml", refused: 'data.type: expected one of "mock"' },
  { upstream: "examples/multimodal/sharegpt4video.yaml", refused: 'data.type: expected one of "mock"' },
  // The OTel examples name trace files of upstream's repository: two small traces stand in.
  {
    upstream: "examples/otel/configs/advanced/graph-replay.yml",
    set: (f) => [`data.otel_trace_replay.trace_directory=${f.traceDir}`],
  },
  {
    upstream: "examples/otel/configs/advanced/multi-stage.yml",
    set: (f) => [`data.otel_trace_replay.trace_files=${json(f.traces.slice(0, 2))}`],
  },
  { upstream: "examples/otel/configs/external/exgentic-load-1.yml" }, // dataset: the hub cache below
  {
    upstream: "examples/otel/configs/external/synthetic_conversations.yml",
    // Its trace_directory is a placeholder to fill in (<PATH_TO_OTEL_TRACES>).
    set: (f) => [`data.otel_trace_replay.trace_directory=${f.traceDir}`],
  },
  ...[
    "code_review_workflow",
    "customer_support_escalation",
    "exgentic_tau2_caude_code",
    "multi_agent_research",
    "parallel_requests",
    "prefix_sharing_example",
    "simple_chain",
    "simple_chain_alt",
    "software_architecture_review",
  ].map((name) => ({
    upstream: `examples/otel/configs/per_case_config/${name}.yml`,
    set: (f: Files) => [`data.otel_trace_replay.trace_files=${json(f.traces.slice(0, 1))}`],
  })),
  {
    upstream: "examples/otel/configs/per_case_config/fan_in_dependencies.yml",
    copy: "fixtures/configs/upstream/fan_in_dependencies.yml",
    set: (f) => [`data.otel_trace_replay.trace_files=${json(f.traces.slice(0, 1))}`],
  },
  { upstream: "examples/otel/configs/simple/hf_dataset_example.yml" }, // dataset: the hub cache below
  {
    upstream: "examples/otel/configs/simple/two-sessions-sequential.yml",
    set: (f) => [`data.otel_trace_replay.trace_files=${json(f.traces.slice(0, 2))}`],
  },
  {
    upstream: "examples/otel/configs/synthetic/bench-conversation-replay.yaml",
    // A template: its trace directory, endpoint and key are placeholders to fill in (the model name
    // __MODEL__ is kept: the simulator serves it).
    set: (f) => [`data.otel_trace_replay.trace_directory=${f.traceDir}`, "server.api_key=example-key"],
  },
  ...["random", "shared-prefix", "synthetic"].flatMap((name) =>
    ["sglang", "tgi", "vllm"].map((server) => ({ upstream: `examples/${server}/config-${name}.yml` })),
  ),
  {
    upstream: "examples/structured-output/config.yml",
    check: (summary) =>
      expect(summary.structured_output).toEqual({ checked: summary.successes.count, invalid_json: 0 }),
    // The file only shows response_format commented out; its README sets it in the config like this.
    set: () => [
      `api.response_format=${json({
        type: "json_schema",
        name: "my_schema",
        json_schema: {
          type: "object",
          properties: { name: { type: "string" }, age: { type: "integer" } },
          required: ["name", "age"],
        },
      })}`,
    ],
  },
  {
    upstream: "examples/synthetic_agentic/configs/single_agent_smoke.yml",
    refused: 'data.type: expected one of "mock"',
  },
  { upstream: "examples/vllm/config-circuitbreaker.yml", set: () => [`data.path=${sharegpt}`] }, // as config.yml
  {
    upstream: "examples/vllm/config-shared-prefix-distributions.yml",
    refused: "data.shared_prefix.question_len.distribution: unknown key",
  },
  {
    upstream: "examples/vllm/config-shared-prefix-multi-turn.yml",
    copy: "fixtures/configs/upstream/config-shared-prefix-multi-turn.yml",
  },
  {
    upstream: "examples/vllm/config-shared-prefix-tool-calls.yml",
    refused: "data.shared_prefix.num_tool_calls_per_turn: unknown key",
  },
  {
    upstream: "examples/vllm/config-sweep.yml",
    set: () => [
      `data.path=${sharegpt}`, // as config.yml
      // The sweep's own stages: a short probe and two 1 s stages instead of a 60 s probe and ten minutes.
      `load.sweep=${json({ type: "linear", num_requests: 20, timeout: 5, num_stages: 2, stage_duration: 1 })}`,
    ],
    // A slow server, so that the saturation rate (the ladder's top) stays a few requests per second.
    sim: { maxNumSeqs: 2, prefillMs: 100, itlMs: 2 },
  },
  { upstream: "workload-catalog/agentic-trace-replay/inference-perf.yaml" }, // dataset: the hub cache below
  {
    upstream: "workload-catalog/code-generation/inference-perf.yaml",
    // Two short conversations without tool pauses: as written a Worker builds 20 conversations of
    // ~540 turns of ~1,500 tokens and a system prompt of up to 990,000 tokens (about 19 M tokens of
    // exact-length text) before the first request, longer than the 60 s a Worker has to start; and
    // each turn is followed by a tool pause of 15 s on average.
    set: () => [
      "data.conversation_replay.num_conversations=2",
      `data.conversation_replay.dynamic_system_prompt_len=${json({ type: "lognormal", min: 100, max: 400, mean: 200, std_dev: 100 })}`,
      `data.conversation_replay.turns_per_conversation=${json({ type: "lognormal", min: 1, max: 6, mean: 3, std_dev: 2 })}`,
      `data.conversation_replay.tool_call_latency_sec=${json({ type: "fixed", mean: 0 })}`,
    ],
  },
  {
    upstream: "workload-catalog/reasoning/inference-perf.yaml",
    refused: 'data.conversation_replay.output_tokens_per_turn.type: expected one of "normal"',
  },
];

const dir = tempDirForTests("inferload-upstream-examples-");
let files: Files;
let deadPort: number;
const savedEnv = { ...process.env };

/** Short chains of two calls (the OTel examples' traces stand in), a few ms of think time apart. */
function smallTraces(): Json[] {
  const chain = (id: string) =>
    trace([
      {
        id: `${id}-1`,
        start: 0,
        end: 0.05,
        input: [["user", `Question ${id}?`]],
        output: "An answer.",
        completionTokens: 3,
      },
      {
        id: `${id}-2`,
        start: 0.06,
        end: 0.1,
        input: [
          ["user", `Question ${id}?`],
          ["assistant", "An answer."],
          ["user", "And then?"],
        ],
        completionTokens: 4,
      },
    ]);
  return ["a", "b", "c", "d", "e", "f"].map(chain);
}

/** The Hugging Face datasets the examples name, in the cache layout huggingface_hub leaves (offline). */
function buildHubCache(cache: string, traces: Json[]) {
  const otelRows = traces.map((t, i) => json({ ...t, session_id: `session-${i}` })).join("\n");
  for (const repo of ["lenadan/otel-test-snippet-jsonl", "Exgentic/agent-llm-traces-v2"])
    cacheDataset(cache, repo, { "data/train-00000-of-00001.jsonl": otelRows });
  const weka = JSON.parse(readFileSync(join(root, "fixtures/weka/small-trace.json"), "utf8")) as Json;
  weka.requests.at(-1).t = 0.2; // its recorded idle gap of 95 s shortened
  cacheDataset(cache, "semianalysisai/cc-traces-weka-with-subagents-060826-256k", {
    "traces.jsonl": ["a", "b"].map((id) => json({ ...weka, id })).join("\n"),
  });
  const image = encodeSolidImage(64, 48, [10, 20, 30], "png");
  const vision = [1, 2, 3].map((i) => ({
    conversation: [[{ role: "user", content: `What is in picture ${i}?` }]],
    images: [{ bytes: image, path: `${i}.png` }],
  }));
  cacheDataset(cache, "lmarena-ai/VisionArena-Chat", {
    "data/train-00000-of-00001.parquet": visionArenaParquet(vision),
  });
}

/** A port nothing listens on: bound, then closed (the Prometheus the examples name is not here). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const traceDir = join(dir, "traces");
  mkdirSync(traceDir);
  const traces = smallTraces();
  const paths = traces.map((t, i) => {
    const path = join(traceDir, `chain-${i}.json`);
    writeFileSync(path, json(t));
    return path;
  });
  files = { traces: paths, traceDir };
  buildHubCache(join(dir, "hf-cache"), traces);
  // HF_HUB_OFFLINE proves nothing is downloaded.
  setEnvForTests(savedEnv, { HF_HUB_CACHE: join(dir, "hf-cache"), HF_HUB_OFFLINE: "1" });
  deadPort = await closedPort();
});

afterAll(() => setEnvForTests(savedEnv));

const pathOf = (e: Example) => join(root, e.copy ?? join("fixtures/inference-perf-examples", e.upstream));
const readConfig = (e: Example) => parseYAML(readFileSync(pathOf(e), "utf8")) as Json;

/**
 * What every example needs to work offline, read from its config: the simulator's URL for the
 * server's, a local tokenizer.json for a Hugging Face tokenizer id, and a port nothing listens on
 * for Prometheus (run with --server-metrics-optional, it runs without server metrics).
 */
function commonOverrides(config: Json, url: string): string[] {
  const set = [`server.base_url=${url}`];
  if (config.tokenizer?.pretrained_model_name_or_path)
    set.push(`tokenizer.pretrained_model_name_or_path=${tokenizer}`);
  if (config.metrics?.prometheus) set.push(`metrics.prometheus.url=http://127.0.0.1:${deadPort}`);
  return set;
}

/**
 * Every stage made tiny, their number kept: 1 s at 4 req/s, 2 requests at most 2 at a time, or one
 * session (so that six traces cover every stage) at most 2 at a time; no pause between stages; at
 * most 2 Workers (each Worker and its builder take a few hundred ms of CPU to start on a loaded
 * 2-core machine: 20 take about 15 s).
 */
function shortStages(load: Json | undefined): string[] {
  const stages = load?.stages as Json[] | undefined;
  const tiny = stages?.map((s) => {
    if ("rate" in s) return { rate: 4, duration: 1 };
    if ("concurrency_level" in s)
      return { num_requests: 2, concurrency_level: Math.min(2, s.concurrency_level) };
    return {
      concurrent_sessions: Math.min(2, s.concurrent_sessions ?? 1),
      ...(s.num_sessions === undefined ? {} : { num_sessions: 1 }),
    };
  });
  return [
    ...(tiny === undefined ? [] : [`load.stages=${json(tiny)}`]),
    ...(load?.interval ? ["load.interval=0"] : []),
    ...(load?.num_workers > 2 ? ["load.num_workers=2"] : []),
  ];
}

const setArgs = (set: string[]) => set.flatMap((s) => ["--set", s]);

test("the table names every copy in fixtures/inference-perf-examples once", () => {
  const listed = examples.filter((e) => e.copy === undefined).map((e) => e.upstream);
  const onDisk = globSync("**/*.{yml,yaml}", { cwd: copies });
  expect(listed.sort()).toEqual([...onDisk].sort());
  expect(new Set(examples.map((e) => e.upstream)).size).toBe(examples.length);
});

test("docs/config.md and the README state the count this table measures", () => {
  const runs = examples.filter((e) => e.refused === undefined).length;
  expect(readFileSync(join(root, "docs/config.md"), "utf8")).toContain(
    `**${runs} of ${examples.length} validate and run**`,
  );
  expect(readFileSync(join(root, "README.md"), "utf8")).toContain(
    `${runs} of the ${examples.length} example configs`,
  );
});

describe.each(examples.filter((e) => e.refused !== undefined))("$upstream", (example) => {
  test(`is refused before any load: ${example.refused}`, async () => {
    const path = pathOf(example);
    expect(await captureStderr(() => runCli(["validate", "-c", path]), 2)).toContain(example.refused!);
    const out = join(dir, example.upstream.replaceAll("/", "_"));
    expect(
      await captureStderr(() => runCli(["run", "-c", path, "--quiet", "--output-dir", out]), 2),
    ).toContain(example.refused!);
    expect(existsSync(out)).toBe(false);
  });
});

describe.each(examples.filter((e) => e.refused === undefined))("$upstream", (example) => {
  test("validates and runs against the simulator, writing its reports", async () => {
    const config = readConfig(example);
    // The simulator serves the example's model name (a config without one asks it for its model).
    const model: string | undefined = config.server?.model_name;
    const simOptions = { prefillMs: 1, itlMs: 1, ...(model === undefined ? {} : { model }), ...example.sim };
    await withSim(simOptions, async (sim) => {
      const offline = [...commonOverrides(config, sim.url), ...(example.set?.(files) ?? [])];
      const path = pathOf(example);
      const validated = await captureOutput(process.stdout, () =>
        runCli(["validate", "-c", path, ...setArgs(offline)]),
      );
      expect(validated.result).toBe(0);
      const out = join(dir, example.upstream.replaceAll("/", "_"));
      const code = await runCli([
        "run",
        "-c",
        path,
        "--quiet",
        "--server-metrics-optional",
        "--output-dir",
        out,
        ...setArgs([...offline, ...shortStages(config.load)]),
      ]);
      expect(code).toBe(0);
      const summary = readReport(out, "summary_lifecycle_metrics.json");
      expect(summary.successes.count).toBeGreaterThan(0);
      expect(summary.failures.count).toBe(0);
      const lifecycle = config.report?.request_lifecycle ?? {};
      if (lifecycle.per_stage !== false)
        expect(existsSync(join(out, "stage_0_lifecycle_metrics.json"))).toBe(true);
      if (lifecycle.per_request)
        expect(existsSync(join(out, "per_request_lifecycle_metrics.json"))).toBe(true);
      if (config.load?.type === "trace_session_replay")
        expect(existsSync(join(out, "summary_session_lifecycle_metrics.json"))).toBe(true);
      example.check?.(summary);
    });
  }, 30_000);
});
