import { describe, expect, test } from "bun:test";
import { createStreamRenderer, errorEvent, responseBody, usageOf, type WireContext } from "./wire.ts";

const ctx = (kind: "completion" | "chat", includeUsage = false): WireContext => ({
  kind,
  id: "x-1",
  created: 1700000000,
  model: 'm"odel',
  includeUsage,
  promptTokens: 3,
});

describe("createStreamRenderer()", () => {
  test("renders a completion token event byte for byte, escaping text and model", () => {
    expect(createStreamRenderer(ctx("completion")).token(' "hi"\n', null)).toBe(
      'data: {"id":"x-1","object":"text_completion","created":1700000000,"model":"m\\"odel","choices":[{"index":0,"text":" \\"hi\\"\\n","logprobs":null,"finish_reason":null,"stop_reason":null}]}\n\n',
    );
  });

  test("renders chat deltas, the role-only opening, and usage:null only with include_usage", () => {
    const r = createStreamRenderer(ctx("chat", true));
    expect(JSON.parse(r.opening.slice(6))).toEqual({
      id: "x-1",
      object: "chat.completion.chunk",
      created: 1700000000,
      model: 'm"odel',
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
      usage: null,
    });
    const last = JSON.parse(r.token(" end", "stop").slice(6));
    expect(last.choices[0]).toEqual({
      index: 0,
      delta: { content: " end" },
      logprobs: null,
      finish_reason: "stop",
    });
    expect(JSON.parse(r.usage(usageOf(3, 4)).slice(6))).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
  });

  test("tokenJson() with pre-encoded text equals token()", () => {
    const r = createStreamRenderer(ctx("completion", true));
    expect(r.tokenJson(JSON.stringify(" word"), "length")).toBe(r.token(" word", "length"));
  });

  test("a malformed event is framed as an event but its JSON does not parse", () => {
    const event = createStreamRenderer(ctx("completion")).malformed(" word");
    expect(event.startsWith("data: {")).toBe(true);
    expect(event.endsWith("\n\n")).toBe(true);
    expect(() => JSON.parse(event.slice(6))).toThrow();
  });
});

test("responseBody() and errorEvent() give OpenAI shapes", () => {
  const body = JSON.parse(responseBody(ctx("chat"), " a b", "length", usageOf(1, 2)));
  expect(body).toMatchObject({
    object: "chat.completion",
    choices: [{ message: { role: "assistant", content: " a b" }, finish_reason: "length" }],
    usage: { total_tokens: 3 },
  });
  expect(JSON.parse(errorEvent("boom").slice(6))).toEqual({
    error: { message: "boom", type: "InternalServerError", param: null, code: 500 },
  });
});
