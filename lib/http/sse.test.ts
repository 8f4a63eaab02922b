import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { cutBytes } from "./cut-bytes.testing.ts";
import { createSseParser, parseSse } from "./sse.ts";

type Event = { data: string; event: string };

function collect(chunks: readonly Uint8Array[]): Event[] {
  const events: Event[] = [];
  const parser = createSseParser((data, event) => events.push({ data, event }));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

const encode = (text: string) => new TextEncoder().encode(text);

// A line of event data: any text without line breaks, including multi-byte characters.
// Lone surrogates become U+FFFD, as UTF-8 encoding would make them.
const lineText = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom("a", " ", ":", "é", "🙂", "日", "{", '"', "\\"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    ),
  })
  .map((s) =>
    s
      .replace(/[\r\n]/g, "")
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"),
  );
const eventArb = fc.record({
  lines: fc.array(lineText, { minLength: 1, maxLength: 3 }),
  event: fc.option(fc.constantFrom("message", "error", "delta"), { nil: undefined }),
  comment: fc.option(lineText, { nil: undefined }),
  noSpace: fc.boolean(),
});

function serialize(
  events: { lines: string[]; event: string | undefined; comment: string | undefined; noSpace: boolean }[],
  eol: string,
): string {
  let out = "";
  for (const e of events) {
    if (e.comment !== undefined) out += `:${e.comment}${eol}`;
    if (e.event !== undefined) out += `event: ${e.event}${eol}`;
    // Without the space only when the value does not itself start with one (that space would be eaten).
    for (const line of e.lines)
      out += e.noSpace && !line.startsWith(" ") ? `data:${line}${eol}` : `data: ${line}${eol}`;
    out += eol;
  }
  return out;
}

test("the same stream cut at any boundaries gives the same events (property)", () => {
  fc.assert(
    fc.property(
      fc.array(eventArb, { maxLength: 8 }),
      fc.constantFrom("\n", "\r\n", "\r"),
      fc.array(fc.nat(), { maxLength: 40 }),
      (events, eol, offsets) => {
        const bytes = encode(serialize(events, eol));
        const expected = events.map((e) => ({ data: e.lines.join("\n"), event: e.event ?? "message" }));
        expect(collect([bytes])).toEqual(expected);
        expect(collect(cutBytes(bytes, offsets))).toEqual(expected);
      },
    ),
    { numRuns: 400 },
  );
});

test("a stream fed one byte at a time gives the same events and text (property)", () => {
  fc.assert(
    fc.property(fc.array(eventArb, { maxLength: 4 }), fc.constantFrom("\n", "\r\n", "\r"), (events, eol) => {
      const bytes = encode(serialize(events, eol));
      const single = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
      expect(collect(single)).toEqual(collect([bytes]));
    }),
    { numRuns: 100 },
  );
});

test.each([
  "vllm-completion.sse",
  "vllm-chat.sse",
  "vllm-chat-reasoning.sse",
  "openai-chat-crlf.sse",
  "vllm-error-in-stream.sse",
  "bad-json.sse",
  "anthropic-messages.sse",
  "anthropic-error-in-stream.sse",
])("fixture %s parses identically under random cuts", (name) => {
  const bytes = new Uint8Array(readFileSync(new URL(`../../fixtures/sse/${name}`, import.meta.url)));
  const whole = collect([bytes]);
  expect(whole.length).toBeGreaterThan(1);
  // OpenAI streams end with [DONE]; Anthropic's name every event after its `type`.
  if (name.startsWith("anthropic")) {
    for (const e of whole) expect(JSON.parse(e.data).type).toBe(e.event);
  } else expect(whole[whole.length - 1]?.data).toBe("[DONE]");
  fc.assert(
    fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 60 }), (offsets) => {
      expect(collect(cutBytes(bytes, offsets))).toEqual(whole);
    }),
    { numRuns: 100 },
  );
});

test("a multi-byte character split across reads decodes whole", () => {
  const bytes = encode("data: 🙂日\n\n");
  // Cut inside the 4-byte emoji and inside the 3-byte CJK character.
  expect(collect([bytes.subarray(0, 8), bytes.subarray(8, 12), bytes.subarray(12)])).toEqual([
    { data: "🙂日", event: "message" },
  ]);
});

test("a CR at the end of one read pairs with the LF that starts the next", () => {
  const events = collect([encode("data: a\r"), encode("\n\r"), encode("\ndata: b\r\n\r\n")]);
  expect(events).toEqual([
    { data: "a", event: "message" },
    { data: "b", event: "message" },
  ]);
});

test("comments, unknown fields, id and retry are ignored; a field without a colon has an empty value", () => {
  expect(parseSse(": hi\nid: 7\nretry: 10\nfoo: bar\ndata\n\n")).toEqual([""]);
  expect(parseSse(": only a comment\n\n")).toEqual([]);
});

