// End-to-end: the real `inferload run` (in-process, Workers and all) against the built-in simulator,
// asserting on what the simulator saw and on the report files, never on log text.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startCountingProxy } from "../lib/http/test-server.testing.ts";
import { randomData, readReport, simConfig, withSim, writeConfigFile } from "../lib/run/benchmark.testing.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";

const dir = tempDirForTests("inferload-run-test-");

/** This file's runs: two Workers, seed 7, prompts of 20-40 tokens asking for 5-10. */
function writeConfig(sim: { url: string } | null, load: Record<string, unknown>) {
  const config = simConfig(sim?.url ?? null, {
    data: randomData({ min: 20, max: 40, mean: 30, std_dev: 5 }, { min: 5, max: 10, mean: 8, std_dev: 1 }),
    load: { num_workers: 2, base_seed: 7, ...load },
  });
  return writeConfigFile(dir, config);
}

describe("inferload run", () => {
  test("holds a modest constant rate with small schedule delays", async () => {
    await withSim({ prefillMs: 5, itlMs: 2 }, async (sim) => {
      const out = join(dir, "rate");
      const config = writeConfig(sim, { type: "constant", stages: [{ rate: 50, duration: 2 }] });
      expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
      const stage = readReport(out, "stage_0_lifecycle_metrics.json");
      expect(stage.load_summary.count).toBe(100);
      expect(stage.successes.count).toBe(100);
      // Tolerant bounds: a shared 2-core box can be slow, but not 10% slow or 50 ms late at the median.
      expect(stage.load_summary.achieved_rate).toBeGreaterThan(45);
      expect(stage.load_summary.schedule_delay.median).toBeLessThan(0.05);
      expect(sim.stats().requestsByModel["sim-model"]).toBe(100);
    });
  }, 60_000);

  test("keeps exactly concurrency_level requests in flight in concurrent mode, as the simulator sees it", async () => {
    await withSim({ prefillMs: 5, itlMs: 3 }, async (sim) => {
      const out = join(dir, "concurrent");
      const config = writeConfig(sim, {
        type: "concurrent",
        stages: [{ num_requests: 70, concurrency_level: 7 }],
        worker_max_concurrency: 1, // ignored by concurrent stages
      });
      sim.resetPeaks();
      expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
      expect(sim.stats().maxConcurrent).toBe(7);
      expect(sim.stats().completed).toBe(70);
      expect(readReport(out, "stage_0_lifecycle_metrics.json").successes.count).toBe(70);
    });
  }, 60_000);

  test("bounds a rate stage's requests in flight by num_workers × worker_max_concurrency, delaying, not dropping", async () => {
    await withSim({ prefillMs: 100, itlMs: 5 }, async (sim) => {
      const out = join(dir, "slots");
      // 40 req/s of ~150 ms requests wants ~6 in flight; 2 workers × 2 slots allow 4.
      const config = writeConfig(sim, {
        type: "constant",
        stages: [{ rate: 40, duration: 1 }],
        worker_max_concurrency: 2,
      });
      sim.resetPeaks();
      expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
      expect(sim.stats().maxConcurrent).toBeLessThanOrEqual(4);
      const stage = readReport(out, "stage_0_lifecycle_metrics.json");
      expect(stage.successes.count).toBe(40);
      // The wait for a slot shows up as schedule delay.
      expect(stage.load_summary.schedule_delay.max).toBeGreaterThan(0.05);
    });
  }, 60_000);

  test("runs stages back to back, each request counted in its own stage", async () => {
    await withSim({ prefillMs: 2, itlMs: 1 }, async (sim) => {
      const out = join(dir, "stages");
      const config = writeConfig(sim, {
        type: "poisson",
        stages: [
          { rate: 20, duration: 1 },
          { rate: 40, duration: 1 },
        ],
      });
      expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
      expect(readReport(out, "stage_0_lifecycle_metrics.json").load_summary.count).toBe(20);
      expect(readReport(out, "stage_1_lifecycle_metrics.json").load_summary.count).toBe(40);
      expect(readReport(out, "summary_lifecycle_metrics.json").successes.count).toBe(60);
    });
  }, 60_000);

  test("replays the same request sequence for the same base_seed", async () => {
    await withSim({ prefillMs: 1, itlMs: 1 }, async (sim) => {
      const load = { type: "poisson", stages: [{ rate: 30, duration: 1 }] };
      const fingerprints = [];
      for (const [seed, name] of [
        [11, "a"],
        [11, "b"],
        [12, "c"],
      ] as const) {
        const out = join(dir, `seed-${name}`);
        const config = writeConfig(sim, { ...load, base_seed: seed });
        expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
        fingerprints.push(readReport(out, "summary_lifecycle_metrics.json").sequence_fingerprint);
      }
      expect(fingerprints[0]).toBe(fingerprints[1]);
      expect(fingerprints[0]).not.toBe(fingerprints[2]);
    });
  }, 60_000);

  test("writes reports marked interrupted and exits 130 on SIGINT", async () => {
    await withSim({ prefillMs: 2, itlMs: 2 }, async (sim) => {
      const out = join(dir, "interrupt");
      const config = writeConfig(sim, {
        type: "constant",
        stages: [
          { rate: 20, duration: 60 },
          { rate: 20, duration: 60 },
        ],
      });
      const running = runCli(["run", "-c", config, "--quiet", "--output-dir", out]);
      // Interrupt once the first stage is well under way (startup time varies on a busy machine).
      for (let i = 0; i < 600 && sim.stats().completed < 10; i++) await new Promise((r) => setTimeout(r, 50));
      process.emit("SIGINT");
      const code = await running;
      expect(code).toBe(130);
      const summary = readReport(out, "summary_lifecycle_metrics.json");
      expect(summary.interrupted).toBe(true);
      const stage = readReport(out, "stage_0_lifecycle_metrics.json");
      expect(stage.load_summary.count).toBeGreaterThan(5);
      expect(stage.load_summary.count).toBeLessThan(1200);
      expect(stage.failures.count).toBe(0); // in-flight requests finished within the grace period
    });
  }, 60_000);

  test("opens about one connection per concurrent request, counted by a proxy on the server side", async () => {
    await withSim({ prefillMs: 3, itlMs: 2 }, async (sim) => {
      const proxy = await startCountingProxy(sim.port);
      try {
        const out = join(dir, "keepalive");
        const config = writeConfig(proxy, {
          type: "concurrent",
          stages: [{ num_requests: 200, concurrency_level: 10 }],
        });
        expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
        // 10 request connections (server.model_name is set: no GET /v1/models), not one per request.
        expect(proxy.connections().total).toBeLessThanOrEqual(11);
        expect(readReport(out, "stage_0_lifecycle_metrics.json").successes.count).toBe(200);
      } finally {
        await proxy.stop();
      }
    });
  }, 60_000);

  test("has no failures against a server that closes the connection after each response", async () => {
    await withSim({ prefillMs: 2, itlMs: 1, faults: { closeConnection: true } }, async (sim) => {
      const out = join(dir, "close");
      const config = writeConfig(sim, { type: "constant", stages: [{ rate: 40, duration: 1 }] });
      expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
      const stage = readReport(out, "stage_0_lifecycle_metrics.json");
      expect(stage.successes.count).toBe(40);
      expect(stage.failures.count).toBe(0);
      // One connection per request, none re-sent; each close counted (the last may end after the stage).
      expect(stage.connections).toMatchObject({ opened: 40, reused: 0, resent: 0 });
      expect(stage.connections.closed_by_server).toBeGreaterThanOrEqual(39);
    });
  }, 60_000);

  test("exits 1 naming the URL when the server never answers", async () => {
    const config = writeConfig(
      { url: "http://127.0.0.1:1" },
      { type: "constant", stages: [{ rate: 1, duration: 1 }] },
    );
    const out = join(dir, "never");
    const started = performance.now();
    const code = await runCli([
      "run",
      "-c",
      config,
      "--quiet",
      "--output-dir",
      out,
      "--wait-for-server",
      "1",
    ]);
    expect(code).toBe(1);
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 30_000);

  test("without a server, runs against the built-in simulator, which serves the config's LoRA adapters", async () => {
    const out = join(dir, "builtin-lora");
    const split = [
      { name: "movie", split: 0.5 },
      { name: "consumer", split: 0.5 },
    ];
    const config = writeConfig(null, {
      type: "constant",
      stages: [{ rate: 40, duration: 1 }],
      lora_traffic_split: split,
    });
    expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
    const summary = readReport(out, "summary_lifecycle_metrics.json");
    expect(summary.successes.count).toBe(40);
    expect(summary.failures.count).toBe(0);
    const movie = readReport(out, "adapter_movie_lifecycle_metrics.json");
    const consumer = readReport(out, "adapter_consumer_lifecycle_metrics.json");
    expect(movie.successes.count + consumer.successes.count).toBe(40);
  }, 60_000);
});
