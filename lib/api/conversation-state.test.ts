import { describe, expect, test } from "bun:test";
import type { ConversationBlueprint, ConversationTurn } from "../data/conversation.ts";
import { ConversationState } from "./conversation-state.ts";
import { sessionHeaderKeys, sessionHeaders, sessionRequest } from "./session-request.ts";

const turn = (user: string, userTokens = 2, maxTokens = 10): ConversationTurn => ({
  user,
  userTokens,
  maxTokens,
  afterMs: 0,
});
const blueprint: ConversationBlueprint = { system: "SYS", systemTokens: 3, turns: [] };

describe("ConversationState", () => {
  test("completion: prompt = context + ' ' + user, then context = prompt + ' ' + reply (upstream's rule)", () => {
    const state = new ConversationState("completion", blueprint, null);
    const first = state.next(turn("q1"));
    expect(JSON.parse(first.json)).toBe("SYS q1");
    state.replied('he said "hi"\n', 4);
    const second = state.next(turn("q2"));
    expect(JSON.parse(second.json)).toBe('SYS q1 he said "hi"\n q2');
    expect(second.promptTokens).toBe(3 + 2 + 4 + 2);
  });

  test("chat: system, then a user and an assistant message per turn, then the new user message", () => {
    const state = new ConversationState("chat", blueprint, null);
    state.next(turn("q1"));
    state.replied("r1 ✓", 2);
    expect(JSON.parse(state.next(turn("q2")).json)).toEqual([
      { role: "system", content: "SYS" },
      { role: "user", content: "q1" },
      { role: "assistant", content: "r1 ✓" },
      { role: "user", content: "q2" },
    ]);
  });

  test("a failed turn leaves the history as it was", () => {
    const state = new ConversationState("completion", blueprint, null);
    state.next(turn("q1"));
    state.failed();
    expect(JSON.parse(state.next(turn("q2")).json)).toBe("SYS q2");
  });

  test("with max_model_len the oldest turns drop until prompt + max_tokens + 200 fit", () => {
    // Budget: 230 - 10 - 200 = 20 tokens. System 3, each exchange 2 + 6 = 8, new user 2.
    const state = new ConversationState("chat", blueprint, 230);
    for (const q of ["q1", "q2", "q3"]) {
      state.next(turn(q));
      state.replied(`r${q}`, 6);
    }
    // 3 + 3 × 8 + 2 = 29 > 20: drop q1 (21 > 20), then q2 (13): q3 stays.
    const next = state.next(turn("q4"));
    expect(next.promptTokens).toBe(13);
    expect(JSON.parse(next.json).map((m: { content: string }) => m.content)).toEqual([
      "SYS",
      "q3",
      "rq3",
      "q4",
    ]);
  });
});

describe("sessionRequest()", () => {
  const config = {
    api: { type: "chat", streaming: true, headers: { "X-Team": "a" } },
    server: { ignore_eos: true, api_key: null },
  };

  test("wraps the turn's JSON in the usual body fields and adds the session's headers last", () => {
    const built = sessionRequest(config, {
      model: "m",
      field: "messages",
      json: '[{"role":"user","content":"q"}]',
      maxTokens: 7,
      headers: sessionHeaders(sessionHeaderKeys({ session_id_header_key: "x-session-id" }), "conv_1", null),
    });
    expect(built.path).toBe("/v1/chat/completions");
    expect(JSON.parse(built.body)).toEqual({
      model: "m",
      messages: [{ role: "user", content: "q" }],
      max_tokens: 7,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(built.headers).toMatchObject({ "X-Team": "a", "x-session-id": "conv_1" });
    expect(built.bodyBytes).toBe(new TextEncoder().encode(built.body).length);
  });

  test("a call can turn ignore_eos off and add fields (tools)", () => {
    const built = sessionRequest(config, {
      model: "m",
      field: "prompt",
      json: '"p"',
      maxTokens: 0,
      ignoreEos: false,
      extra: ',"tool_choice":"none"',
    });
    expect(built.path).toBe("/v1/completions");
    expect(JSON.parse(built.body)).toMatchObject({ max_tokens: 30, ignore_eos: false, tool_choice: "none" });
  });

  test("the session token header is sent once the server has given one", () => {
    const keys = sessionHeaderKeys({ session_token_header_key: "x-route" });
    expect(sessionHeaders(keys, "s", null)).toBeNull();
    expect(sessionHeaders(keys, "s", "pod-7")).toEqual({ "x-route": "pod-7" });
  });
});
