// load.sweep through the whole run path (`runBenchmark`): probe, ladder, stages, reports.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  randomData,
  readReport,
  runBenchmarkFrom,
  simConfig,
  simForTests,
} from "../run/benchmark.testing.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { ladderRates } from "./ladder.ts";
import type { SweepReport } from "./summary.ts";

const dir = tempDirForTests("inferload-sweep-e2e-");
// 8 slots / (20 ms prefill + 9 × 2 ms) ≈ 211 req/s.
const sim = simForTests({ maxNumSeqs: 8, prefillMs: 20, prefillMsPerToken: 0, itlMs: 2 });

const readJson = (name: string) => readReport(dir, name);

describe("load.sweep in a run", () => {
  test("runs the probe, then the ladder's stages, and saves the sweep in the report without the probe's requests", async () => {
    const raw = simConfig(sim().url, {
      server: { ignore_eos: true },
      data: randomData(10, 10),
      load: {
        type: "poisson",
        base_seed: 5,
        sweep: { type: "geometric", num_requests: 200, timeout: 10, num_stages: 2, stage_duration: 1 },
      },
      storage: { local_storage: { path: dir } },
    });
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