test("multi-line data joins with newlines", () => {
  expect(parseSse('data: {\ndata:  "a": 1\ndata: }\n\n')).toEqual(['{\n "a": 1\n}']);
});

test("an event left without its blank line at the end of the stream is dropped", () => {
  expect(parseSse("data: one\n\ndata: two\n")).toEqual(["one"]);
  expect(parseSse("data: one\n\ndata: tw")).toEqual(["one"]);
});

test("a leading byte-order mark is ignored", () => {
  expect(parseSse(new Uint8Array([0xef, 0xbb, 0xbf, ...encode("data: x\n\n")]))).toEqual(["x"]);
});

test("a byte-order mark split across reads is dropped; one after the start is kept as text", () => {
  const bom = [0xef, 0xbb, 0xbf];
  const body = encode("data: x\n\n");
  expect(collect([new Uint8Array(bom.slice(0, 1)), new Uint8Array([...bom.slice(1), ...body])])).toEqual([
    { data: "x", event: "message" },
  ]);
  expect(collect([body, new Uint8Array([...encode("data: "), ...bom, ...encode("y\n\n")])])).toEqual([
    { data: "x", event: "message" },
    { data: "\ufeffy", event: "message" },
  ]);
});

test("any bytes, valid UTF-8 or not, cut anywhere decode as one whole-body decode would (property)", () => {
  const byteArb = fc.oneof(
    fc.constantFrom(...encode("data: a\n:\r🙂é")),
    fc.integer({ min: 0x80, max: 0xff }),
    fc.constantFrom(0xef, 0xbb, 0xbf),
  );
  fc.assert(
    fc.property(
      fc.array(byteArb, { maxLength: 60 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (list, offsets) => {
        const bytes = new Uint8Array([...list, ...encode("\n\n")]);
        const reference: { data: string; event: string }[] = [];
        const parser = createSseParser((data, event) => reference.push({ data, event }));
        parser.pushText(new TextDecoder().decode(bytes));
        parser.end();
        expect(collect(cutBytes(bytes, offsets))).toEqual(reference);
      },
    ),
    { numRuns: 500 },
  );
});

// Anthropic's Messages grammar: `event: <type>` then `data: {"type":"<type>",…}` per event, in the order
// message_start, content_block_start, ping?, content_block_delta*, content_block_stop, message_delta,
// message_stop (or an `error` event anywhere after message_start).
const anthropicText = fc.string({
  unit: fc.constantFrom("a", " ", "é", "🙂", '"', "\\", "\n", "{", ":"),
  maxLength: 12,
});
const anthropicStream = fc
  .record({
    deltas: fc.array(
      fc.oneof(
        anthropicText.map((text) => ({ type: "text_delta", text })),
        anthropicText.map((thinking) => ({ type: "thinking_delta", thinking })),
        anthropicText.map((partial_json) => ({ type: "input_json_delta", partial_json })),
      ),
      { maxLength: 8 },
    ),
    ping: fc.boolean(),
    errorAt: fc.option(fc.nat({ max: 8 }), { nil: undefined }),
    input: fc.nat({ max: 5000 }),
    output: fc.nat({ max: 5000 }),
  })
  .map(({ deltas, ping, errorAt, input, output }) => {
    const events: { type: string; [key: string]: unknown }[] = [
      {
        type: "message_start",
        message: {
          id: "msg_1",
          role: "assistant",
          content: [],
          usage: { input_tokens: input, output_tokens: 1 },
        },
      },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    ];
    if (ping) events.push({ type: "ping" });
    for (const delta of deltas) events.push({ type: "content_block_delta", index: 0, delta });
    events.push(
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: output } },
      { type: "message_stop" },
    );
    if (errorAt !== undefined) {
      events.splice(Math.min(1 + errorAt, events.length), events.length, {
        type: "error",
        error: { type: "overloaded_error", message: "Overloaded" },
      });
    }
    return events;
  });

test("Anthropic Messages streams give the same named events under any cuts and line ends (property)", () => {
  fc.assert(
    fc.property(
      anthropicStream,
      fc.constantFrom("\n", "\r\n", "\r"),
      fc.array(fc.nat(), { maxLength: 30 }),
      (events, eol, offsets) => {
        const text = events
          .map((e) => `event: ${e.type}${eol}data: ${JSON.stringify(e)}${eol}${eol}`)
          .join("");
        const bytes = encode(text);
        const expected = events.map((e) => ({ data: JSON.stringify(e), event: e.type }));
        expect(collect([bytes])).toEqual(expected);
        expect(collect(cutBytes(bytes, offsets))).toEqual(expected);
      },
    ),
    { numRuns: 300 },
  );
});
