// End to end with a real Prometheus server (Debian's package, fetched by scripts/fetch-prometheus.sh)
// scraping the built-in simulator every second: a two-stage run with `metrics.type: prometheus` must
// report the server's request count within 10% of the client's (or one scrape interval's worth of
// requests), per stage and for the run, with stages separated, and the server's mean TTFT near the
// client's. Skips, saying why, only when the package cannot be fetched.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  prometheusBinary,
  type RunningPrometheus,
  startPrometheus,
} from "../server-metrics/prometheus.testing.ts";
import { type RunningSim, startSimOnFreePort } from "../sim/start.ts";
import { randomData, runBenchmarkFrom, simConfig } from "./benchmark.testing.ts";
import type { BenchmarkResult } from "./benchmark.ts";

const binary = prometheusBinary();
if ("missing" in binary) console.warn(`SKIPPED: no Prometheus binary to test against (${binary.missing})`);
const withPrometheus = "missing" in binary ? describe.skip : describe;

const rates = [10, 30];
const stageSeconds = 4;

withPrometheus("metrics.type prometheus against a real Prometheus scraping the simulator", () => {
  let sim: RunningSim;
  let prom: RunningPrometheus;
  let dir: string;
  let result: BenchmarkResult;
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "inferload-prom-e2e-"));
    sim = await startSimOnFreePort({ prefillMs: 15, itlMs: 5 });
    const started = await startPrometheus([`127.0.0.1:${sim.port}`]);
    if ("missing" in started) throw new Error(started.missing);
    prom = started;
    await prom.targetsUp();
    result = await runBenchmarkFrom(
      simConfig(sim.url, {
        // No model name: the run asks the server for it.
        server: { type: "vllm", model_name: undefined },
        data: randomData(40, 12),
        load: {
          interval: 1,
          base_seed: 5,
          stages: rates.map((rate) => ({ rate, duration: stageSeconds })),
        },
        metrics: { type: "prometheus", prometheus: { url: prom.url, scrape_interval: 1 } },
        report: { prometheus: { summary: true, per_stage: true } },
        storage: { local_storage: { path: dir } },
      }),
    );
  }, 90_000);

  afterAll(async () => {
    await prom?.stop();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Within 10% of the client's count, or one scrape interval's worth at the rate (1 s × rate), plus one
   * request for uneven sends. Prometheus's increase() extrapolates from the last sample to the end of
   * the range at the window's mean rate: after the stage's last request that adds up to one interval's
   * worth (less the fraction of it already sampled), so a short stage can be over by nearly that much.
   */
  const near = (server: number, client: number, rate: number) =>
    expect(Math.abs(server - client)).toBeLessThanOrEqual(Math.max(0.1 * client, rate * 1) + 1);

  test("each stage's server request count matches the client's, so stages are separated", () => {
    for (const [i, rate] of rates.entries()) {
      const client = read(`stage_${i}_lifecycle_metrics.json`).successes.count as number;
      const server = read(`stage_${i}_prometheus_metrics.json`).successes.count as number;
      expect(client).toBe(rate * stageSeconds);
      near(server, client, rate);
      console.info(`stage ${i}: server counted ${server}, client ${client}`);
    }
  });

  test("the run's server request count matches the client's", () => {
    const client = read("summary_lifecycle_metrics.json").successes.count as number;
    near(read("summary_prometheus_metrics.json").successes.count, client, Math.max(...rates));
    expect(result.serverMetrics?.summary).not.toBeNull();
  });

  test("the server's mean TTFT lies between the simulated prefill and the client's TTFT", () => {
    const server = read("summary_prometheus_metrics.json").successes.time_to_first_token.mean as number;
    const client = read("summary_lifecycle_metrics.json").successes.latency.time_to_first_token
      .mean as number;
    // Prefill: 15 ms + 0.05 ms × the 40 prompt tokens less those the prefix cache held (request indices
    // restart each stage, so the second stage's first prompts repeat the first stage's). The server's
    // span lies inside the client's (it starts when the request is read); on a quiet machine they
    // differ by about a millisecond.
    const hitPercent = read("summary_prometheus_metrics.json").successes.prefix_cache_hit_percent
      .mean as number;
    expect(server).toBeGreaterThanOrEqual(0.015 + 0.00005 * 40 * (1 - hitPercent / 100) - 0.0001);
    expect(server).toBeLessThanOrEqual(client + 0.002);
  });

  test("metrics the simulator does not expose are null, not 0.0; its prefix cache's hits show", () => {
    const successes = read("summary_prometheus_metrics.json").successes;
    // The second stage's first 40 prompts repeat the first stage's: 32 of their 40 tokens hit (whole
    // 16-token blocks), 20% of the run's prompt tokens, less what the windows' extrapolation shifts.
    expect(successes.prefix_cache_hit_percent.mean).toBeGreaterThan(10);
    expect(successes.prefix_cache_hit_percent.mean).toBeLessThan(30);
    expect(successes.kv_block_lifetime).toEqual({ mean: null, median: null, p90: null, p99: null });
    expect(successes.num_preemptions_total.mean).toBe(0);
  });
});
