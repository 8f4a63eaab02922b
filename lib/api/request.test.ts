import { expect, test } from "bun:test";
import fc from "fast-check";
import type { GeneratedRequest } from "../data/types.ts";
import { buildRequest, defaultMaxTokens, type RequestConfig, requestModel, utf8Length } from "./request.ts";

const item: GeneratedRequest = {
  prompt: "Tell me a story",
  messages: [{ role: "user", content: "Tell me a story" }],
  maxTokens: 64,
  expectedPromptTokens: 4,
};

function config(
  overrides: Partial<RequestConfig["api"]> = {},
  server: RequestConfig["server"] = {},
): RequestConfig {
  return {
    api: { type: "completion", streaming: true, ...overrides },
    server: { ignore_eos: true, ...server },
  };
}

test("a streamed completion request carries prompt, max_tokens, ignore_eos and include_usage", () => {
  const built = buildRequest(config(), item, "llama");
  expect(built.path).toBe("/v1/completions");
  expect(JSON.parse(built.body)).toEqual({
    model: "llama",
    prompt: "Tell me a story",
    max_tokens: 64,
    ignore_eos: true,
    stream: true,
    stream_options: { include_usage: true },
  });
  expect(built.headers).toEqual({ "content-type": "application/json", accept: "text/event-stream" });
  expect(built.bodyBytes).toBe(new TextEncoder().encode(built.body).length);
});

test("a unary chat request sends messages, no stream_options, and no ignore_eos when it is off", () => {
  const built = buildRequest(config({ type: "chat", streaming: false }, { ignore_eos: false }), item, "m");
  expect(built.path).toBe("/v1/chat/completions");
  expect(JSON.parse(built.body)).toEqual({
    model: "m",
    messages: item.messages,
    max_tokens: 64,
    stream: false,
  });
});

test("max_tokens defaults to inference-perf's 30 when the item names none", () => {
  const built = buildRequest(config(), { ...item, maxTokens: undefined }, "m");
  expect(JSON.parse(built.body).max_tokens).toBe(defaultMaxTokens);
  expect(defaultMaxTokens).toBe(30);
});

test("the API key becomes a Bearer header and api.headers override case-insensitively", () => {
  const built = buildRequest(
    config(
      { headers: { "Content-Type": "application/json; charset=utf-8", "X-Team": "perf" } },
      { api_key: "sk-1" },
    ),
    item,
    "m",
  );
  expect(built.headers).toEqual({
    accept: "text/event-stream",
    authorization: "Bearer sk-1",
    "Content-Type": "application/json; charset=utf-8",
    "X-Team": "perf",
  });
});

test("requestModel() prefers the LoRA adapter over server.model_name", () => {
  expect(requestModel(config({}, { model_name: "base" }), "lora-a")).toBe("lora-a");
  expect(requestModel(config({}, { model_name: "base" }), null)).toBe("base");
  expect(requestModel({ api: { type: "chat", streaming: false }, server: null }, null)).toBe("");
});

test("an unsupported api.type is a programmer error", () => {
  expect(() => buildRequest(config({ type: "anthropic_messages" }), item, "m")).toThrow(RangeError);
});

test("utf8Length() equals the encoded length for any string (property)", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), (a, b) => {
      const text = `${a}${b}\ud800`; // a lone surrogate too
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
    }),
    { numRuns: 300 },
  );
});
