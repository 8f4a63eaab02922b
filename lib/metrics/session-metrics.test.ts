import { expect, test } from "bun:test";
import { record } from "../record/record.testing.ts";
import { SessionCollector } from "./session-metrics.ts";

test("unreported() gives the sessions whose requests arrived without a lifecycle, cut short, as their records show", () => {
  const c = new SessionCollector();
  c.add(record({ stageId: 1, session: 4, sentMs: 100, endMs: 200 }));
  c.add(record({ stageId: 1, session: 4, sentMs: 250, endMs: 400, failure: "timeout" }));
  c.add(record({ stageId: 1, session: 2, sentMs: 50, endMs: 90 }));
  c.add(record({ stageId: 11, session: 3 })); // another stage
  c.addSession({
    stageId: 1,
    session: 2,
    name: "conv_2",
    source: "conversation_replay",
    startMs: 50,
    endMs: 90,
    numEvents: 1,
    completed: 1,
    failedCalls: 0,
    cancelled: 0,
    status: "succeeded",
    replayError: null,
  });
  const found = c.unreported(1, (s) => ({ name: `conv_${s}`, source: "conversation_replay" }));
  expect(found).toEqual([
    {
      stageId: 1,
      session: 4,
      name: "conv_4",
      source: "conversation_replay",
      startMs: 100,
      endMs: 400,
      numEvents: 2,
      completed: 1,
      failedCalls: 1,
      cancelled: 0,
      status: "cut_short",
      replayError: null,
    },
  ]);
  for (const l of found) c.addSession(l);
  expect(c.unreported(1, () => ({ name: "", source: "" }))).toEqual([]);
  // Reported, it is one of the stage's sessions, with its tokens and first error.
  const session = c.finish().sessions.find((s) => s.session === 4)!;
  expect([session.success, session.error?.error_type]).toEqual([null, "TimeoutError"]);
});
