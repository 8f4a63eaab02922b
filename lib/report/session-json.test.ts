import { describe, expect, test } from "bun:test";
import { SessionCollector } from "../metrics/session-metrics.ts";
import { record } from "../record/record.testing.ts";
import type { SessionLifecycle } from "../record/session.ts";
import { pythonJson } from "./py-json.ts";
import { perSessionEntry, sessionReportFiles, summarizeSessions } from "./session-json.ts";

const life = (overrides: Partial<SessionLifecycle>): SessionLifecycle => ({
  stageId: 0,
  session: 0,
  name: "trace0_a",
  source: "a.json",
  startMs: 1000,
  endMs: 3000,
  numEvents: 2,
  completed: 2,
  failedCalls: 0,
  cancelled: 0,
  status: "succeeded",
  replayError: null,
  ...overrides,
});

function collected() {
  const c = new SessionCollector();
  // Session 0: two successes, the second with 60 of 100 prompt tokens cached.
  c.add(
    record({
      session: 0,
      promptTokens: 40,
      cacheReported: true,
      cachedPromptTokens: 0,
      serverOutputTokens: 5,
    }),
  );
  c.add(
    record({
      session: 0,
      promptTokens: 100,
      cacheReported: true,
      cachedPromptTokens: 60,
      serverOutputTokens: 7,
    }),
  );
  // Session 1: one success (no cache info), then a 500.
  c.add(record({ session: 1, promptTokens: 30, serverOutputTokens: 3 }));
  c.add(
    record({ session: 1, failure: "http_status", status: 500, errorMessage: '{"error":{"message":"boom"}}' }),
  );
  // Records of no session are not session data.
  c.add(record({ session: -1, promptTokens: 999 }));
  c.addSession(life({}));
  c.addSession(
    life({
      session: 1,
      name: "trace1_b",
      source: "b.json",
      completed: 1,
      failedCalls: 1,
      status: "failed",
      endMs: 2000,
    }),
  );
  c.addSession(
    life({
      session: 2,
      name: "trace2_c",
      completed: 0,
      cancelled: 1,
      numEvents: 2,
      status: "cut_short",
      endMs: 5000,
    }),
  );
  c.stageEnded({
    stageId: 0,
    status: "completed",
    startMs: 900,
    endMs: 5100,
    timeoutS: null,
    concurrentSessions: 2,
    sessionRate: null,
    pending: 1,
  });
  return c.finish();
}

describe("SessionCollector", () => {
  test("adds each session's tokens and prefix-cache hits from its records; the first failure is its error", () => {
    const { sessions } = collected();
    const [b, a, c] = sessions; // ordered by end time
    expect([a!.inputTokens, a!.outputTokens, a!.cachedTokens, a!.cacheableTokens, a!.success]).toEqual([
      140,
      12,
      60,
      140,
      true,
    ]);
    expect([b!.inputTokens, b!.cachedTokens, b!.success]).toEqual([30, null, false]);
    expect(b!.error).toEqual({ error_type: "HTTP Error 500", error_msg: '{"error":{"message":"boom"}}' });
    expect([c!.status, c!.success]).toEqual(["cut_short", null]);
  });

  test("a replay error (predecessor timeout) takes precedence over a request's", () => {
    const c = new SessionCollector();
    c.add(record({ session: 0, failure: "timeout", status: 0 }));
    c.addSession(life({ status: "failed", replayError: "predecessor wait failed: TimeoutError" }));
    expect(c.finish().sessions[0]!.error).toEqual({
      error_type: "SessionReplayError",
      error_msg: "predecessor wait failed: TimeoutError",
    });
  });
});

describe("session reports", () => {
  test("a per-session entry has upstream's keys in order, floats written as Python floats", () => {
    const entry = perSessionEntry(collected().sessions[1]!);
    expect(Object.keys(entry)).toEqual([
      "session_id",
      "stage_id",
      "file_path",
      "start_time",
      "end_time",
      "duration_sec",
      "num_events",
      "num_events_completed",
      "num_events_cancelled",
      "n_recorded_substitutions",
      "recorded_substitution_event_ids",
      "success",
      "error",
      "total_input_tokens",
      "total_output_tokens",
      "total_cached_tokens",
      "total_cacheable_input_tokens",
      "status",
    ]);
    expect(pythonJson(entry)).toContain(
      '"start_time": 1.0, "end_time": 3.0, "duration_sec": 2.0, "num_events": 2',
    );
  });

  test("the summary counts every session: completed, failed, cut short (active) and never started (pending)", () => {
    const { sessions, stages } = collected();
    const summary = summarizeSessions(sessions, stages, [50]);
    expect(summary).toMatchObject({
      num_sessions: 4,
      num_sessions_completed: 2,
      num_sessions_succeeded: 1,
      num_sessions_failed: 1,
      num_sessions_not_completed: 2,
      num_sessions_not_completed_active: 1,
      num_sessions_not_completed_pending: 1,
      total_events: 4,
      total_events_completed: 3,
      sessions_with_cache_info: 1,
    });
    expect(JSON.parse(JSON.stringify(summary.failures))).toEqual({
      count: 1,
      by_label: {
        "HTTP Error 500": { count: 1, messages: [{ message: "boom", session_ids: ["trace1_b"] }] },
      },
    });
    // Token-weighted hit rate over sessions with cache info: 60 / 140.
    expect(JSON.parse(JSON.stringify(summary.kv_cache_hit_percent))).toBeCloseTo((100 * 60) / 140, 10);
    // 2 completed sessions from 1.0 s to 3.0 s.
    expect(JSON.parse(JSON.stringify(summary.sessions_per_second))).toBe(1);
  });

  test("files follow report.session_lifecycle; the stage file starts with stage_metadata", () => {
    const result = collected();
    const files = sessionReportFiles(result, { per_session: true }, [50]);
    expect(files.map((f) => f.file)).toEqual([
      "summary_session_lifecycle_metrics.json",
      "stage_0_session_lifecycle_metrics.json",
      "per_session_lifecycle_metrics.json",
    ]);
    const stage = files[1]!.report as Record<string, unknown>;
    expect(Object.keys(stage)[0]).toBe("stage_metadata");
    expect(pythonJson(stage.stage_metadata)).toBe(
      '{"stage_id": 0, "status": "COMPLETED", "timeout_configured": null, "actual_duration": 4.2, "concurrent_sessions": 2, "session_rate": null}',
    );
    expect(sessionReportFiles(result, { summary: false, per_stage: null }, [50])).toEqual([]);
  });
});
