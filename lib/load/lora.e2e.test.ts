// load.lora_traffic_split end to end: `runBenchmark` against the simulator with adapters loaded; the
// split the server saw (its /metrics) and the per-adapter report files.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runBenchmarkFrom, simConfig, simForTests } from "../run/benchmark.testing.ts";
import type { BenchmarkResult } from "../run/benchmark.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";

const root = tempDirForTests("inferload-lora-e2e-");
const sim = simForTests({ loras: ["movie", "consumer"], prefillMs: 1, prefillMsPerToken: 0, itlMs: 1 });

async function run(
  name: string,
  load: Record<string, unknown>,
): Promise<{ dir: string; result: BenchmarkResult }> {
  const dir = join(root, name);
  const raw = simConfig(sim().url, {
    server: { ignore_eos: true },
    load: { base_seed: 11, ...load },
    report: { request_lifecycle: { per_adapter: true, per_adapter_stage: true } },
    storage: { local_storage: { path: dir } },
  });
  const result = await runBenchmarkFrom(raw);
  return { dir, result };
}

/**
 * Requests accepted per served name, from the simulator's own counter (vLLM counts every request
 * under the base model's name, so its families cannot tell adapters apart).
 */
async function acceptedByModel(): Promise<Map<string, number>> {
  const text = await (await fetch(`${sim().url}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^inferload_sim_requests_total\{model_name="([^"]+)"\} (\d+(?:\.\d+)?)$/.exec(line);
    if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return counts;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));

describe("lora_traffic_split against the simulator", () => {
  // One run covers both cases: two adapters the server knows and one it does not.
  // concurrent load: 300 requests, 20 in flight; split movie 0.6, consumer 0.3, ghost 0.1.
  let dir: string;
  let result: BenchmarkResult;
  let seen: (model: string) => number;

  beforeAll(async () => {
    const before = await acceptedByModel();
    ({ dir, result } = await run("split", {
      type: "concurrent",
      stages: [{ num_requests: 300, concurrency_level: 20 }],
      lora_traffic_split: [
        { name: "movie", split: 0.6 },
        { name: "consumer", split: 0.3 },
        { name: "ghost", split: 0.1 },
      ],
    }));
    const after = await acceptedByModel();
    seen = (model) => (after.get(model) ?? 0) - (before.get(model) ?? 0);
  }, 30_000);

  test("the server sees the split between known adapters within 4 binomial standard deviations", () => {
    const ghost = readJson(join(dir, "adapter_ghost_lifecycle_metrics.json"));
    const known = seen("movie") + seen("consumer");
    expect(known + ghost.failures.count).toBe(300);
    expect(seen("sim-model")).toBe(0);
    // Given k requests to known adapters, movie's count is Binomial(k, 0.6 / 0.9 = 2/3):
    // for k ≈ 270, σ = √(k × 2/3 × 1/3) ≈ 7.7.
    const p = 2 / 3;
    expect(Math.abs(seen("movie") - known * p)).toBeLessThan(4 * Math.sqrt(known * p * (1 - p)));
    // And ghost's share of all 300 is Binomial(300, 0.1): σ ≈ 5.2.
    expect(Math.abs(ghost.failures.count - 30)).toBeLessThan(4 * Math.sqrt(300 * 0.1 * 0.9));
  });

  test("each adapter gets its lifecycle files, whose counts are what the server saw", () => {
    const summary = readJson(join(dir, "summary_lifecycle_metrics.json"));
    for (const adapter of ["movie", "consumer"]) {
      const overall = readJson(join(dir, `adapter_${adapter}_lifecycle_metrics.json`));
      const stage0 = readJson(join(dir, `adapter_${adapter}_stage_0_lifecycle_metrics.json`));
      expect(overall.successes.count).toBe(seen(adapter));
      expect(stage0.successes.count).toBe(seen(adapter));
      expect(overall.failures.count).toBe(0);
      // Same structure as the summary file.
      expect(Object.keys(overall).sort()).toEqual(Object.keys(summary).sort());
    }
  });

  test("an adapter the server does not know gives reported failures, not a crash", () => {
    expect(result.report.interrupted).toBe(false);
    const ghost = readJson(join(dir, "adapter_ghost_lifecycle_metrics.json"));
    expect(ghost.successes.count).toBe(0);
    expect(ghost.failures.count).toBeGreaterThan(0);
    expect(ghost.failures.by_kind).toEqual({ http_status: ghost.failures.count });
    const messages = Object.values(
      ghost.failures.by_label as Record<string, { messages: { message: string }[] }>,
    )
      .flatMap((entry) => entry.messages.map((m) => m.message))
      .join("\n");
    expect(messages).toContain("ghost");
    const summary = readJson(join(dir, "summary_lifecycle_metrics.json"));
    expect(summary.failures.count).toBe(ghost.failures.count);
    expect(existsSync(join(dir, "adapter_ghost_stage_0_lifecycle_metrics.json"))).toBe(true);
  });
});
