import { expect, test } from "bun:test";
import fc from "fast-check";
import type { Tokenizer } from "../data/types.ts";
import { learnTemplate, matchTemplate } from "./chunk-template.ts";
import { createResponseReader, type ResponseOutcome } from "./response.ts";

const vllm = (text: string) =>
  `{"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":null}]}`;

test("a chunk with the template's shape yields its token text without parsing", () => {
  const template = learnTemplate(vllm(" fox"), " fox");
  expect(template).not.toBeNull();
  if (template === null) return;
  expect(matchTemplate(template, vllm(" jumps"))).toBe(" jumps");
  expect(matchTemplate(template, vllm(""))).toBe("");
  expect(matchTemplate(template, vllm("日本 🙂"))).toBe("日本 🙂");
});

test("escapes, a different shape or a broken literal do not match the template", () => {
  const template = learnTemplate(vllm(" fox"), " fox");
  if (template === null) throw new Error("no template");
  expect(matchTemplate(template, vllm('say "hi"'))).toBeNull(); // escaped quotes
  expect(matchTemplate(template, vllm("a\\b"))).toBeNull();
  expect(matchTemplate(template, vllm("tab\t"))).toBeNull();
  expect(matchTemplate(template, vllm(" fox").replace('"index":0', '"index":1'))).toBeNull();
  expect(matchTemplate(template, vllm(" fox").replace('" fox"', '" f"o"'))).toBeNull();
  expect(matchTemplate(template, vllm(" fox").replace('" fox"', '"ab'))).toBeNull();
  expect(matchTemplate(template, vllm(" fox").slice(0, -1))).toBeNull();
  expect(matchTemplate(template, vllm(" fox").replace('" fox"', '"a\u0001"'))).toBeNull(); // raw control character
  expect(matchTemplate(template, vllm(" fox").replace('" fox"', '"a\nb"'))).toBeNull();
});

test("a payload with escapes or with the token literal twice is not learned as a template", () => {
  expect(learnTemplate(vllm("a\\u0041"), "aA")).toBeNull();
  // " fox" also appears in a nested logprobs object: which one is the token is not certain.
  expect(learnTemplate(`{"choices":[{"text":" fox","logprobs":{"text":" fox"}}]}`, " fox")).toBeNull();
  // The text equals a key: refused rather than guessed.
  expect(learnTemplate(`{"choices":[{"text":"text"}]}`, "text")).toBeNull();
});

// --- Property: the fast path gives exactly the outcome of JSON.parse-ing every event. ---

/**
 * A JSON value whose objects keep key order and may repeat keys. SLOT and OTHER are string literals
 * filled in per event: events change one of them and keep the rest of the payload.
 */
type Json =
  | null
  | boolean
  | number
  | string
  | typeof SLOT
  | typeof OTHER
  | Json[]
  | { entries: [string, Json][] };
const SLOT = Symbol("slot");
const OTHER = Symbol("other");

interface Style {
  colon: string;
  comma: string;
  /** 0: JSON.stringify; 1: \u-escape the first character; 2: \u-escape non-ASCII and "/" */
  escape: number;
}

