import { describe, expect, test } from "bun:test";
import { describeStage, scheduleSeed, stageOffsets } from "./schedule.ts";
import { planStages } from "./stages.ts";

describe("planStages()", () => {
  test("turns rate stages into int(rate * duration) requests each, in order", () => {
    const stages = planStages({
      type: "poisson",
      stages: [
        { rate: 10, duration: 3 },
        { rate: 2.5, duration: 2 },
      ],
    });
    expect(stages).toEqual([
      { id: 0, kind: "rate", type: "poisson", rate: 10, durationS: 3, concurrency: null, numRequests: 30 },
      { id: 1, kind: "rate", type: "poisson", rate: 2.5, durationS: 2, concurrency: null, numRequests: 5 },
    ]);
  });

  test("turns concurrent stages into a closed loop with num_requests and concurrency_level", () => {
    const [stage] = planStages({ type: "concurrent", stages: [{ num_requests: 100, concurrency_level: 8 }] });
    expect(stage).toEqual({
      id: 0,
      kind: "concurrent",
      type: "concurrent",
      rate: null,
      durationS: null,
      concurrency: 8,
      numRequests: 100,
    });
  });

  test("rejects a stage without its required fields", () => {
    expect(() => planStages({ type: "constant", stages: [{ rate: 10 }] })).toThrow("load.stages[0].duration");
    expect(() => planStages({ type: "concurrent", stages: [{ num_requests: 3 }] })).toThrow(
      "concurrency_level",
    );
  });
});

describe("stageOffsets()", () => {
  test("replays the same Poisson schedule for the same base_seed and stage, and differs per stage", () => {
    const [s0, s1] = planStages({
      type: "poisson",
      stages: [
        { rate: 50, duration: 2 },
        { rate: 50, duration: 2 },
      ],
    });
    const a = stageOffsets(s0!, 123)!;
    expect(Array.from(a)).toEqual(Array.from(stageOffsets(s0!, 123)!));
    expect(a[0]).not.toBe(stageOffsets(s1!, 123)![0]);
    expect(scheduleSeed(123, 0)).not.toBe(scheduleSeed(124, 0));
  });

  test("gives a concurrent stage no offsets (closed loop)", () => {
    const [s] = planStages({ type: "concurrent", stages: [{ num_requests: 5, concurrency_level: 2 }] });
    expect(stageOffsets(s!, 1)).toBeNull();
    expect(describeStage(s!)).toBe("Stage 0: 5 requests at exactly 2 in flight");
  });
});
