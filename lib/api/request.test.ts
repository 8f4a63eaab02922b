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

test("with data.use_chat_template a completion body says add_special_tokens: false (the prompt holds its BOS)", () => {
  const templated = { ...config(), data: { use_chat_template: true } };
  expect(JSON.parse(buildRequest(templated, item, "m").body).add_special_tokens).toBe(false);
  expect(JSON.parse(buildRequest(config(), item, "m").body)).not.toHaveProperty("add_special_tokens");
  const chat = { ...config({ type: "chat" }), data: { use_chat_template: true } };
  expect(JSON.parse(buildRequest(chat, item, "m").body)).not.toHaveProperty("add_special_tokens");
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
  expect(() => buildRequest(config({ type: "embeddings" }), item, "m")).toThrow(RangeError);
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

test("a Messages request moves system turns to `system` and sends x-api-key and anthropic-version", () => {
  const withSystem: GeneratedRequest = {
    ...item,
    messages: [
      { role: "system", content: "Be brief" },
      { role: "system", content: "Be kind" },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "user", content: "Story?" },
    ],
  };
  const built = buildRequest(
    config({ type: "anthropic_messages" }, { api_key: "sk-1" }),
    withSystem,
    "claude",
  );
  expect(built.path).toBe("/v1/messages");
  expect(JSON.parse(built.body)).toEqual({
    model: "claude",
    messages: [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "user", content: "Story?" },
    ],
    max_tokens: 64,
    stream: true,
    system: "Be brief\n\nBe kind",
  });
  expect(built.headers).toEqual({
    "content-type": "application/json",
    accept: "text/event-stream",
    "x-api-key": "sk-1",
    "anthropic-version": "2023-06-01",
  });
});

test("a Messages request without system turns or a key sends neither, and never response_format", () => {
  const format = { type: "json_object" as const, name: "n", json_schema: null };
  const built = buildRequest(config({ type: "anthropic_messages", response_format: format }), item, "c");
  const body = JSON.parse(built.body);
  expect("system" in body).toBe(false);
  expect("response_format" in body).toBe(false);
  expect(built.headers["x-api-key"]).toBeUndefined();
  expect(built.headers.authorization).toBeUndefined();
});

test.each([
  [
    "json_schema",
    { type: "json_schema" as const, name: "person", json_schema: { type: "object" } },
    {
      type: "json_schema",
      json_schema: { name: "person", schema: { type: "object" } },
    },
  ],
  [
    "json_object",
    { type: "json_object" as const, name: "structured_output", json_schema: null },
    { type: "json_object" },
  ],
])("response_format %s is sent as inference-perf's to_api_format builds it", (_name, format, expected) => {
  for (const type of ["completion", "chat"]) {
    const body = JSON.parse(buildRequest(config({ type, response_format: format }), item, "m").body);
    expect(body.response_format).toEqual(expected);
  }
});

test("api.headers replace the auth header whatever their case, for both APIs", () => {
  const anthropic = buildRequest(
    config(
      { type: "anthropic_messages", headers: { "X-Api-Key": "override", "x-slo-ttft-ms": "200" } },
      { api_key: "k" },
    ),
    item,
    "m",
  );
  expect(anthropic.headers["X-Api-Key"]).toBe("override");
  expect(anthropic.headers["x-api-key"]).toBeUndefined();
  expect(anthropic.headers["x-slo-ttft-ms"]).toBe("200");
});
