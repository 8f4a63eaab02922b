import { describe, expect, test } from "bun:test";
import type { SaturationResult } from "./saturation.ts";
import { describeProbePlan, describeSweep, sweepReport, sweepStages } from "./summary.ts";
import { linearSweepDefaults as settings } from "./sweep.testing.ts";

const saturation: SaturationResult = {
  maxRate: 100,
  percentile: 95,
  completions: 1412,
  warmupS: 0.43,
  failures: 3,
  minLatencyS: 0.215,
  windowS: 0.79,
  windows: 141,
  burnRate: { min: 61.2, median: 73.9, max: 100.5 },
};

describe("sweepStages()", () => {
  test("makes stages 0..n-1 of the configured arrival type with inference-perf's request counts", () => {
    expect(sweepStages([1, 25.75, 50.5], "poisson", 10)).toEqual([
      { id: 0, kind: "rate", arrival: "poisson", rate: 1, durationS: 10, numRequests: 10 },
      { id: 1, kind: "rate", arrival: "poisson", rate: 25.75, durationS: 10, numRequests: 257 },
      { id: 2, kind: "rate", arrival: "poisson", rate: 50.5, durationS: 10, numRequests: 505 },
    ]);
  });
});

describe("sweepReport() and describeSweep()", () => {
  const stages = sweepStages([1, 25.75, 50.5, 75.25, 100], "constant", 180);
  const outcome = { completed: 1412, failed: 3, cancelled: 585, durationS: 60.04, timedOut: true };
  const report = sweepReport(settings, outcome, saturation, stages);

  test("saves the probe's outcome, the saturation rate and the stages", () => {
    expect(report.type).toBe("linear");
    expect(report.probe).toEqual({
      num_requests: 2000,
      concurrency: 1000,
      timeout: 60,
      completed: 1412,
      failed: 3,
      cancelled: 585,
      duration_s: 60.04,
      timed_out: true,
      warmup_s: 0.43,
      min_latency_s: 0.215,
      window_s: 0.79,
      windows: 141,
      burn_rate: { min: 61.2, median: 73.9, max: 100.5 },
      saturation_percentile: 95,
      saturation_rate: 100,
    });
    expect(report.stages).toEqual([
      { stage_id: 0, rate: 1, duration: 180 },
      { stage_id: 1, rate: 25.75, duration: 180 },
      { stage_id: 2, rate: 50.5, duration: 180 },
      { stage_id: 3, rate: 75.25, duration: 180 },
      { stage_id: 4, rate: 100, duration: 180 },
    ]);
  });

  test("prints the plan, the probe's result and the stages", () => {
    expect(describeProbePlan(settings)).toBe("Sweep probe: 2,000 requests at 1,000 in flight, at most 60 s");
    expect(describeSweep(report)).toEqual([
      "Sweep probe: 1,412 completed, 3 failed in 60.0 s, stopped by sweep.timeout (585 cancelled)",
      "Sweep probe: burn rate min 61.2, median 73.9, max 100.5 req/s over 141 windows of 0.79 s (after 0.43 s of warm-up)",
      "Saturation: p95 of the burn rate = 100.0 req/s",
      "Sweep stages (linear): 1.0, 25.75, 50.5, 75.25, 100.0 req/s, 180 s each",
    ]);
  });
});
