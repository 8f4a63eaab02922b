import { describe, expect, test } from "bun:test";
import { type StageHealth, stageWarnings } from "./warnings.ts";

const healthy: StageHealth = {
  stageId: 0,
  requestedRate: 100,
  achievedRate: 99.9,
  medianDelayMs: 0.1,
  numWorkers: 2,
  workerMaxConcurrency: 100,
  peakInFlight: 10,
  cpus: 4,
};

describe("stageWarnings()", () => {
  test.each([
    // overrides → the knob the warning names (empty = no warning)
    [{}, ""],
    [{ achievedRate: 96 }, ""], // 96% is within the 95% bound
    [{ medianDelayMs: 25, peakInFlight: 200 }, "worker_max_concurrency"], // slots exhausted
    [{ achievedRate: 80 }, "num_workers"], // CPUs to spare
    [{ achievedRate: 80, numWorkers: 4 }, "bigger machine"], // every CPU in use
  ])("with %j names %p", (overrides, knob) => {
    const lines = stageWarnings({ ...healthy, ...overrides });
    if (knob === "") expect(lines).toEqual([]);
    else expect(lines[0]).toContain(knob);
  });
});
