import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { callsFromSpans } from "./otel-calls.ts";
import { parseTraceDocument } from "./otel-spans.ts";
import { buildReplayGraph } from "./replay-graph.ts";
import { plainSpan, type SpanSpec, trace } from "./trace.testing.ts";
import type { ReplayGraph } from "./types.ts";

function graphOf(doc: unknown, includeErrors = false): { graph: ReplayGraph; notes: string[] } {
  const parsed = parseTraceDocument(doc);
  if (!parsed.ok) throw new Error(parsed.problem);
  const calls = callsFromSpans(parsed.trace.spans, { includeErrors });
  if (!calls.ok) throw new Error(calls.problem);
  return { graph: buildReplayGraph(calls.result.calls, "test"), notes: calls.result.notes };
}

const preds = (g: ReplayGraph) => g.events.map((e) => e.predecessors);

describe("buildReplayGraph()", () => {
  test("a sequential chain: each call waits for the one whose output it carries, after the recorded gap", () => {
    const { graph } = graphOf(
      trace([
        { id: "a", start: 0, end: 1, input: [["user", "hi"]], output: "hello" },
        {
          id: "b",
          start: 1.5,
          end: 2,
          input: [
            ["user", "hi"],
            ["assistant", "hello"],
            ["user", "more"],
          ],
          output: "x",
        },
        { id: "c", start: 4, end: 5, input: [["user", "other"]], output: "y" },
      ]),
    );
    expect(preds(graph)).toEqual([[], [0], [1]]);
    expect(graph.events.map((e) => e.dependencyTypes)).toEqual([[], ["full_match"], ["temporal"]]);
    // b starts 0.5 s after a ended; c 2 s after b ended.
    expect(graph.events.map((e) => e.waitMs)).toEqual([0, 500, 2000]);
    expect(graph.events[1]!.segments.map((s) => [s.type, s.messageCount, s.source])).toEqual([
      ["shared", 1, 0],
      ["output", 1, 0],
      ["unique", 1, null],
    ]);
  });

  test("parallel calls that overlap in time and share no content are both roots", () => {
    const { graph } = graphOf(
      trace([
        { id: "a", start: 0, end: 2, input: [["user", "one"]], output: "1" },
        { id: "b", start: 0.5, end: 1.5, input: [["user", "two"]], output: "2" },
      ]),
    );
    expect(preds(graph)).toEqual([[], []]);
  });

  test("fan-in: upstream's example trace joins three calls into the fourth", () => {
    const doc = JSON.parse(
      readFileSync(join(import.meta.dir, "../../../fixtures/otel/fan_in_dependencies.json"), "utf8"),
    );
    const { graph } = graphOf(doc);
    // span_002 follows span_001 by timing; span_003 overlaps span_002, so it follows span_001 too.
    expect(preds(graph)).toEqual([[], [0], [0], [2, 1, 0]]);
    expect(graph.events[3]!.dependencyTypes).toEqual(["full_match", "full_match", "full_match"]);
    // The join starts 1 s after the last of its inputs (span_003, ended at 5 s) finished.
    expect(graph.events[3]!.waitMs).toBe(1000);
    // Its first message is span_001's own question: a shared prefix (a prefix-cache hit at replay).
    expect(graph.events[3]!.segments.map((s) => [s.type, s.source])).toEqual([
      ["shared", 0],
      ["output", 0],
      ["unique", null],
      ["output", 1],
      ["unique", null],
      ["output", 2],
      ["unique", null],
    ]);
    expect(graph.events.map((e) => e.eventId)).toEqual([
      "event_000_span_001",
      "event_001_span_002",
      "event_002_span_003",
      "event_003_span_004",
    ]);
  });

  test("recorded token counts size each call, else 4 characters a token", () => {
    const { graph } = graphOf(
      trace([
        { id: "a", start: 0, end: 1, input: [["user", "x".repeat(40)]], output: "y".repeat(20) },
        {
          id: "b",
          start: 2,
          end: 3,
          input: [["user", "z"]],
          output: "w",
          promptTokens: 7,
          completionTokens: 9,
        },
      ]),
    );
    expect(graph.events.map((e) => [e.inputTokens, e.outputTokens])).toEqual([
      [10, 5],
      [7, 9],
    ]);
  });

  test("every edge points to an earlier call, and no think time is negative", () => {
    const specs = fc.array(
      fc.record({
        start: fc.integer({ min: 0, max: 50 }),
        length: fc.integer({ min: 0, max: 20 }),
        carries: fc.array(fc.nat(12), { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(specs, (rows) => {
        const spans: SpanSpec[] = rows.map((r, i) => ({
          id: `s${String(i).padStart(2, "0")}`,
          start: r.start,
          end: r.start + r.length,
          input: [["user", `q${i}`], ...r.carries.map((c): [string, string] => ["assistant", `out${c}`])],
          output: `out${i}`,
        }));
        const { graph } = graphOf(trace(spans));
        graph.events.forEach((event, i) => {
          for (const p of event.predecessors) expect(p).toBeLessThan(i);
          expect(event.waitMs).toBeGreaterThanOrEqual(0);
          const total = event.segments.reduce((n, s) => n + s.messageCount, 0);
          expect(total).toBe(event.call.messages.length);
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe("callsFromSpans()", () => {
  test("error spans are skipped by default and named in a note", () => {
    const doc = trace([
      { id: "a", start: 0, end: 1, input: [["user", "q"]], output: "r" },
      { id: "b", start: 2, end: 3, input: [["user", "q2"]], output: "r2", status: 2 },
    ]);
    const skipped = graphOf(doc);
    expect(skipped.graph.events.map((e) => e.call.callId)).toEqual(["a"]);
    expect(skipped.notes).toEqual(["1 LLM span has an error status; skipped (include_errors: false)"]);
    const kept = graphOf(doc, true);
    expect(kept.graph.events.map((e) => e.call.callId)).toEqual(["a", "b"]);
    expect(kept.notes).toEqual(["1 LLM span has an error status; replayed (include_errors: true)"]);
  });

  test("a parent that is not in the trace is noted and the span replays as a top-level span", () => {
    const { graph, notes } = graphOf(
      trace([{ id: "a", start: 0, end: 1, input: [["user", "q"]], output: "r", parent: "gone" }]),
    );
    expect(graph.events).toHaveLength(1);
    expect(notes).toEqual([
      '1 span names a parent not in the trace (e.g. "a" → "gone"); they are treated as top-level spans',
    ]);
  });

  test("a parent cycle makes the trace invalid, naming the spans on it", () => {
    const doc = trace(
      [{ id: "a", start: 0, end: 1, input: [["user", "q"]], output: "r", parent: "p2" }],
      [plainSpan("p1", "p2"), plainSpan("p2", "p1")],
    );
    const parsed = parseTraceDocument(doc);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const calls = callsFromSpans(parsed.trace.spans, { includeErrors: false });
    expect(calls).toEqual({ ok: false, problem: "spans form a parent cycle: p2 → p1 → p2" });
  });

  test("a span recorded twice (same times and attributes) replays once", () => {
    const spec: SpanSpec = { id: "a", start: 0, end: 1, input: [["user", "q"]], output: "r" };
    const { graph } = graphOf(trace([spec, { ...spec, id: "a2" }]));
    expect(graph.events.map((e) => e.call.callId)).toEqual(["a"]);
  });

  test("spans that are not chat calls (agents, tools) are not replayed", () => {
    const { graph } = graphOf(
      trace(
        [{ id: "a", start: 0, end: 1, input: [["user", "q"]], output: "r", parent: "agent" }],
        [plainSpan("agent", null)],
      ),
    );
    expect(graph.events.map((e) => e.call.callId)).toEqual(["a"]);
  });

  test("developer messages go out as system messages; recorded tool calls keep their ids", () => {
    const doc = trace([
      {
        id: "a",
        start: 0,
        end: 1,
        input: [["developer", "be brief"]],
        output: "ok",
        attributes: {
          "gen_ai.input.messages": JSON.stringify([
            { role: "developer", content: "be brief" },
            { role: "assistant", tool_calls: [{ id: "c1", function: { name: "f", arguments: { x: 1 } } }] },
            { role: "tool", tool_call_id: "c1", content: "42" },
          ]),
        },
      },
    ]);
    const { graph } = graphOf(doc);
    expect(graph.events[0]!.call.messages.flatMap((m) => m.wire)).toEqual([
      { role: "system", content: "be brief" },
      {
        role: "assistant",
        tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"x":1}' } }],
      },
      { role: "tool", tool_call_id: "c1", content: "42" },
    ]);
  });
});

describe("parseTraceDocument()", () => {
  test("reads OTLP/JSON exports (resourceSpans, nanosecond times, typed attribute values)", () => {
    const doc = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "t",
                  spanId: "s1",
                  name: "chat m",
                  startTimeUnixNano: "1767225600000000000",
                  endTimeUnixNano: "1767225601500000000",
                  attributes: [
                    { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
                    {
                      key: "gen_ai.input.messages",
                      value: { stringValue: '[{"role":"user","content":"q"}]' },
                    },
                    { key: "gen_ai.usage.prompt_tokens", value: { intValue: "12" } },
                  ],
                  status: { code: "STATUS_CODE_ERROR" },
                },
              ],
            },
          ],
        },
      ],
    };
    const parsed = parseTraceDocument(doc);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const [s] = parsed.trace.spans;
    expect(s!.endMs! - s!.startMs).toBe(1500);
    expect(s!.statusCode).toBe(2);
    expect(s!.attributes["gen_ai.usage.prompt_tokens"]).toBe(12);
  });

  test.each([
    [[], "expected a JSON object, got a list"],
    [{ foo: 1 }, 'expected a "spans" list (or OTLP "resourceSpans"), got keys foo'],
    [
      { spans: [{ span_id: "a", start_time: "yesterday" }] },
      'spans[0]: span "a": expected an ISO-8601 start_time, got "yesterday"',
    ],
    [
      { spans: [{ start_time: "2026-01-01T00:00:00Z" }] },
      "spans[0]: expected a span_id string, got undefined",
    ],
  ])("names what is wrong with a malformed document (%#)", (doc, problem) => {
    expect(parseTraceDocument(doc)).toEqual({ ok: false, problem });
  });

  test("reads ISO times without a zone as UTC, keeping microseconds", () => {
    const parsed = parseTraceDocument({
      spans: [
        { span_id: "a", start_time: "2026-01-01T00:00:00.000250", end_time: "2026-01-01T00:00:01+01:00" },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.problem);
    const [s] = parsed.trace.spans;
    expect(s!.startMs).toBeCloseTo(Date.UTC(2026, 0, 1) + 0.25, 6);
    expect(s!.endMs).toBe(Date.UTC(2026, 0, 1) - 3_599_000);
  });
});
