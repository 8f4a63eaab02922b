import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../cli/errors.ts";
import { loadOtelSessions, type OtelReplayConfig } from "./load-otel.ts";
import { trace } from "./trace.testing.ts";

const dir = mkdtempSync(join(tmpdir(), "inferload-otel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: unknown) => {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};
const chain = (id: string) =>
  trace([
    { id: `${id}1`, start: 0, end: 1, input: [["user", `q-${id}`]], output: `r-${id}` },
    {
      id: `${id}2`,
      start: 2,
      end: 3,
      input: [
        ["user", `q-${id}`],
        ["assistant", `r-${id}`],
        ["user", "go"],
      ],
      output: "x",
    },
  ]);
const a = write("traces/a.json", { ...chain("a"), trace_id: "alpha" });
const { trace_id: _dropped, ...anonymous } = chain("b");
const b = write("traces/b.json", anonymous); // no trace id: named after its file
const bad = write("other/bad.json", "{ not json");
write("traces/notes.txt", "ignored");

const base: OtelReplayConfig = {
  use_static_model: true,
  static_model_name: "m",
  default_max_tokens: 1000,
  override_tool_call_max_tokens: true,
  max_wait_ms: 15000,
  include_errors: false,
  skip_invalid_files: false,
  inject_random_session_id: false,
};

describe("loadOtelSessions()", () => {
  test("reads every *.json of a folder, shuffled by base_seed, named trace<slot>_<trace id or file name>", async () => {
    const { sessions } = await loadOtelSessions({ ...base, trace_directory: join(dir, "traces") }, 1);
    expect(sessions.map((s) => s.id.slice(0, 6)).sort()).toEqual(["trace0", "trace1"]);
    expect(new Set(sessions.map((s) => s.id.replace(/^trace\d_/, "")))).toEqual(new Set(["alpha", "b"]));
    expect(sessions.every((s) => s.calls.length === 2)).toBe(true);
    const again = await loadOtelSessions({ ...base, trace_directory: join(dir, "traces") }, 1);
    expect(again.sessions.map((s) => s.id)).toEqual(sessions.map((s) => s.id));
  });

  test("duplicates sessions round-robin up to duplicate_sessions_target, each tagged", async () => {
    const { sessions } = await loadOtelSessions(
      { ...base, trace_files: [a, b], duplicate_sessions_target: 5 },
      1,
    );
    expect(sessions.map((s) => s.id.replace(/^trace\d_/, ""))).toHaveLength(5);
    expect(sessions.slice(2).map((s) => /_dup[123]$/.test(s.id))).toEqual([true, true, true]);
    const first = JSON.parse(sessions[2]!.calls[0]!.groups[0]![0]!).content as string;
    expect(first).toMatch(/^\[SESS:[0-9a-f]{16}\] q-/);
    expect(JSON.parse(sessions[0]!.calls[0]!.groups[0]![0]!).content).toMatch(/^q-/);
  });

  test("globs in trace_files match files", async () => {
    const { sessions } = await loadOtelSessions({ ...base, trace_files: [join(dir, "traces/*.json")] }, 1);
    expect(sessions).toHaveLength(2);
  });

  test("a broken trace stops the run with its name, unless skip_invalid_files", async () => {
    const cfg = { ...base, trace_files: [a, bad] };
    await expect(loadOtelSessions(cfg, 1)).rejects.toThrow(`Cannot replay trace "${bad}": not valid JSON`);
    const skipped = await loadOtelSessions({ ...cfg, skip_invalid_files: true }, 1);
    expect(skipped.sessions).toHaveLength(1);
    expect(skipped.notes[0]).toStartWith(`Skipped trace "${bad}": not valid JSON`);
  });

  test.each([
    [
      { trace_files: [join(dir, "nope.json")] },
      `Cannot read data.otel_trace_replay.trace_files[0] "${join(dir, "nope.json")}": file not found`,
    ],
    [
      { trace_files: [join(dir, "traces/notes.txt")] },
      `data.otel_trace_replay.trace_files[0]: expected a .json trace file, got "${join(dir, "traces/notes.txt")}"`,
    ],
    [
      { trace_directory: join(dir, "empty-missing") },
      `Cannot read data.otel_trace_replay.trace_directory "${join(dir, "empty-missing")}": file not found`,
    ],
    [
      { trace_files: [join(dir, "zz/*.json")] },
      `data.otel_trace_replay.trace_files: expected at least one trace file, got none matching ["${join(dir, "zz/*.json")}"]`,
    ],
  ])("names a missing or wrong source (%#)", async (source, message) => {
    await expect(loadOtelSessions({ ...base, ...source }, 1)).rejects.toThrow(new UserError(message));
  });

  test("filter keeps the traces its lambda accepts, seeing the fields inference-perf derives for files", async () => {
    const harness = write("tagged/c.json", { ...chain("c"), trace_id: "gamma", benchmark: "gsm8k" });
    const cfg = { ...base, trace_files: [a, b, harness] };
    const kept = async (filter: string) =>
      (await loadOtelSessions({ ...cfg, filter }, 1)).sessions
        .map((s) => s.id.replace(/^trace\d_/, ""))
        .sort();
    expect(await kept("lambda x: x['benchmark'] == 'gsm8k'")).toEqual(["gamma"]);
    // session_id: the trace id, else the file's stem; models from the spans; benchmark "unknown" when absent.
    expect(await kept("lambda x: x['session_id'] in ('alpha', 'b')")).toEqual(["alpha", "b"]);
    expect(await kept("lambda x: 'gpt-4' in x['models'] and x['benchmark'] != 'gsm8k'")).toEqual([
      "alpha",
      "b",
    ]);
    expect(await kept("lambda x: x['source_id'].endswith('/a.json')")).toEqual(["alpha"]);
    const { notes } = await loadOtelSessions({ ...cfg, filter: "lambda x: len(x['spans']) == 2" }, 1);
    expect(notes).toContain("The filter kept 3 of 3 traces");
  });

  test("a filter that keeps nothing, raises on a record, or is outside the subset stops with a clear error", async () => {
    const cfg = { ...base, trace_files: [a, b] };
    await expect(loadOtelSessions({ ...cfg, filter: "lambda x: False" }, 1)).rejects.toThrow(
      new UserError("data.otel_trace_replay.filter: expected it to keep at least one trace, got none of 2"),
    );
    await expect(loadOtelSessions({ ...cfg, filter: "lambda x: x['harnes'] == 'a'" }, 1)).rejects.toThrow(
      new UserError(`data.otel_trace_replay.filter: the filter raised KeyError: 'harnes' on trace "${a}"`),
    );
    const error = (await loadOtelSessions({ ...cfg, filter: "lambda x: [s for s in x['spans']]" }, 1).catch(
      (e: unknown) => e,
    )) as UserError;
    expect(error.message).toBe(
      "data.otel_trace_replay.filter: cannot use this filter: a comprehension (for … in …)",
    );
    expect(error.details.slice(0, 2)).toEqual(["lambda x: [s for s in x['spans']]", `${" ".repeat(13)}^`]);
  });
});
