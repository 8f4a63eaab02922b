import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { messagesJson, replayMessages, type SentCall } from "../../api/replay-messages.ts";
import { callsFromSpans } from "./otel-calls.ts";
import { parseTraceDocument } from "./otel-spans.ts";
import { buildReplayGraph } from "./replay-graph.ts";
import { type ReplayPlanOptions, sessionPlan } from "./session-plan.ts";
import { trace } from "./trace.testing.ts";

const options: ReplayPlanOptions = {
  use_static_model: true,
  static_model_name: "served",
  model_mapping: null,
  default_max_tokens: 1000,
  override_tool_call_max_tokens: true,
  max_wait_ms: 15000,
};

function graphOf(doc: unknown) {
  const parsed = parseTraceDocument(doc);
  if (!parsed.ok) throw new Error(parsed.problem);
  const calls = callsFromSpans(parsed.trace.spans, { includeErrors: false });
  if (!calls.ok) throw new Error(calls.problem);
  return buildReplayGraph(calls.result.calls, "t.json");
}

const fanIn = JSON.parse(
  readFileSync(join(import.meta.dir, "../../../fixtures/otel/fan_in_dependencies.json"), "utf8"),
);

describe("sessionPlan() and replayMessages()", () => {
  test("the fan-in call sends its first question as call 0 sent it and the three live replies in place of the recorded ones", () => {
    const plan = sessionPlan(graphOf(fanIn), "trace0_test_trace_003", options, null);
    const sent: SentCall[] = plan.calls.map((call, i) => ({
      groups: replayMessages(call, () => undefined, { substitute: true }).groups,
      reply: `LIVE-${i}`,
    }));
    const join = plan.calls[3]!;
    const messages = JSON.parse(
      messagesJson(replayMessages(join, (i) => sent[i], { substitute: true }).groups),
    );
    expect(messages.map((m: { role: string; content: string }) => [m.role, m.content.slice(0, 25)])).toEqual([
      ["user", "What are the main feature"],
      ["assistant", "LIVE-0"],
      ["user", "What are the main feature"],
      ["assistant", "LIVE-1"],
      ["user", "What are the main feature"],
      ["assistant", "LIVE-2"],
      ["user", "Now compare all three lan"],
    ]);
    expect(join.predecessors).toEqual([2, 1, 0]);
    expect(join.model).toBe("served");
  });

  test("with substitution off, the recorded messages go out as they are", () => {
    const plan = sessionPlan(graphOf(fanIn), "s", options, null);
    const messages = JSON.parse(
      messagesJson(
        replayMessages(plan.calls[3]!, () => ({ groups: null, reply: "LIVE" }), { substitute: false }).groups,
      ),
    );
    expect(messages[1].content).toStartWith("Python's main features include");
  });

  test("think times are capped by max_wait_ms, or dropped with ignore_trace_delays", () => {
    const doc = trace([
      { id: "a", start: 0, end: 1, input: [["user", "q"]], output: "r" },
      { id: "b", start: 61, end: 62, input: [["user", "q2"]], output: "r2" },
    ]);
    expect(sessionPlan(graphOf(doc), "s", options, null).calls.map((c) => c.waitMs)).toEqual([0, 15000]);
    expect(
      sessionPlan(graphOf(doc), "s", { ...options, ignore_trace_delays: true }, null).calls.map(
        (c) => c.waitMs,
      ),
    ).toEqual([0, 0]);
  });

  test("a duplicate's tag goes before every unique message only", () => {
    const doc = trace([
      { id: "a", start: 0, end: 1, input: [["user", "q"]], output: "r" },
      {
        id: "b",
        start: 2,
        end: 3,
        input: [
          ["user", "q"],
          ["assistant", "r"],
          ["user", "next"],
        ],
        output: "r2",
      },
    ]);
    const plan = sessionPlan(graphOf(doc), "s_dup1", options, "abc123");
    expect(plan.calls[1]!.groups.map((g) => JSON.parse(g[0]!).content)).toEqual([
      "q",
      "r",
      "[SESS:abc123] next",
    ]);
    expect(JSON.parse(plan.calls[0]!.groups[0]![0]!).content).toBe("[SESS:abc123] q");
  });

  test("model: static name, else the mapping, else as recorded; headers from span attributes", () => {
    const doc = trace([
      { id: "a", start: 0, end: 1, input: [["user", "q"]], output: "r", attributes: { "app.tenant": "t9" } },
    ]);
    const mapped = sessionPlan(
      graphOf(doc),
      "s",
      {
        ...options,
        use_static_model: false,
        model_mapping: { "gpt-4": "local" },
        attribute_to_header_map: { "app.tenant": "x-tenant", "app.missing": "x-missing" },
      },
      null,
    ).calls[0]!;
    expect(mapped.model).toBe("local");
    expect(mapped.headers).toEqual({ "x-tenant": "t9", "x-missing": "default" });
    expect(mapped.labels).toBeNull();
    const labelled = sessionPlan(
      graphOf(
        trace([
          { id: "a", start: 0, end: 1, input: [["user", "q"]], attributes: { "app.pii": true, "app.n": 2 } },
        ]),
      ),
      "s",
      { ...options, attribute_to_label_map: { "app.pii": "pii", "app.n": "n", "app.none": "team" } },
      null,
    ).calls[0]!;
    // As upstream's str(value): Python's spelling of booleans; "default" for an attribute the span lacks.
    expect(labelled.labels).toEqual({ pii: "True", n: "2", team: "default" });
    expect(labelled.headers).toBeNull();
    const recorded = sessionPlan(graphOf(doc), "s", { ...options, use_static_model: false }, null).calls[0]!;
    expect(recorded.model).toBe("gpt-4");
  });

  test("a recorded tool call is forced by name and may run long; a text turn with tools may not call one", () => {
    const tools = JSON.stringify([{ name: "lookup", description: "d", parameters: { type: "object" } }]);
    const doc = trace([
      {
        id: "a",
        start: 0,
        end: 1,
        input: [["user", "q"]],
        completionTokens: 50,
        attributes: {
          "gen_ai.tool.definitions": tools,
          "gen_ai.output.messages": JSON.stringify([
            { role: "assistant", tool_calls: [{ id: "c1", function: { name: "lookup", arguments: "{}" } }] },
          ]),
        },
      },
      {
        id: "b",
        start: 2,
        end: 3,
        input: [["user", "q2"]],
        output: "text",
        attributes: { "gen_ai.tool.definitions": tools },
      },
    ]);
    const [toolTurn, textTurn] = sessionPlan(graphOf(doc), "s", options, null).calls;
    expect(JSON.parse(`{${toolTurn!.extra.slice(1)}}`)).toEqual({
      tools: [
        { type: "function", function: { name: "lookup", description: "d", parameters: { type: "object" } } },
      ],
      tool_choice: { type: "function", function: { name: "lookup" } },
    });
    expect([toolTurn!.maxTokens, toolTurn!.ignoreEos]).toEqual([4096, false]);
    expect(JSON.parse(`{${textTurn!.extra.slice(1)}}`).tool_choice).toBe("none");
  });
});
