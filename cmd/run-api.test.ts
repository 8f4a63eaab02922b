// End-to-end: the real `inferload run` against the built-in simulator for Anthropic's Messages API,
// structured output (api.response_format) and per-request SLO headers; asserts on what the simulator
// saw and on the report files.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  randomData,
  readReport as read,
  simConfig,
  simForTests,
  writeConfigFile,
} from "../lib/run/benchmark.testing.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";

const dir = tempDirForTests("inferload-run-api-");
const sim = simForTests({ prefillMs: 2, itlMs: 1, truthLogPath: null });

function writeConfig(api: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return writeConfigFile(
    dir,
    simConfig(sim().url, {
      api,
      server: { api_key: "sk-test" },
      data: randomData(20, 12),
      load: { base_seed: 3, stages: [{ rate: 20, duration: 1 }] },
      ...extra,
    }),
  );
}

describe("inferload run", () => {
  test("benchmarks the Messages API streamed: TTFT from its events, usage from message_start and message_delta", async () => {
    const out = join(dir, "messages");
    const before = sim().stats().requestsByModel["sim-model"] ?? 0;
    const config = writeConfig({ type: "anthropic_messages", streaming: true });
    expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
    const stage = read(out, "stage_0_lifecycle_metrics.json");
    expect(stage.successes.count).toBe(20);
    expect(stage.failures.count).toBe(0);
    expect(stage.successes.latency.time_to_first_token.mean).toBeGreaterThan(0);
    // The simulator stops at max_tokens (12) or earlier (no ignore_eos in a Messages body); the usage it
    // reported is what the report counts.
    expect(stage.successes.output_tokens.max).toBeLessThanOrEqual(12);
    expect(stage.token_source).toEqual({ prompt: "server", output: "server" });
    expect((sim().stats().requestsByModel["sim-model"] ?? 0) - before).toBe(20);
  }, 30_000);

  test("benchmarks the Messages API unary", async () => {
    const out = join(dir, "messages-unary");
    const config = writeConfig({ type: "anthropic_messages", streaming: false });
    expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
    expect(read(out, "summary_lifecycle_metrics.json").successes.count).toBe(20);
  }, 30_000);

  test("counts structured-output responses that do not parse, and writes each request's SLO targets", async () => {
    const out = join(dir, "structured");
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, n: { type: "integer" } },
      required: ["city", "n"],
    };
    const config = writeConfig(
      {
        type: "chat",
        streaming: true,
        response_format: { type: "json_schema", name: "place", json_schema: schema },
        headers: { "x-slo-ttft-ms": "250", "x-slo-tpot-ms": "20" },
      },
      {
        // The document needs 15 tokens (`{"city": "w", "n": 5}` in pieces): shorter answers are cut.
        data: randomData(20, { min: 3, max: 40, mean: 20, std_dev: 100 }),
        report: { request_lifecycle: { per_request: true } },
      },
    );
    expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
    const summary = read(out, "summary_lifecycle_metrics.json");
    expect(summary.successes.count).toBe(20);
    const perRequest = read(out, "per_request_lifecycle_metrics.json") as {
      info: { output_json: string; output_tokens: number };
      ttft_slo_sec: number;
      tpot_slo_sec: number;
    }[];
    const invalid = perRequest.filter((r) => r.info.output_json === "invalid");
    expect(summary.structured_output).toEqual({ checked: 20, invalid_json: invalid.length });
    expect(invalid.length).toBeGreaterThan(0);
    expect(invalid.length).toBeLessThan(20);
    // The simulator's document needs more than 3 tokens: every short answer is a cut document.
    for (const r of perRequest)
      expect(r.info.output_json).toBe(r.info.output_tokens <= 3 ? "invalid" : r.info.output_json);
    for (const r of perRequest) {
      expect(r.ttft_slo_sec).toBeCloseTo(0.25, 9);
      expect(r.tpot_slo_sec).toBeCloseTo(0.02, 9);
    }
  }, 30_000);
});
