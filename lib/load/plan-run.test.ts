import { describe, expect, test } from "bun:test";
import { planRun } from "./plan-run.ts";
import { describeStage, scheduleSeed, stageOffsets } from "./schedule.ts";
import type { TraceColumns } from "./trace.ts";

function planStages(...args: Parameters<typeof planRun>) {
  return planRun(...args).stages;
}

describe("planRun()", () => {
  test("turns rate stages into int(rate * duration) requests each, in order", () => {
    const stages = planStages({
      type: "poisson",
      stages: [
        { rate: 10, duration: 3 },
        { rate: 2.5, duration: 2 },
      ],
    });
    expect(stages).toEqual([
      { id: 0, kind: "rate", arrival: "poisson", rate: 10, durationS: 3, numRequests: 30 },
      { id: 1, kind: "rate", arrival: "poisson", rate: 2.5, durationS: 2, numRequests: 5 },
    ]);
  });

  test("turns concurrent stages into a closed loop with num_requests and concurrency_level", () => {
    const [stage] = planStages({ type: "concurrent", stages: [{ num_requests: 100, concurrency_level: 8 }] });
    expect(stage).toEqual({ id: 0, kind: "closed", concurrency: 8, numRequests: 100 });
  });

  test("gives each trace stage its own send offsets, capped at the trace's rows, with a note", () => {
    const timing: TraceColumns = {
      file: "t.csv",
      count: 4,
      offsetsMs: Float64Array.from([0, 100, 250, 900]),
      inputTokens: new Int32Array(4),
      outputTokens: new Int32Array(4),
    };
    const { stages, notes } = planRun(
      {
        type: "trace_replay",
        stages: [
          { rate: 1, duration: 2 }, // int(1 × 2) = 2 rows
          { rate: 10, duration: 1 }, // 10 wanted, the trace has 4
        ],
      },
      { timing },
    );
    expect(stages.map((s) => (s.kind === "trace" ? Array.from(s.offsetsMs) : null))).toEqual([
      [0, 100],
      [0, 100, 250, 900],
    ]);
    expect(stages.map((s) => s.numRequests)).toEqual([2, 4]);
    expect(notes).toEqual([
      "Stage 0: sending the first 2 of load.trace's 4 rows (int(rate × duration))",
      "Stage 1: int(rate × duration) asks for 10 requests but load.trace has 4 rows: sending 4",
    ]);
    expect(() => planRun({ type: "trace_replay", stages: [{ rate: 1, duration: 1 }] })).toThrow("load.trace");
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
