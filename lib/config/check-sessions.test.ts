import { describe, expect, test } from "bun:test";
import { sessionProblems } from "./check-sessions.ts";
import { build } from "./facts.testing.ts";

const replayLoad = { type: "trace_session_replay", stages: [{ concurrent_sessions: 1 }] };

describe("sessionProblems()", () => {
  test("a replay with chat and one source passes", () => {
    const { config } = build({
      api: { type: "chat" },
      data: { type: "otel_trace_replay", otel_trace_replay: { trace_files: ["t.json"] } },
      load: replayLoad,
    });
    expect(sessionProblems(config)).toEqual([]);
  });

  test.each([
    [
      "completion calls",
      {
        api: { type: "completion" },
        data: { type: "otel_trace_replay", otel_trace_replay: { trace_files: ["t.json"] } },
      },
      'api.type: expected "chat" or "anthropic_messages" with data.type "otel_trace_replay" (replayed calls are chat messages), got "completion"',
    ],
    [
      "no source",
      { api: { type: "chat" }, data: { type: "otel_trace_replay", otel_trace_replay: {} } },
      "data.otel_trace_replay: expected exactly one of trace_files, trace_directory or hf_dataset_path, got none",
    ],
    [
      "two sources",
      {
        api: { type: "chat" },
        data: {
          type: "otel_trace_replay",
          otel_trace_replay: { trace_files: ["a.json"], trace_directory: "d" },
        },
      },
      "data.otel_trace_replay: expected exactly one of trace_files, trace_directory or hf_dataset_path, got trace_files and trace_directory",
    ],
    [
      "no section",
      { api: { type: "chat" }, data: { type: "otel_trace_replay" } },
      'data.otel_trace_replay: expected a section for data.type "otel_trace_replay", got nothing',
    ],
    [
      "substitution off with duplicates",
      {
        api: { type: "chat" },
        data: {
          type: "otel_trace_replay",
          otel_trace_replay: {
            trace_files: ["a.json"],
            disable_output_substitution: true,
            duplicate_sessions_target: 4,
          },
        },
      },
      "data.otel_trace_replay.disable_output_substitution: expected false with inject_random_session_id or duplicate_sessions_target (both change the messages sent), got true",
    ],
    [
      "a Hugging Face dataset map without its path",
      {
        api: { type: "chat" },
        data: { type: "weka_trace_replay", weka_trace_replay: { hf_dataset_path: { revision: "main" } } },
      },
      "data.weka_trace_replay.hf_dataset_path.path: expected a Hugging Face dataset id, got null",
    ],
    [
      "a load_dataset argument inferload does not read",
      {
        api: { type: "chat" },
        data: {
          type: "otel_trace_replay",
          otel_trace_replay: { hf_dataset_path: { path: "org/traces", streaming: true } },
        },
      },
      "data.otel_trace_replay.hf_dataset_path.streaming: expected one of path, revision, split, data_files (load_dataset's other arguments are not supported), got true",
    ],
  ])("names the problem: %s", (_name, raw, problem) => {
    expect(sessionProblems(build({ load: replayLoad, ...raw }).config)).toEqual([problem]);
  });

  test("session replay load with data that is not a recorded trace", () => {
    const { config } = build({ data: { type: "shared_prefix" }, load: replayLoad });
    expect(sessionProblems(config)).toEqual([
      'data.type: expected "otel_trace_replay" or "weka_trace_replay" with load.type "trace_session_replay" (it replays recorded sessions), got "shared_prefix"',
    ]);
  });
});
