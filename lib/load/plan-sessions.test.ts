import { describe, expect, test } from "bun:test";
import { planRun, SessionPlanError } from "./plan-run.ts";
import { describeStage, stageOffsets } from "./schedule.ts";
import { describeStagePlan } from "./stage.ts";

// Five sessions of 3, 1, 4, 1 and 5 calls.
const sessionCalls = [3, 1, 4, 1, 5];

describe("planRun() with trace_session_replay", () => {
  test("stages take consecutive slices of the corpus; a stage without num_sessions takes the rest", () => {
    const { stages, notes } = planRun(
      {
        type: "trace_session_replay",
        stages: [
          { concurrent_sessions: 2, num_sessions: 2, session_rate: 1 },
          { concurrent_sessions: 0, timeout: 30 },
        ],
      },
      { sessionCalls },
    );
    expect(stages).toEqual([
      {
        id: 0,
        kind: "session",
        concurrentSessions: 2,
        sessionRate: 1,
        firstSession: 0,
        sessionCount: 2,
        timeoutS: null,
        numRequests: 4,
      },
      {
        id: 1,
        kind: "session",
        concurrentSessions: 0,
        sessionRate: null,
        firstSession: 2,
        sessionCount: 3,
        timeoutS: 30,
        numRequests: 10,
      },
    ]);
    expect(notes).toEqual([]);
    expect(stageOffsets(stages[0]!, 1)).toBeNull();
    expect(stages.map(describeStage)).toEqual([
      "Stage 0: 2 sessions (4 calls), up to 2 at once, at most 1 started per second",
      "Stage 1: 3 sessions (10 calls), all at once, for at most 30 s",
    ]);
  });

  test("a stage asking for more sessions than remain is refused, naming the field", () => {
    expect(() =>
      planRun(
        {
          type: "trace_session_replay",
          stages: [
            { concurrent_sessions: 1, num_sessions: 4 },
            { concurrent_sessions: 1, num_sessions: 2 },
          ],
        },
        { sessionCalls },
      ),
    ).toThrow(
      new SessionPlanError(
        "load.stages[1].num_sessions: expected at most 1 (the sessions left after the earlier stages), got 2",
      ),
    );
  });

  test("an open-ended stage after the corpus is used up runs nothing, with a note", () => {
    const { stages, notes } = planRun(
      { type: "trace_session_replay", stages: [{ concurrent_sessions: 1 }, { concurrent_sessions: 1 }] },
      { sessionCalls },
    );
    expect(stages.map((s) => s.numRequests)).toEqual([14, 0]);
    expect(notes).toEqual(["Stage 1: no sessions left in the corpus; the stage sends nothing"]);
  });

  test("describes a session stage as inference-perf reports it: rate = session_rate or 0, concurrency = concurrent_sessions", () => {
    const { stages } = planRun(
      { type: "trace_session_replay", stages: [{ concurrent_sessions: 3 }] },
      { sessionCalls },
    );
    expect(describeStagePlan(stages[0]!)).toEqual({
      id: 0,
      kind: "session",
      type: "trace_session_replay",
      rate: 0,
      durationS: null,
      concurrency: 3,
      numRequests: 14,
    });
  });
});
