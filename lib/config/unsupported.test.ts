import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { build, fixedFacts, oneStage } from "./facts.testing.ts";
import { loadConfig } from "./load.ts";
import { assertSupported, findUnsupported, unsupportedOptions } from "./unsupported.ts";

describe("assertSupported()", () => {
  test("a plain config passes", () => {
    expect(() =>
      assertSupported(build({ load: oneStage, data: { type: "synthetic" } }).config),
    ).not.toThrow();
  });

  test("lists every unsupported option at once, by path", () => {
    const { config } = build({
      data: {
        type: "random",
        use_chat_template: true,
        shared_prefix: { multimodal: { image: { count: { mean: 1 } } } },
      },
      load: oneStage,
    });
    let error: unknown;
    try {
      assertSupported(config);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe(
      "Cannot run this config: it uses 2 options that are not supported yet",
    );
    expect((error as { details: string[] }).details).toEqual([
      "data.use_chat_template: not supported yet",
      "data.shared_prefix.multimodal: not supported yet",
    ]);
  });

  test.each([
    [
      "data.shared_prefix.multimodal",
      { data: { type: "shared_prefix", shared_prefix: { multimodal: { image: { count: { mean: 1 } } } } } },
    ],
    ["data.use_chat_template", { data: { type: "random", use_chat_template: true } }],
    [
      "data.otel_trace_replay.filter",
      {
        data: {
          type: "otel_trace_replay",
          otel_trace_replay: { trace_files: ["t.json"], filter: "lambda x: True" },
        },
        load: { type: "trace_session_replay", stages: [{ concurrent_sessions: 1 }] },
      },
    ],
    [
      "data.otel_trace_replay.hf_dataset_path",
      {
        data: { type: "otel_trace_replay", otel_trace_replay: { hf_dataset_path: "org/traces" } },
        load: { type: "trace_session_replay", stages: [{ concurrent_sessions: 1 }] },
      },
    ],
  ])("%s is named when used", (path, raw) => {
    const lines = findUnsupported(build({ load: oneStage, ...raw }).config);
    expect(lines.some((line) => line.startsWith(`${path}:`))).toBe(true);
  });

  test("deleting a row lets the option through (how features get switched on)", () => {
    const { config } = build({ load: oneStage, data: { type: "random", use_chat_template: true } });
    const table = unsupportedOptions.filter((row) => row.path !== "data.use_chat_template");
    expect(() => assertSupported(config, table)).not.toThrow();
  });

  test("server-side metrics run: inference-perf's vLLM example (Prometheus) and the scrape source", async () => {
    for (const name of ["vllm-config-random.yaml", "metrics-scrape.yaml"]) {
      const { config } = await loadConfig({
        path: join(import.meta.dirname, "../../fixtures/configs/valid", name),
        ...fixedFacts,
      });
      expect(findUnsupported(config)).toEqual([]);
    }
  });

  test("every row is off for the default config", () => {
    expect(findUnsupported(build({ load: oneStage }).config)).toEqual([]);
  });
});
