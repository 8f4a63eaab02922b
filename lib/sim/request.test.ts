import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseRequestBody } from "./request.ts";

describe("parseRequestBody()", () => {
  test("reads a completion request with vLLM's fields", () => {
    const result = parseRequestBody(
      "completion",
      JSON.stringify({
        model: "m",
        prompt: "hi",
        max_tokens: 7,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0,
      }),
    );
    expect(result).toEqual({
      ok: true,
      request: {
        kind: "completion",
        model: "m",
        promptTexts: ["hi"],
        media: [],
        promptTokenIds: null,
        maxTokens: 7,
        ignoreEos: true,
        stream: true,
        includeUsage: true,
        jsonSchema: null,
      },
    });
  });

  test("accepts token-id prompts and one-element prompt lists", () => {
    const ids = parseRequestBody("completion", '{"prompt":[1,2,3]}');
    expect(ids.ok && ids.request.promptTokenIds).toBe(3);
    const list = parseRequestBody("completion", '{"prompt":["one"]}');
    expect(list.ok && list.request.promptTexts).toEqual(["one"]);
  });

  test("reads chat messages, text parts, and prefers max_completion_tokens over max_tokens", () => {
    const result = parseRequestBody(
      "chat",
      JSON.stringify({
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: [{ type: "text", text: "hello" }] },
        ],
        max_tokens: 5,
        max_completion_tokens: 9,
      }),
    );
    expect(result.ok && result.request.promptTexts).toEqual(["be brief", "hello"]);
    expect(result.ok && result.request.maxTokens).toBe(9);
    expect(result.ok && result.request.model).toBeUndefined();
  });

  test.each([
    ["completion", "{not json", null],
    ["completion", "[1,2]", null],
    ["completion", "{}", "prompt"],
    ["completion", '{"prompt":42}', "prompt"],
    ["completion", '{"prompt":["a","b"]}', "prompt"],
    ["completion", '{"prompt":"a","model":5}', "model"],
    ["completion", '{"prompt":"a","max_tokens":0}', "max_tokens"],
    ["completion", '{"prompt":"a","max_tokens":2.5}', "max_tokens"],
    ["completion", '{"prompt":"a","max_tokens":"10"}', "max_tokens"],
    ["completion", '{"prompt":"a","n":2}', "n"],
    ["completion", '{"prompt":"a","stream":"yes"}', "stream"],
    ["completion", '{"prompt":"a","ignore_eos":1}', "ignore_eos"],
    ["completion", '{"prompt":"a","stream_options":{"include_usage":true}}', "stream_options"],
    ["completion", '{"prompt":"a","stream":true,"stream_options":{"include_usage":"y"}}', "stream_options"],
    ["chat", '{"prompt":"a"}', "messages"],
    ["chat", '{"messages":[]}', "messages"],
    ["chat", '{"messages":["hi"]}', "messages"],
    ["chat", '{"messages":[{"role":"wizard","content":"hi"}]}', "messages"],
    ["chat", '{"messages":[{"role":"user","content":5}]}', "messages"],
    [
      "chat",
      '{"messages":[{"role":"user","content":"a"}],"max_completion_tokens":-1}',
      "max_completion_tokens",
    ],
  ] as const)("rejects %s body %s (param %s)", (kind, body, param) => {
    const result = parseRequestBody(kind, body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.param).toBe(param);
      expect(result.message.length).toBeGreaterThan(5);
    }
  });
});

describe("parseRequestBody() on arbitrary input", () => {
  test("never throws, and accepts only what it can serve", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("completion" as const, "chat" as const),
        fc.oneof(fc.json(), fc.string()),
        (kind, text) => {
          const result = parseRequestBody(kind, text);
          if (result.ok) {
            const r = result.request;
            expect(r.maxTokens === null || (Number.isInteger(r.maxTokens) && r.maxTokens >= 1)).toBe(true);
            expect(r.promptTexts.every((t) => typeof t === "string")).toBe(true);
            expect(r.promptTexts.length > 0 || (r.promptTokenIds ?? 0) > 0 || kind === "chat").toBe(true);
          } else {
            expect(result.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("accepts every well-formed completion request fast-check can build", () => {
    const body = fc.record(
      {
        prompt: fc.oneof(fc.string(), fc.array(fc.nat(), { minLength: 1 })),
        max_tokens: fc.integer({ min: 1, max: 10_000 }),
        stream: fc.boolean(),
        ignore_eos: fc.boolean(),
        model: fc.string(),
      },
      { requiredKeys: ["prompt"] },
    );
    fc.assert(
      fc.property(body, (b) => {
        expect(parseRequestBody("completion", JSON.stringify(b)).ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
