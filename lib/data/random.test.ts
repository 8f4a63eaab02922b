import { describe, expect, test } from "bun:test";
import { countingTokenizer, fixtureTokenizer, pieceFixtureTokenizer } from "./data.testing.ts";
import { resolveDistribution } from "./distribution.ts";
import { distributionLengths, listLengths } from "./lengths.ts";
import { createRandomGenerator } from "./random.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";

const wide = distributionLengths(
  resolveDistribution({ type: "uniform", min: 1, max: 700 }),
  resolveDistribution({ type: "uniform", min: 1, max: 300 }),
  7,
);

describe.each([
  ["the built-in default", defaultTokenizer],
  ["the tokenizer.json fixture", fixtureTokenizer],
  ["a Metaspace tokenizer.json", () => pieceFixtureTokenizer("metaspace")],
  ["a Llama 2 style tokenizer.json", () => pieceFixtureTokenizer("llama2")],
])("createRandomGenerator() under %s", (_name, tokenizer) => {
  test("every prompt tokenises to exactly its target length", () => {
    const tok = tokenizer();
    const gen = createRandomGenerator({ tokenizer: tok, lengths: wide, seed: 1 });
    for (let i = 0; i < 60; i++) {
      const item = gen.next(i);
      const target = wide.at(i).input;
      expect(item.expectedPromptTokens).toBe(target);
      expect(tok.count(item.prompt)).toBe(target);
      expect(item.maxTokens).toBe(wide.at(i).output);
    }
  });

  test("builds prompts with no tokenizer call once the generator is made (exact by construction)", () => {
    const counted = countingTokenizer(tokenizer());
    const gen = createRandomGenerator({ tokenizer: counted.tokenizer, lengths: wide, seed: 1 });
    const before = counted.calls();
    for (let i = 0; i < 30; i++) gen.next(i);
    expect(counted.calls() - before).toBe(0);
  });

  test("gives the same prompt for the same seed and index, in any call order", () => {
    const tok = tokenizer();
    const a = createRandomGenerator({ tokenizer: tok, lengths: wide, seed: 5 });
    const b = createRandomGenerator({ tokenizer: tok, lengths: wide, seed: 5 });
    const forward = [0, 1, 2, 3].map((i) => a.next(i));
    const backward = [3, 2, 1, 0].map((i) => b.next(i)).reverse();
    expect(backward).toEqual(forward);
    const other = createRandomGenerator({ tokenizer: tok, lengths: wide, seed: 6 });
    expect(other.next(0).prompt).not.toBe(forward[0]?.prompt);
  });
});

test("fills the chat messages with the same text as the completion prompt", () => {
  const gen = createRandomGenerator({ tokenizer: defaultTokenizer(), lengths: wide, seed: 1 });
  const item = gen.next(3);
  expect(item.messages).toEqual([{ role: "user", content: item.prompt }]);
});

test("takes per-request lengths from a length list (the data.trace hook) and reports its size", () => {
  const rows = [
    { input: 12, output: 3 },
    { input: 40, output: 9 },
  ];
  const gen = createRandomGenerator({ tokenizer: defaultTokenizer(), lengths: listLengths(rows), seed: 1 });
  expect(gen.size).toBe(2);
  expect([0, 1, 2].map((i) => [gen.next(i).expectedPromptTokens, gen.next(i).maxTokens])).toEqual([
    [12, 3],
    [40, 9],
    [12, 3],
  ]);
});

test("a zero-length target gives an empty prompt", () => {
  const gen = createRandomGenerator({
    tokenizer: defaultTokenizer(),
    lengths: listLengths([{ input: 0, output: 1 }]),
    seed: 1,
  });
  expect(gen.next(0).prompt).toBe("");
  expect(gen.next(0).expectedPromptTokens).toBe(0);
});
