import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { FIXTURES } from "./data.testing.ts";
import { createShareGptGenerator } from "./sharegpt.ts";
import { parseShareGpt } from "./sharegpt-parse.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";

const sample = readFileSync(`${FIXTURES}sharegpt-sample.json`, "utf8");

describe("parseShareGpt()", () => {
  test("keeps the usable conversations of the sample and counts the 7 malformed rows", () => {
    const { conversations, skipped } = parseShareGpt(sample);
    expect(conversations.length).toBe(4);
    expect(skipped).toBe(7);
  });

  test("takes the first human turn and the gpt turn that answers it", () => {
    const [first] = parseShareGpt(sample).conversations;
    expect(first?.human).toStartWith("What is the capital of France");
    expect(first?.gpt).toStartWith("Paris is the capital");
    expect(first?.system).toBeUndefined();
  });

  test("keeps a leading system turn and decodes turns given as JSON strings", () => {
    const { conversations } = parseShareGpt(sample);
    expect(conversations[1]?.system).toBe("You are a terse assistant.");
    expect(conversations[2]).toEqual({
      system: undefined,
      human: "Translate 'good morning' into German.",
      gpt: "Guten Morgen.",
    });
  });

  test("reads JSON lines, counting the lines that do not parse", () => {
    const row = (q: string) =>
      JSON.stringify({
        conversations: [
          { from: "human", value: q },
          { from: "gpt", value: "ok" },
        ],
      });
    const { conversations, skipped } = parseShareGpt(`${row("a?")}\n{broken\n\n${row("b?")}\n`);
    expect(conversations.map((c) => c.human)).toEqual(["a?", "b?"]);
    expect(skipped).toBe(1);
  });

  test("rejects text that is neither JSON nor JSON lines", () => {
    expect(() => parseShareGpt("hello\nworld")).toThrow(SyntaxError);
  });
});

describe("createShareGptGenerator()", () => {
  const tok = defaultTokenizer();
  const { conversations } = parseShareGpt(sample);

  test("completion: the prompt is the human turn and max_tokens the answer's token count", () => {
    const gen = createShareGptGenerator({ tokenizer: tok, conversations });
    const item = gen.next(0);
    expect(item.prompt).toBe(conversations[0]?.human as string);
    expect(item.maxTokens).toBe(tok.count(conversations[0]?.gpt as string));
    expect(item.expectedPromptTokens).toBe(tok.count(item.prompt));
    expect(gen.size).toBe(4);
  });

  test("chat: messages are the system turn (when present) then the human turn", () => {
    const gen = createShareGptGenerator({ tokenizer: tok, conversations });
    expect(gen.next(0).messages).toEqual([{ role: "user", content: conversations[0]?.human as string }]);
    expect(gen.next(1).messages).toEqual([
      { role: "system", content: "You are a terse assistant." },
      { role: "user", content: "Write a haiku about load testing." },
    ]);
  });

  test("cycles through the rows in order", () => {
    const gen = createShareGptGenerator({ tokenizer: tok, conversations });
    expect(gen.next(5)).toEqual(gen.next(1));
  });

  test("skips rows outside the input/output length filters, moving on to the next row that fits", () => {
    const answers = conversations.map((c) => tok.count(c.gpt));
    const gen = createShareGptGenerator({ tokenizer: tok, conversations, outputFilter: { min: 1, max: 10 } });
    for (let i = 0; i < 8; i++) expect(gen.next(i).maxTokens).toBeLessThanOrEqual(10);
    expect(answers.some((a) => a > 10)).toBe(true); // the filter really removed something
  });

  test("throws when no row fits the filters", () => {
    const gen = createShareGptGenerator({
      tokenizer: tok,
      conversations,
      inputFilter: { min: 5000, max: 6000 },
    });
    expect(() => gen.next(0)).toThrow("No ShareGPT conversation fits");
  });
});
