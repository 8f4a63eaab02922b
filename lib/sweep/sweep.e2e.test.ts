// load.sweep through the whole run path (`runBenchmark`): probe, ladder, stages, reports.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBenchmarkFrom } from "../run/benchmark.testing.ts";
import { type RunningSim, startSimOnFreePort } from "../sim/start.ts";
import { ladderRates } from "./ladder.ts";
import type { SweepReport } from "./summary.ts";

let sim: RunningSim;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "inferload-sweep-e2e-"));
  // 8 slots / (20 ms prefill + 9 × 2 ms) ≈ 211 req/s.
  sim = await startSimOnFreePort({ maxNumSeqs: 8, prefillMs: 20, prefillMsPerToken: 0, itlMs: 2 });
});

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const readJson = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));

describe("load.sweep in a run", () => {
  test("runs the probe, then the ladder's stages, and saves the sweep in the report without the probe's requests", async () => {
    const raw = {
      api: { type: "completion", streaming: true },
      server: { base_url: sim.url, model_name: "sim-model", ignore_eos: true },
      data: {
        type: "random",
        input_distribution: { min: 10, max: 10, mean: 10, std_dev: 0 },
        output_distribution: { min: 10, max: 10, mean: 10, std_dev: 0 },
      },
      load: {
        type: "poisson",
        interval: 0,
        num_workers: 1,
        base_seed: 5,
        sweep: { type: "geometric", num_requests: 200, timeout: 10, num_stages: 2, stage_duration: 1 },
      },
      storage: { local_storage: { path: dir } },
    };
    const result = await runBenchmarkFrom(raw);
    const sweep = result.extra.sweep as SweepReport;
    expect(sweep.probe.completed).toBe(200);
    expect(sweep.stages.map((s) => s.rate)).toEqual(ladderRates(sweep.probe.saturation_rate, 2, "geometric"));

    // Two stage files at the ladder's rates; nothing for the probe (stage -1).
    expect(existsSync(join(dir, "stage_-1_lifecycle_metrics.json"))).toBe(false);
    const stages = [0, 1].map((i) => readJson(`stage_${i}_lifecycle_metrics.json`));
    expect(stages.map((s) => s.load_summary.requested_rate)).toEqual(sweep.stages.map((s) => s.rate));
    expect(stages.map((s) => s.stage.type)).toEqual(["poisson", "poisson"]);
    // The summary counts the stages' requests only, and carries the sweep object.
    const summary = readJson("summary_lifecycle_metrics.json");
    expect(summary.load_summary.count).toBe(stages[0].load_summary.count + stages[1].load_summary.count);
    expect(summary.sweep).toEqual(JSON.parse(JSON.stringify(sweep)));
  }, 30_000);
});
