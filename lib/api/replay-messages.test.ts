import { describe, expect, test } from "bun:test";
import type { InputSegment } from "../data/replay/types.ts";
import { messagesJson, replayMessages, type SentCall } from "./replay-messages.ts";

// Call 1 of a two-call session: its history repeats call 0's question, then call 0's recorded output
// (a tool call), then the tool's result, then a new question. Call 0 is the "output" segment's source.
const recordedCall = {
  role: "assistant",
  tool_calls: [{ id: "rec_1", type: "function", function: { name: "lookup", arguments: '{"q": "x"}' } }],
};
const call = {
  groups: [
    [JSON.stringify({ role: "user", content: "find x" })],
    [JSON.stringify(recordedCall)],
    [JSON.stringify({ role: "tool", tool_call_id: "rec_1", content: "x is 1" })],
    [JSON.stringify({ role: "user", content: "and y?" })],
  ],
  segments: [
    { type: "shared", messageCount: 1, tokenCount: 2, source: 0 },
    { type: "output", messageCount: 1, tokenCount: 5, source: 0 },
    { type: "unique", messageCount: 2, tokenCount: 6, source: null },
  ] as InputSegment[],
};
const first: SentCall = {
  groups: [[JSON.stringify({ role: "user", content: "find x" })]],
  reply: "",
  toolCalls: [{ id: "live_9", name: "lookup", arguments: '{"q": "x"}' }],
};
const sent = (s: SentCall) => (i: number) => (i === 0 ? s : undefined);
const messages = (groups: string[][]) => JSON.parse(messagesJson(groups));

describe("replayMessages()", () => {
  test("a live tool call replaces the recorded one, and the recorded tool result answers the live call's id", () => {
    const { groups, recordedFor, failure } = replayMessages(call, sent(first), { substitute: true });
    expect([recordedFor, failure]).toEqual([[], null]);
    expect(messages(groups)).toEqual([
      { role: "user", content: "find x" },
      {
        role: "assistant",
        tool_calls: [
          { id: "live_9", type: "function", function: { name: "lookup", arguments: '{"q": "x"}' } },
        ],
      },
      { role: "tool", tool_call_id: "live_9", content: "x is 1" },
      { role: "user", content: "and y?" },
    ]);
  });

  test("a text reply replaces the recorded output, empty or not, as upstream sends the live message", () => {
    const { groups } = replayMessages(call, sent({ ...first, reply: "", toolCalls: [] }), {
      substitute: true,
    });
    expect(messages(groups)[1]).toEqual({ role: "assistant", content: "" });
  });

  const malformed = {
    ...first,
    toolCalls: [{ id: "live_9", name: "lookup", arguments: '{"q": "x"</parameter>' }],
  };

  test("without use_recorded, malformed live arguments are sent as they came", () => {
    const { groups, recordedFor } = replayMessages(call, sent(malformed), { substitute: true });
    expect(messages(groups)[1].tool_calls[0].function.arguments).toBe('{"q": "x"</parameter>');
    expect(recordedFor).toEqual([]);
  });

  test("with use_recorded, malformed live arguments give way to the recorded message, its ids kept", () => {
    const { groups, recordedFor, failure } = replayMessages(call, sent(malformed), {
      substitute: true,
      useRecorded: true,
    });
    expect(messages(groups)[1]).toEqual(recordedCall);
    expect(messages(groups)[2].tool_call_id).toBe("rec_1");
    expect([recordedFor, failure]).toEqual([[0], null]);
  });

  test("with use_recorded, a recorded message that is malformed too fails the call", () => {
    const bad = {
      ...call,
      groups: call.groups.map((g, i) =>
        i === 1
          ? [
              JSON.stringify({
                ...recordedCall,
                tool_calls: [
                  { ...recordedCall.tool_calls[0], function: { name: "lookup", arguments: "{oops" } },
                ],
              }),
            ]
          : g,
      ),
    };
    const { failure } = replayMessages(bad, sent(malformed), {
      substitute: true,
      useRecorded: true,
      eventName: (i) => `trace0_s:event_${i}_a`,
    });
    expect(failure).toBe("recorded fallback for trace0_s:event_0_a is also malformed");
  });

  test("tool results pair with live calls by function name, not position", () => {
    const twoCalls = {
      role: "assistant",
      tool_calls: [
        { id: "r_a", type: "function", function: { name: "a", arguments: "{}" } },
        { id: "r_b", type: "function", function: { name: "b", arguments: "{}" } },
      ],
    };
    const plan = {
      groups: [
        [JSON.stringify({ role: "user", content: "go" })],
        [JSON.stringify(twoCalls)],
        [
          JSON.stringify({ role: "tool", tool_call_id: "r_a", content: "A" }),
          JSON.stringify({ role: "tool", tool_call_id: "r_b", content: "B" }),
        ],
      ],
      segments: [
        { type: "unique", messageCount: 1, tokenCount: 1, source: null },
        { type: "output", messageCount: 1, tokenCount: 1, source: 0 },
        { type: "unique", messageCount: 1, tokenCount: 1, source: null },
      ] as InputSegment[],
    };
    const live: SentCall = {
      groups: null,
      reply: "",
      toolCalls: [
        { id: "l_b", name: "b", arguments: "{}" },
        { id: "l_a", name: "a", arguments: "{}" },
      ],
    };
    const out = messages(replayMessages(plan, sent(live), { substitute: true }).groups);
    expect(out.slice(2).map((m: { tool_call_id: string }) => m.tool_call_id)).toEqual(["l_a", "l_b"]);
  });
});
