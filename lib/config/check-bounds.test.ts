import { describe, expect, test } from "bun:test";
import { boundProblems } from "./check-bounds.ts";
import { build } from "./facts.testing.ts";

function problemsFor(load: Record<string, unknown>): string[] {
  return boundProblems(build({ load }).config);
}

describe("boundProblems()", () => {
  test("a realistic config is within bounds", () => {
    expect(problemsFor({ num_workers: 8, stages: [{ rate: 500, duration: 3600 }] })).toEqual([]);
  });

  test.each([
    [
      { stages: [{ rate: 1e12, duration: 60 }] },
      "load.stages[0].rate: expected at most 1000000 (requests per second one client can send), got 1000000000000",
    ],
    [
      { stages: [{ rate: 1000, duration: 86400 }] },
      "load.stages[0]: expected at most 20000000 requests in one stage (rate × duration; a stage is planned in memory before it starts), got 1000 × 86400 = 86400000",
    ],
    [
      { stages: [{ rate: 0.01, duration: 1e9 }] },
      "load.stages[0].duration: expected at most 604800 (7 days), got 1000000000",
    ],
    [{ num_workers: 100000, stages: [{ rate: 1, duration: 1 }] }, "load.num_workers: expected at most 256"],
    [
      { type: "concurrent", stages: [{ num_requests: 1e10, concurrency_level: 10 }] },
      "load.stages[0].num_requests: expected at most 20000000",
    ],
    [
      { type: "concurrent", stages: [{ num_requests: 10, concurrency_level: 1e6 }] },
      "load.stages[0].concurrency_level: expected at most 100000",
    ],
    [{ interval: 1e9, stages: [{ rate: 1, duration: 1 }] }, "load.interval: expected at most 604800"],
    [
      { request_timeout: 1e9, stages: [{ rate: 1, duration: 1 }] },
      "load.request_timeout: expected at most 604800",
    ],
    [
      { stage_teardown_grace_seconds: 1e9, stages: [{ rate: 1, duration: 1 }] },
      "load.stage_teardown_grace_seconds: expected at most 604800",
    ],
    [{ sweep: { type: "linear", num_stages: 1e6 } }, "load.sweep.num_stages: expected at most 1000"],
    [
      { sweep: { type: "linear", stage_duration: 1e9 } },
      "load.sweep.stage_duration: expected at most 604800",
    ],
  ])("refuses %j", (load, message) => {
    const problems = problemsFor(load);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith(message);
  });

  test("the default worker count is capped at the bound", () => {
    const { config } = build({ load: { stages: [{ rate: 1, duration: 1 }] } }, { cpuCount: 1000 });
    expect(config.load.num_workers).toBe(256);
    expect(boundProblems(config)).toEqual([]);
  });
});
