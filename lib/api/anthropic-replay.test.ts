import { describe, expect, test } from "bun:test";
import { anthropicSessionRequest, convertMessage, createAnthropicMemo } from "./anthropic-replay.ts";
import type { RequestConfig } from "./request.ts";

const config = {
  api: { type: "anthropic_messages", streaming: true, headers: { "x-extra": "1" } },
  server: { api_key: "k" },
} as unknown as RequestConfig;
const j = (v: unknown) => JSON.stringify(v);

describe("convertMessage()", () => {
  test.each([
    [{ role: "user", content: "hi" }, { message: j({ role: "user", content: "hi" }) }],
    [
      {
        role: "system",
        content: [
          { type: "text", text: "be " },
          { type: "text", text: "brief" },
        ],
      },
      { system: "be brief" },
    ],
    [
      { role: "tool", tool_call_id: "c1", content: "42" },
      { message: j({ role: "user", content: [{ type: "tool_result", tool_use_id: "c1", content: "42" }] }) },
    ],
    [
      {
        role: "assistant",
        content: "Looking.",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "f", arguments: '{"a": 1}' } },
          { id: "c2", type: "function", function: { name: "g", arguments: "{oops" } },
          { id: "c3", type: "function", function: { name: "h", arguments: "[1]" } },
        ],
      },
      {
        message: j({
          role: "assistant",
          content: [
            { type: "text", text: "Looking." },
            { type: "tool_use", id: "c1", name: "f", input: { a: 1 } },
            { type: "tool_use", id: "c2", name: "g", input: { arguments: "{oops" } },
            { type: "tool_use", id: "c3", name: "h", input: { value: [1] } },
          ],
        }),
      },
    ],
    [{ role: "developer", content: null }, { message: j({ role: "user", content: "" }) }],
  ])("%j", (message, converted) => {
    expect(convertMessage(j(message))).toEqual(converted);
  });
});

test("anthropicSessionRequest() builds upstream's Messages body: system apart, history converted, tools after", () => {
  const memo = createAnthropicMemo();
  const built = anthropicSessionRequest(
    config,
    {
      model: "m",
      groups: [[j({ role: "system", content: "sys" })], [j({ role: "user", content: "q" })]],
      maxTokens: 7,
      extra:
        ',"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"f"}',
      headers: { "x-session-id": "s1" },
    },
    memo,
  );
  expect(built.path).toBe("/v1/messages");
  expect(JSON.parse(built.body)).toEqual({
    model: "m",
    messages: [{ role: "user", content: "q" }],
    max_tokens: 7,
    stream: true,
    system: "sys",
    tools: [{ name: "f", input_schema: { type: "object" } }],
    tool_choice: { type: "tool", name: "f" },
  });
  expect(built.headers).toMatchObject({
    "x-api-key": "k",
    "anthropic-version": "2023-06-01",
    "x-session-id": "s1",
  });
  expect(memo.size).toBe(2); // each message converted once, for the session's later calls
});
