import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SHAKESPEARE_CORIOLANUS } from "../assets/shakespeare.ts";
import { defaultTokenizer } from "../tokenizer/default.ts";
import { buildReplayGraph } from "./replay-graph.ts";
import { sessionPlan } from "./session-plan.ts";
import { idleGapWarp, wekaCalls } from "./weka-calls.ts";
import { parseWekaTrace, type WekaTrace } from "./weka-trace.ts";

const tokenizer = defaultTokenizer();
const corpus = tokenizer.encode(SHAKESPEARE_CORIOLANUS);
const raw = JSON.parse(
  readFileSync(join(import.meta.dir, "../../../fixtures/weka/small-trace.json"), "utf8"),
);

function parsed(): WekaTrace {
  const trace = parseWekaTrace(raw);
  if (typeof trace === "string") throw new Error(trace);
  return trace;
}
const calls = (seed = 1, cap = 60) =>
  wekaCalls(parsed(), { tokenizer, corpus, baseSeed: seed, idleGapCapS: cap, defaultBlockSize: 64 });

describe("parseWekaTrace()", () => {
  test("reads the main conversation and the subagents, each with its place in the trace", () => {
    const trace = parsed();
    expect(trace.normals.map((n) => n.at)).toEqual([0, 1, 3]);
    expect(trace.subagents.map((s) => [s.at, s.entry.agentId, s.entry.requests.length])).toEqual([
      [2, "explorer", 2],
    ]);
  });

  test.each([
    [{ ...raw, id: "" }, "id: expected a string"],
    [{ ...raw, block_size: 0 }, "block_size: expected an integer >= 1"],
    [
      { ...raw, requests: [{ t: 0, type: "x" }] },
      'requests[0].type: expected "n", "s" or "subagent", got "x"',
    ],
    [
      { ...raw, requests: [{ t: 0, type: "n", model: "m", in: -1, out: 1 }] },
      "requests[0].in: expected an integer >= 0",
    ],
  ])("names what is wrong (%#)", (doc, problem) => {
    expect(parseWekaTrace(doc)).toBe(problem);
  });
});

describe("wekaCalls()", () => {
  test("a later turn keeps the earlier prompt where the hash ids agree, and adds the reply as an assistant message", () => {
    const [t0, t1] = calls().filter((c) => c.callId.startsWith("parent"));
    // Turn 0: the tool and system tokens (32 → 2 blocks) as a system message, the rest as the user's.
    expect(t0!.messages.map((m) => m.role)).toEqual(["system", "user"]);
    // Turn 1 shares blocks 1-4 and the previous turn's partial tail is dropped: same system message,
    // the user text up to its last whole block, then the reply (20 tokens → 2 blocks) and the new user text.
    expect(t1!.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(t1!.messages[0]!.text).toBe(t0!.messages[0]!.text);
    expect(t0!.messages[1]!.text.startsWith(t1!.messages[1]!.text)).toBe(true);
    // Turn 0's expected output is exactly the assistant text turn 1 carries, so the graph links them.
    expect(t0!.output!.text).toBe(t1!.messages[2]!.text);
    expect([t1!.promptTokens, t1!.completionTokens]).toEqual([120, 12]);
  });

  test("the graph chains the main turns by content and runs the subagent's turns as their own chain", () => {
    const graph = buildReplayGraph(calls(), "weka");
    const byId = new Map(graph.events.map((e, i) => [e.call.callId, i]));
    const turn1 = graph.events[byId.get("parent_turn_1")!]!;
    expect(turn1.predecessors).toContain(byId.get("parent_turn_0")!);
    expect(turn1.dependencyTypes[turn1.predecessors.indexOf(byId.get("parent_turn_0")!)]).toBe("full_match");
    const sub1 = graph.events[byId.get("sa_explorer_s0_turn_1")!]!;
    expect(sub1.predecessors).toContain(byId.get("sa_explorer_s0_turn_0")!);
  });

  test("an idle gap longer than trace_idle_gap_cap_seconds shrinks to the cap", () => {
    const last = (cap: number) => calls(1, cap).find((c) => c.callId === "parent_turn_2")!.startMs;
    // 2.0 s (the subagent's last start) to 95.0 s: 93 s of idle, capped at 60 s.
    expect(last(60)).toBe(62_000);
    expect(last(0)).toBe(95_000);
  });

  test("the same seed rebuilds the same prompts; another seed other prompts", () => {
    const text = (seed: number) => calls(seed).map((c) => c.messages.map((m) => m.text).join("|"));
    expect(text(1)).toEqual(text(1));
    expect(text(2)).not.toEqual(text(1));
  });

  test("idleGapWarp() maps times inside a long gap to at most the cap after its start", () => {
    // Starts 0, 10, 100 s with a 5 s cap: both gaps shrink to 5 s (by 5 s, then by 85 s more).
    const warp = idleGapWarp([0, 10, 100], 5);
    expect([warp(0), warp(10), warp(12), warp(50), warp(100), warp(101)]).toEqual([0, 5, 7, 10, 10, 11]);
  });

  test("use_think_time_only waits a later turn's recorded think_time after its predecessor, not the timestamps' gap", () => {
    // Turn 1 starts 1.0 s after turn 0 started, which ran 0.4 s: a 600 ms gap; it recorded 250 ms of thinking.
    // The last turn records none, so it keeps its gap; the first has nothing to wait after.
    const requests = raw.requests.map((r: Record<string, unknown>, i: number) =>
      i === 1 ? { ...r, think_time: 0.25 } : r,
    );
    const trace = parseWekaTrace({ ...raw, requests });
    if (typeof trace === "string") throw new Error(trace);
    const graph = buildReplayGraph(
      wekaCalls(trace, { tokenizer, corpus, baseSeed: 1, idleGapCapS: 60, defaultBlockSize: 64 }),
      "weka",
    );
    const options = {
      use_static_model: false,
      static_model_name: "",
      default_max_tokens: 100,
      override_tool_call_max_tokens: true,
      max_wait_ms: 100_000,
    };
    const waits = (use_think_time_only: boolean) => {
      const plan = sessionPlan(graph, "s", { ...options, use_think_time_only }, null);
      return Object.fromEntries(graph.events.map((e, i) => [e.call.callId, plan.calls[i]!.waitMs]));
    };
    expect(waits(false).parent_turn_1).toBe(600);
    expect(waits(true).parent_turn_1).toBe(250);
    expect(waits(true).parent_turn_0).toBe(0);
    expect(waits(true).parent_turn_2).toBe(waits(false).parent_turn_2);
    // Capped by max_wait_ms like every wait.
    const capped = sessionPlan(graph, "s", { ...options, max_wait_ms: 100, use_think_time_only: true }, null);
    expect(capped.calls[graph.events.findIndex((e) => e.call.callId === "parent_turn_1")]!.waitMs).toBe(100);
  });
});
