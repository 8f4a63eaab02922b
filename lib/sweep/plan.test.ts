import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { UserError } from "../cli/errors.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import { configFromObject } from "../config/load.ts";
import { type Collector, createCollector } from "../metrics/collector.ts";
import { randomData, simConfig, simForTests, testFacts, withSim } from "../run/benchmark.testing.ts";
import { openRunner, type Runner } from "../run/runner.ts";
import { ladderRates } from "./ladder.ts";
import { planSweep, probeStage } from "./plan.ts";
import { linearSweepDefaults } from "./sweep.testing.ts";

// The simulator's true capacity with these parameters (docs/simulator.md, lib/sim/engine.ts): each of
// max_num_seqs slots is held for exactly prefill_ms + prefill_ms_per_token × prompt + (n − 1) × itl_ms
// per request (due times are model time, so timer lateness does not change it), hence
//   capacity = max_num_seqs / (prefill_ms + (n − 1) × itl_ms)   [prefill_ms_per_token = 0]
// With 8 slots, 20 ms prefill, 2 ms ITL and n output tokens (ignore_eos: exactly max_tokens):
//   n = 30 → 8 / (20 + 29 × 2) ms = 8 / 78 ms ≈ 102.6 req/s.
const SIM = { maxNumSeqs: 8, prefillMs: 20, prefillMsPerToken: 0, itlMs: 2, itlJitter: 0, itlGrowth: 0 };
const capacity = (n: number) => (SIM.maxNumSeqs / (SIM.prefillMs + (n - 1) * SIM.itlMs)) * 1000;

const sim = simForTests(SIM);
let runner: Runner;
let collector: Collector;

function sweepConfig(url: string, sweep: Record<string, unknown>) {
  const raw = simConfig(url, {
    server: { ignore_eos: true },
    data: randomData(20, 30),
    load: { base_seed: 7, sweep },
  });
  return configFromObject(raw, testFacts).config;
}

beforeAll(async () => {
  const config = sweepConfig(sim().url, { type: "linear" });
  collector = createCollector({ config });
  runner = await openRunner({ config, model: "sim-model", collector });
}, 30_000); // the Workers' start: seconds on a busy machine

afterAll(() => runner?.close());

describe("planSweep() against the simulator", () => {
  test("detects the simulator's capacity within 15% and builds the ladder from it", async () => {
    const config = sweepConfig(sim().url, {
      type: "geometric",
      num_requests: 300,
      timeout: 20,
      num_stages: 4,
      stage_duration: 2,
    });
    const plan = await planSweep(runner, config);
    expect(plan.interrupted).toBe(false);
    if (plan.interrupted) return;
    const probe = plan.sweep.probe;
    expect(probe.completed).toBe(300);
    expect(probe.failed).toBe(0);
    // The probe's records are accumulated but never reported (stage -1).
    const report = collector.finish({ interrupted: false });
    expect(report.stages).toEqual([]);
    expect(report.summary.count).toBe(0);
    const truth = capacity(30);
    expect(Math.abs(probe.saturation_rate / truth - 1)).toBeLessThan(0.15);
    // The ladder is inference-perf's geometric ladder up to the measured rate.
    const rates = plan.stages.map((s) => s.rate);
    expect(rates).toEqual(ladderRates(probe.saturation_rate, 4, "geometric"));
    expect(plan.stages.map((s) => [s.id, s.arrival, s.durationS])).toEqual([
      [0, "constant", 2],
      [1, "constant", 2],
      [2, "constant", 2],
      [3, "constant", 2],
    ]);
    expect(plan.sweep.stages.map((s) => s.rate)).toEqual(rates as number[]);
  }, 30_000);

  test("stops the probe at sweep.timeout and fails the run clearly when too little completed", async () => {
    // A server that takes 10 s per request (prefill): nothing completes within the 1 s timeout.
    await withSim({ ...SIM, prefillMs: 10_000 }, async (slow) => {
      const slowConfig = sweepConfig(slow.url, { type: "linear" });
      const slowCollector = createCollector({ config: slowConfig });
      const slowRunner = await openRunner({
        config: slowConfig,
        model: "sim-model",
        collector: slowCollector,
      });
      try {
        const config = sweepConfig(slow.url, { type: "linear", num_requests: 2000, timeout: 1 });
        const started = performance.now();
        let error: unknown;
        try {
          await planSweep(slowRunner, config);
        } catch (e) {
          error = e;
        }
        expect(performance.now() - started).toBeLessThan(10_000);
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).message).toBe(
          "Cannot estimate the saturation point: the probe completed 0 requests within sweep.timeout (1 s)",
        );
        expect((error as UserError).exitCode).toBe(ExitCode.failed);
        expect(slowCollector.finish({ interrupted: false }).stages).toEqual([]);
      } finally {
        slowRunner.close();
      }
    });
  }, 30_000);

  test("returns no stages when interrupted during the probe", async () => {
    const config = sweepConfig(sim().url, { type: "linear", num_requests: 5000, timeout: 60 });
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 300);
    const plan = await planSweep(runner, config, { signal: interrupt.signal, hardSignal: interrupt.signal });
    expect(plan).toEqual({ interrupted: true, stages: [], sweep: null });
  }, 30_000);

  test("the probe is a closed loop of num_requests at 1000 in flight, stage -1", () => {
    expect(probeStage(linearSweepDefaults)).toEqual({
      id: -1,
      kind: "closed",
      concurrency: 1000,
      numRequests: 2000,
    });
  });
});