function quoteString(value: string, mode: number): string {
  const plain = JSON.stringify(value);
  if (mode === 1 && value.length > 0) {
    return `"\\u${value.charCodeAt(0).toString(16).padStart(4, "0")}${JSON.stringify(value.slice(1)).slice(1)}`;
  }
  if (mode === 2) {
    return plain.replace(/[^\x20-\x7e]|\//g, (ch) =>
      ch === "/" ? "\\/" : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  return plain;
}

/** The token literal: normally escaped; "raw" writes the text between quotes unescaped (may be invalid). */
function slotLiteral(text: string, mode: number | "raw"): string {
  return mode === "raw" ? `"${text}"` : quoteString(text, mode);
}

function serialize(value: Json, style: Style, slot: string, other: string): string {
  if (value === SLOT) return slot;
  if (value === OTHER) return other;
  if (value === null || typeof value !== "object") {
    return typeof value === "string" ? quoteString(value, style.escape) : JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${value.map((v) => serialize(v, style, slot, other)).join(`,${style.comma}`)}]`;
  const parts = value.entries.map(
    ([key, v]) => `${JSON.stringify(key)}:${style.colon}${serialize(v, style, slot, other)}`,
  );
  return `{${parts.join(`,${style.comma}`)}}`;
}

const textArb = fc.oneof(
  fc.constantFrom("", " fox", "text", "content", "a", "null", "usage", "error", " 🙂", "日本"),
  fc.string({
    unit: fc.constantFrom("a", " ", '"', "\\", "/", "é", "🙂", "\n", "\u0001", "u", "{", ":", ","),
    maxLength: 6,
  }),
);
const stringArb: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: textArb },
  { weight: 3, arbitrary: fc.constant(SLOT) },
  { weight: 1, arbitrary: fc.constant(OTHER) },
);
const obj = (entries: [string, Json][]) => ({ entries });
const optional = (key: string, arb: fc.Arbitrary<Json>) =>
  fc.option(
    arb.map((v): [string, Json] => [key, v]),
    { nil: undefined },
  );
/** An object from optional entries, in a shuffled order, sometimes with one key repeated. */
function objectArb(...fields: fc.Arbitrary<[string, Json] | undefined>[]): fc.Arbitrary<Json> {
  return fc.tuple(fc.tuple(...fields), fc.nat(), fc.boolean()).map(([entries, seed, repeat]) => {
    const present = entries.filter((e): e is [string, Json] => e !== undefined);
    const order = present.map((e, i) => ({ e, k: (seed * (i + 7) * 2654435761) % 1000 }));
    order.sort((a, b) => a.k - b.k);
    const out = order.map((o) => o.e);
    const first = out[0];
    if (repeat && first !== undefined) out.push([first[0], null]);
    return obj(out);
  });
}

const usageArb: fc.Arbitrary<Json> = objectArb(
  optional("prompt_tokens", fc.oneof(fc.nat(500), fc.constant(null), fc.constant("7"))),
  optional("completion_tokens", fc.nat(500)),
  optional(
    "prompt_tokens_details",
    fc.oneof(fc.constant(null), objectArb(optional("cached_tokens", fc.nat(9)))),
  ),
);
const errorArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  stringArb,
  objectArb(optional("message", stringArb), optional("code", fc.nat(600))),
);
const logprobsArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  // Nested "text"/"content" keys that are not the token field.
  objectArb(
    optional("text", stringArb),
    optional(
      "content",
      fc.array(objectArb(optional("token", stringArb), optional("logprob", fc.constant(-0.5))), {
        maxLength: 2,
      }),
    ),
  ),
);
const toolCallArb: fc.Arbitrary<Json> = objectArb(
  optional("index", fc.nat(2)),
  optional("content", stringArb),
  optional(
    "function",
    fc.oneof(fc.constant(null), objectArb(optional("name", stringArb), optional("arguments", stringArb))),
  ),
);
const deltaArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  objectArb(
    optional("role", fc.constant("assistant")),
    optional("content", fc.oneof(stringArb, fc.constant(null))),
    optional("reasoning_content", fc.oneof(stringArb, fc.constant(null))),
    optional("reasoning", stringArb),
    optional("tool_calls", fc.array(toolCallArb, { maxLength: 2 })),
  ),
);
const choiceArb: fc.Arbitrary<Json> = objectArb(
  optional("index", fc.nat(1)),
  optional("text", fc.oneof(stringArb, fc.constant(null), fc.nat(3))),
  optional("delta", deltaArb),
  optional("logprobs", logprobsArb),
  optional("finish_reason", fc.constantFrom(null, "stop", "length")),
);
const chunkArb: fc.Arbitrary<Json> = objectArb(
  optional("id", stringArb),
  optional("object", fc.constantFrom("text_completion", "chat.completion.chunk")),
  optional("created", fc.nat(5)),
  optional("text", stringArb), // a top-level "text" is not a token field
  optional(
    "choices",
    fc.oneof(fc.array(choiceArb, { minLength: 1, maxLength: 2 }), fc.constant<Json>([]), fc.constant(null)),
  ),
  optional(
    "usage",
    fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: usageArb }),
  ),
  optional(
    "error",
    fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: errorArb }),
  ),
);
const styleArb: fc.Arbitrary<Style> = fc.record({
  colon: fc.constantFrom("", "", "", " ", "\n\t"),
  comma: fc.constantFrom("", "", " "),
  escape: fc.constantFrom(0, 0, 0, 1, 2),
});

/**
 * One event of a stream: the shape with new token text (escaped, or raw and maybe invalid), with the
 * other slot changed, another chunk, a damaged payload (a character inserted, replaced or deleted),
 * or [DONE].
 */
const eventArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("same" as const),
      text: textArb,
      escape: fc.constantFrom<number | "raw">(0, 0, 0, 1, "raw", "raw"),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("other-slot" as const), text: textArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("other" as const),
      chunk: chunkArb,
      style: styleArb,
      text: textArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("damaged" as const),
      text: textArb,
      at: fc.nat(),
      fromEnd: fc.boolean(),
      mode: fc.constantFrom("insert", "replace", "delete"),
      char: fc.constantFrom("}", "]", '"', ",", "\\", " ", "x", ":", "\u0001"),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "done" as const }) },
);

/** First values of the two slots: often equal to each other or to a fixed string of the shape. */
const firstArb = fc.constantFrom(" first", "a", "text", "content", " 🙂");

function countingTokenizer(): Tokenizer {
  const ids = new Map<string, number>();
  const count = (text: string) => {
    let id = ids.get(text);
    if (id === undefined) ids.set(text, (id = ids.size));
    return id;
  };
  return { name: "text identity", encode: () => [], decode: () => "", count };
}

function feed(
  payloads: readonly string[],
  exactParse: boolean,
  tokenizer: Tokenizer | null,
): ResponseOutcome {
  const reader = createResponseReader({
    streamed: true,
    apiType: "chat",
    tokenizer,
    countOutput: "always",
    countPromptTokens: () => 3,
    exactParse,
  });
  reader.onHeaders(200, 0);
  payloads.forEach((payload, i) => {
    const lines = payload.split("\n").map((line) => `data: ${line}\n`);
    reader.onData(new TextEncoder().encode(`${lines.join("")}\n`), i + 1);
  });
  return reader.finish(payloads.length + 1);
}

test("the fast path gives exactly the outcome of JSON.parse on every event (property)", () => {
  const tokenizer = countingTokenizer();
  let fastHits = 0;
  fc.assert(
    fc.property(
      chunkArb,
      styleArb,
      firstArb,
      firstArb,
      fc.boolean(),
      fc.array(eventArb, { minLength: 1, maxLength: 8 }),
      (shape, style, first, otherFirst, sameFirst, events) => {
        const other = sameFirst ? first : otherFirst;
        const lit = (text: string, mode: number | "raw" = 0) => slotLiteral(text, mode);
        const payloads = [serialize(shape, style, lit(first), lit(other))];
        for (const event of events) {
          if (event.kind === "done") payloads.push("[DONE]");
          else if (event.kind === "same")
            payloads.push(serialize(shape, style, lit(event.text, event.escape), lit(other)));
          else if (event.kind === "other-slot")
            payloads.push(serialize(shape, style, lit(first), lit(event.text)));
          else if (event.kind === "other")
            payloads.push(serialize(event.chunk, event.style, lit(event.text), lit(other)));
          else {
            const payload = serialize(shape, style, lit(event.text), lit(other));
            const offset = event.at % (payload.length + 1);
            const at = event.fromEnd ? payload.length - offset : offset;
            const cut = event.mode === "insert" ? 0 : 1;
            const put = event.mode === "delete" ? "" : event.char;
            payloads.push(payload.slice(0, at) + put + payload.slice(at + cut));
          }
        }
        for (const tok of [tokenizer, null]) {
          const exact = feed(payloads, true, tok);
          const fast = feed(payloads, false, tok);
          expect(fast).toEqual(exact);
        }
        // Sanity check on the generator: "same" events do reach the template match.
        const template = learnTemplate(payloads[0] as string, first);
        if (template !== null)
          for (const p of payloads.slice(1)) if (matchTemplate(template, p) !== null) fastHits++;
      },
    ),
    { numRuns: 1500 },
  );
  expect(fastHits).toBeGreaterThan(200);
});

test("a realistic stream takes the fast path for its ordinary token chunks", () => {
  const payloads = [vllm(" The"), vllm(" quick"), vllm(""), vllm(' "fox"'), vllm(" jumps")];
  const exact = feed(payloads, true, countingTokenizer());
  const fast = feed(payloads, false, countingTokenizer());
  expect(fast).toEqual(exact);
  expect(fast.tokenEventMs).toEqual([1, 2, 4, 5]);
});
