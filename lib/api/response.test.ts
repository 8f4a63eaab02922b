import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { defaultTokenizer } from "../data/tokenizer/default.ts";
import { createResponseReader, type ResponseOutcome } from "./response.ts";

const tokenizer = defaultTokenizer();
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/sse/${name}`, import.meta.url)));
const encode = (text: string) => new TextEncoder().encode(text);

/** Feeds the body as one read per SSE event (blank-line separated), at 100, 110, 120 … ms; ends 5 ms later. */
function readStream(body: Uint8Array, apiType = "chat", status = 200): ResponseOutcome {
  const reader = createResponseReader({
    streamed: true,
    apiType,
    tokenizer,
    countOutput: "always",
    countPromptTokens: () => 3,
  });
  reader.onHeaders(status, 90);
  const text = new TextDecoder().decode(body);
  const parts = text.split(/(?<=\n\n|\r\n\r\n)/);
  let at = 100;
  for (const part of parts) {
    reader.onData(encode(part), at);
    at += 10;
  }
  return reader.finish(at + 5);
}

test("a vLLM completion stream gives one token event per text chunk and the usage counts", () => {
  const outcome = readStream(fixture("vllm-completion.sse"), "completion");
  // 10 text chunks arrive at 100 … 190 ms; the usage chunk and [DONE] carry no text.
  expect(outcome.tokenEventMs).toEqual([100, 110, 120, 130, 140, 150, 160, 170, 180, 190]);
  expect(outcome).toMatchObject({
    failure: null,
    status: 200,
    promptTokens: 12,
    promptTokensSource: "server",
    cachedPromptTokens: 8,
    serverOutputTokens: 10,
  });
  expect(outcome.clientOutputTokens).toBe(tokenizer.count(" The quick brown fox jumps over the lazy dog."));
});

test("a chat stream skips the role-only and empty finish chunks and decodes multi-byte text", () => {
  const outcome = readStream(fixture("vllm-chat.sse"));
  // Chunk 0 (role) is at 100 ms; the 8 content chunks at 110 … 180; the empty finish chunk at 190.
  expect(outcome.tokenEventMs).toEqual([110, 120, 130, 140, 150, 160, 170, 180]);
  expect(outcome.clientOutputTokens).toBe(tokenizer.count("Hello! Ça va 🙂 日本語."));
  expect(outcome.serverOutputTokens).toBe(10);
  expect(outcome.cachedPromptTokens).toBe(0);
});

test("reasoning deltas (reasoning_content and reasoning) are token events and count as output", () => {
  const outcome = readStream(fixture("vllm-chat-reasoning.sse"));
  expect(outcome.tokenEventMs).toHaveLength(10);
  expect(outcome.tokenEventMs[0]).toBe(110); // the first reasoning delta, not the first answer token
  expect(outcome.clientOutputTokens).toBe(tokenizer.count("Okay, the user asks 2 + 24."));
});

test("CRLF line ends, comments and data: without a space are read like any stream", () => {
  const outcome = readStream(fixture("openai-chat-crlf.sse"));
  expect(outcome.tokenEventMs).toHaveLength(2);
  expect(outcome).toMatchObject({ failure: null, promptTokens: 5, serverOutputTokens: 2 });
});

test("an error object inside a 200 stream is a stream_error with the server's message", () => {
  const outcome = readStream(fixture("vllm-error-in-stream.sse"), "completion");
  expect(outcome.failure).toBe("stream_error");
  expect(outcome.errorMessage).toContain("longer than the maximum model length");
  expect(outcome.tokenEventMs).toEqual([100]);
});

test("an event with broken JSON is a parse_error", () => {
  const outcome = readStream(fixture("bad-json.sse"), "completion");
  expect(outcome.failure).toBe("parse_error");
  expect(outcome.tokenEventMs).toHaveLength(1);
});

test("a non-2xx response is an http_status failure carrying the server's message", () => {
  const reader = createResponseReader({ streamed: true, apiType: "chat", tokenizer });
  reader.onHeaders(429, 10);
  reader.onData(encode('{"error":{"message":"Too many requests","type":"rate_limit"}}'), 11);
  const outcome = reader.finish(12);
  expect(outcome).toMatchObject({ failure: "http_status", status: 429, errorMessage: "Too many requests" });
  expect(outcome.promptTokens).toBe(-1);
});

test("a streamed request answered with a JSON error body is a stream_error; plain text is a parse_error", () => {
  const json = createResponseReader({ streamed: true, apiType: "chat", tokenizer: null });
  json.onHeaders(200, 1);
  json.onData(encode('{"error": "model is loading"}'), 2);
  expect(json.finish(3)).toMatchObject({ failure: "stream_error", errorMessage: "model is loading" });
  const html = createResponseReader({ streamed: true, apiType: "chat", tokenizer: null });
  html.onHeaders(200, 1);
  html.onData(encode("<html>proxy</html>"), 2);
  expect(html.finish(3).failure).toBe("parse_error");
  const empty = createResponseReader({ streamed: true, apiType: "chat", tokenizer: null });
  empty.onHeaders(200, 1);
  expect(empty.finish(3).failure).toBe("stream_error");
});

test("a unary completion reads text, usage and has no token events", () => {
  const reader = createResponseReader({
    streamed: false,
    apiType: "completion",
    tokenizer,
    countOutput: "always",
  });
  reader.onHeaders(200, 5);
  const body = encode(
    JSON.stringify({
      choices: [{ index: 0, text: "Hello world" }],
      usage: { prompt_tokens: 4, completion_tokens: 2 },
    }),
  );
  reader.onData(body.subarray(0, 7), 6);
  reader.onData(body.subarray(7), 7);
  const outcome = reader.finish(8);
  expect(outcome).toMatchObject({ failure: null, tokenEventMs: [], promptTokens: 4, serverOutputTokens: 2 });
  expect(outcome.clientOutputTokens).toBe(tokenizer.count("Hello world"));
});

test("a unary chat response reads message content; an error body in a 200 is a failure", () => {
  const ok = createResponseReader({
    streamed: false,
    apiType: "chat",
    tokenizer,
    countPromptTokens: () => 17,
  });
  ok.onHeaders(200, 1);
  ok.onData(encode('{"choices":[{"message":{"role":"assistant","content":"Yes."}}]}'), 2);
  expect(ok.finish(3)).toMatchObject({
    failure: null,
    promptTokens: 17,
    promptTokensSource: "client",
    serverOutputTokens: -1,
    clientOutputTokens: tokenizer.count("Yes."),
  });
  const bad = createResponseReader({ streamed: false, apiType: "chat", tokenizer: null });
  bad.onHeaders(200, 1);
  bad.onData(encode('{"error":{"message":"boom"}}'), 2);
  expect(bad.finish(3)).toMatchObject({
    failure: "stream_error",
    errorMessage: "boom",
    clientOutputTokens: -1,
  });
});

test.each([
  ["vllm-chat.sse", "chat"],
  ["anthropic-messages.sse", "anthropic_messages"],
])("the outcome of %s does not depend on how the stream is cut into reads (property)", (name, apiType) => {
  const bytes = fixture(name);
  const whole = readStream(bytes, apiType);
  fc.assert(
    fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 50 }), (offsets) => {
      const reader = createResponseReader({
        streamed: true,
        apiType,
        tokenizer,
        countOutput: "always",
        countPromptTokens: () => 3,
      });
      reader.onHeaders(200, 90);
      const points = [...new Set(offsets)].sort((a, b) => a - b);
      let start = 0;
      for (const point of [...points, bytes.length]) {
        reader.onData(bytes.slice(start, point), 100);
        start = point;
      }
      const outcome = reader.finish(200);
      expect(outcome.tokenEventMs.length).toBe(whole.tokenEventMs.length);
      expect(outcome.clientOutputTokens).toBe(whole.clientOutputTokens);
      expect(outcome.serverOutputTokens).toBe(whole.serverOutputTokens);
      expect(outcome.promptTokens).toBe(whole.promptTokens);
      expect(outcome.failure).toBeNull();
    }),
    { numRuns: 100 },
  );
});

test("by default the tokenizer counts output only when the server sent no completion_tokens", () => {
  const withUsage = createResponseReader({ streamed: true, apiType: "completion", tokenizer });
  withUsage.onHeaders(200, 0);
  withUsage.onData(fixture("vllm-completion.sse"), 1);
  expect(withUsage.finish(2)).toMatchObject({ serverOutputTokens: 10, clientOutputTokens: -1 });
  const without = createResponseReader({ streamed: true, apiType: "completion", tokenizer });
  without.onHeaders(200, 0);
  without.onData(encode('data: {"choices":[{"text":" hello world"}]}\n\ndata: [DONE]\n\n'), 1);
  expect(without.finish(2)).toMatchObject({
    serverOutputTokens: -1,
    clientOutputTokens: tokenizer.count(" hello world"),
  });
});

test("an Anthropic Messages stream: thinking and text deltas are token events, usage from message_start and message_delta", () => {
  const outcome = readStream(fixture("anthropic-messages.sse"), "anthropic_messages");
  // Events at 100 (message_start) … 220 (message_stop): thinking_delta at 130, text deltas at 170-190.
  expect(outcome.tokenEventMs).toEqual([130, 170, 180, 190]);
  expect(outcome).toMatchObject({
    failure: null,
    promptTokens: 25,
    promptTokensSource: "server",
    cachedPromptTokens: 10,
    serverOutputTokens: 7,
    outputJson: null,
  });
  expect(outcome.clientOutputTokens).toBe(tokenizer.count("Let me thinkHello wörld 🙂!"));
});

test("Anthropic text is output and reply, thinking and tool arguments output only, in blocks and in their deltas", () => {
  const read = (streamed: boolean) =>
    createResponseReader({
      streamed,
      apiType: "anthropic_messages",
      tokenizer,
      countOutput: "always",
      keepReply: true,
    });
  const events = [
    { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "Hmm. " } },
    { type: "content_block_start", index: 1, content_block: { type: "text", text: "Hi" } },
    { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: " there" } },
    {
      type: "content_block_start",
      index: 2,
      content_block: { type: "tool_use", id: "t1", name: "f", input: {} },
    },
    { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"a": 1}' } },
    { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: " Yes." } },
  ];
  const stream = read(true);
  stream.onHeaders(200, 90);
  for (const [i, event] of events.entries())
    stream.onData(encode(`data: ${JSON.stringify(event)}\n\n`), 100 + 10 * i);
  const streamed = stream.finish(200);
  expect(streamed.tokenEventMs).toEqual([100, 110, 120, 140, 150]); // not the tool_use block's start
  expect(streamed.replyText).toBe("Hi there");
  expect(streamed.clientOutputTokens).toBe(tokenizer.count('Hmm. Hi there{"a": 1} Yes.'));

  const message = read(false);
  message.onHeaders(200, 10);
  const content = [
    { type: "thinking", thinking: "Hmm. " },
    { type: "text", text: "Hi there" },
  ];
  message.onData(encode(JSON.stringify({ type: "message", content })), 20);
  const unary = message.finish(30);
  expect(unary.replyText).toBe("Hi there");
  expect(unary.clientOutputTokens).toBe(tokenizer.count("Hmm. Hi there"));
});

test("an Anthropic error event inside a 200 stream is a stream error with its message", () => {
  const outcome = readStream(fixture("anthropic-error-in-stream.sse"), "anthropic_messages");
  expect(outcome.failure).toBe("stream_error");
  expect(outcome.errorMessage).toBe("Overloaded");
  expect(outcome.tokenEventMs).toEqual([120]);
});

test("an Anthropic non-streamed message reads its text blocks and usage; an error body names its message", () => {
  const unary = (status: number, body: unknown) => {
    const reader = createResponseReader({ streamed: false, apiType: "anthropic_messages", tokenizer });
    reader.onHeaders(status, 10);
    reader.onData(encode(JSON.stringify(body)), 20);
    return reader.finish(30);
  };
  const ok = unary(200, {
    type: "message",
    content: [
      { type: "thinking", thinking: "hmm" },
      { type: "text", text: "Hi there" },
    ],
    usage: { input_tokens: 9, output_tokens: 3 },
  });
  expect(ok).toMatchObject({ failure: null, promptTokens: 9, serverOutputTokens: 3, tokenEventMs: [] });
  const error = unary(529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
  expect(error).toMatchObject({ failure: "http_status", errorMessage: "Overloaded", status: 529 });
  expect(unary(200, { type: "message" }).failure).toBe("parse_error");
});

test("checkJson marks a success whose content (not its reasoning) parses as JSON, and one that does not", () => {
  const check = (chunks: string[], apiType = "chat") => {
    const reader = createResponseReader({ streamed: true, apiType, tokenizer, checkJson: true });
    reader.onHeaders(200, 1);
    for (const chunk of chunks) reader.onData(encode(chunk), 2);
    return reader.finish(3);
  };
  const delta = (d: Record<string, string>) =>
    `data: ${JSON.stringify({ choices: [{ index: 0, delta: d }] })}\n\n`;
  const valid = check([
    delta({ reasoning_content: "think {" }),
    delta({ content: '{"a":' }),
    delta({ content: " 1}" }),
    "data: [DONE]\n\n",
  ]);
  expect(valid.outputJson).toBe("valid");
  expect(valid.tokenEventMs).toHaveLength(3);
  expect(check([delta({ content: '{"a":' }), "data: [DONE]\n\n"]).outputJson).toBe("invalid");
  // A failed request is not judged.
  expect(
    check([delta({ content: "{}" }), `data: ${JSON.stringify({ error: { message: "x" } })}\n\n`]).outputJson,
  ).toBeNull();
  // Without the option nothing is checked.
  const plain = createResponseReader({ streamed: true, apiType: "chat", tokenizer });
  plain.onHeaders(200, 1);
  plain.onData(encode(delta({ content: "{}" })), 2);
  expect(plain.finish(3).outputJson).toBeNull();
});

test("256 KB of output without spaces and without usage is counted in pieces of at most 512 characters", () => {
  const lengths: number[] = [];
  const counting = {
    ...tokenizer,
    count: (t: string) => {
      lengths.push(t.length);
      return tokenizer.count(t);
    },
  };
  for (const streamed of [true, false]) {
    lengths.length = 0;
    const reader = createResponseReader({ streamed, apiType: "completion", tokenizer: counting });
    reader.onHeaders(200, 0);
    const word = "abcdefghijklmnopqrstuvwxyz".repeat(40); // 1,040 letters, no space
    if (streamed) {
      for (let i = 0; i < 256; i++) reader.onData(encode(`data: {"choices":[{"text":"${word}"}]}\n\n`), i);
      reader.onData(encode("data: [DONE]\n\n"), 300);
    } else reader.onData(encode(JSON.stringify({ choices: [{ text: word.repeat(256) }] })), 1);
    const outcome = reader.finish(400);
    expect(outcome.failure).toBeNull();
    expect(outcome.clientOutputTokens).toBeGreaterThan(0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(512);
    expect(lengths.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(256 * 1024);
  }
});

test("keepReply returns the answer text only: completion text or message content, never reasoning", () => {
  const read = (name: string, apiType: string) => {
    const reader = createResponseReader({ streamed: true, apiType, tokenizer: null, keepReply: true });
    reader.onHeaders(200, 0);
    // One read per event, so chunks after the first of a shape take the template fast path.
    for (const part of new TextDecoder().decode(fixture(name)).split(/(?<=\n\n)/))
      reader.onData(encode(part), 1);
    return reader.finish(2);
  };
  expect(read("vllm-completion.sse", "completion").replyText).toBe(
    " The quick brown fox jumps over the lazy dog.",
  );
  expect(read("vllm-chat.sse", "chat").replyText).toBe("Hello! Ça va 🙂 日本語.");
  expect(read("vllm-chat-reasoning.sse", "chat").replyText).toBe("4.");
  // Without keepReply nothing is kept.
  expect(readStream(fixture("vllm-chat.sse")).replyText).toBeNull();
});

test("keepReply reads a unary reply; cacheReported says whether usage carried cached_tokens", () => {
  const reader = createResponseReader({ streamed: false, apiType: "chat", tokenizer: null, keepReply: true });
  reader.onHeaders(200, 0);
  reader.onData(
    encode(
      '{"choices":[{"message":{"role":"assistant","content":"hi there"}}],"usage":{"prompt_tokens":5,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":0}}}',
    ),
    1,
  );
  const outcome = reader.finish(2);
  expect([outcome.replyText, outcome.cacheReported, outcome.cachedPromptTokens]).toEqual([
    "hi there",
    true,
    0,
  ]);
  expect(readStream(fixture("vllm-chat-reasoning.sse")).cacheReported).toBe(false);
});

test("keepReply assembles the reply's tool calls: streamed OpenAI deltas, a unary message, Anthropic tool_use blocks", () => {
  const streamed = (events: unknown[], apiType: string, exactParse = false) => {
    const reader = createResponseReader({
      streamed: true,
      apiType,
      tokenizer: null,
      keepReply: true,
      exactParse,
    });
    reader.onHeaders(200, 0);
    for (const e of events) reader.onData(encode(`data: ${JSON.stringify(e)}\n\n`), 1);
    reader.onData(encode("data: [DONE]\n\n"), 1);
    return reader.finish(2);
  };
  const delta = (index: number, fn: Record<string, string>, id?: string) => ({
    choices: [
      { index: 0, delta: { tool_calls: [{ index, ...(id ? { id, type: "function" } : {}), function: fn }] } },
    ],
  });
  // Argument pieces of one shape repeat: they must still land in their call (no template reads them).
  const openai = [
    delta(0, { name: "lookup", arguments: "" }, "call_a"),
    delta(0, { arguments: '{"q": ' }),
    delta(0, { arguments: '"x"}' }),
    delta(1, { name: "fetch", arguments: "{}" }, "call_b"),
  ];
  const expected = [
    { id: "call_a", name: "lookup", arguments: '{"q": "x"}' },
    { id: "call_b", name: "fetch", arguments: "{}" },
  ];
  expect(streamed(openai, "chat").replyToolCalls).toEqual(expected);
  expect(streamed(openai, "chat", true).replyToolCalls).toEqual(expected);
  expect(streamed([{ choices: [{ delta: { content: "hi" } }] }], "chat").replyToolCalls).toEqual([]);

  const unary = createResponseReader({ streamed: false, apiType: "chat", tokenizer: null, keepReply: true });
  unary.onHeaders(200, 0);
  unary.onData(
    encode(
      JSON.stringify({
        choices: [
          {
            message: {
              role: "assistant",
              content: null,
              tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{bad" } }],
            },
          },
        ],
      }),
    ),
    1,
  );
  expect(unary.finish(2).replyToolCalls).toEqual([{ id: "c1", name: "f", arguments: "{bad" }]);

  const anthropic = [
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Let me look." } },
    {
      type: "content_block_start",
      index: 1,
      content_block: { type: "tool_use", id: "toolu_1", name: "lookup", input: {} },
    },
    { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"q":' } },
    { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"x"}' } },
  ];
  const outcome = streamed(anthropic, "anthropic_messages");
  expect([outcome.replyText, outcome.replyToolCalls]).toEqual([
    "Let me look.",
    [{ id: "toolu_1", name: "lookup", arguments: '{"q":"x"}' }],
  ]);
  // Without keepReply none are kept.
  expect(readStream(fixture("vllm-chat.sse")).replyToolCalls).toBeNull();
});
