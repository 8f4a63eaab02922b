import { describe, expect, test } from "bun:test";
import { SHAKESPEARE_CORIOLANUS } from "./assets/shakespeare.ts";
import { countingTokenizer, fixtureTokenizer, pieceFixtureTokenizer } from "./data.testing.ts";
import { resolveDistribution } from "./distribution.ts";
import { distributionLengths, listLengths } from "./lengths.ts";
import { createSyntheticGenerator } from "./synthetic.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";

const lengths = distributionLengths(
  resolveDistribution({ type: "lognormal", min: 1, max: 12000, mean: 600, std_dev: 400 }),
  resolveDistribution({ type: "fixed", mean: 50 }),
  3,
);

describe.each([
  ["the built-in default", defaultTokenizer],
  ["the tokenizer.json fixture", fixtureTokenizer],
  ["a Metaspace tokenizer.json", () => pieceFixtureTokenizer("metaspace")],
  ["a Llama 2 style tokenizer.json", () => pieceFixtureTokenizer("llama2")],
])("createSyntheticGenerator() under %s", (_name, tokenizer) => {
  test("every prompt tokenises to exactly its target length", () => {
    const tok = tokenizer();
    const gen = createSyntheticGenerator({
      tokenizer: tok,
      lengths,
      seed: 1,
      corpus: SHAKESPEARE_CORIOLANUS,
    });
    for (let i = 0; i < 40; i++) {
      const item = gen.next(i);
      expect(tok.count(item.prompt)).toBe(lengths.at(i).input);
      expect(item.expectedPromptTokens).toBe(lengths.at(i).input);
      expect(item.maxTokens).toBe(50);
    }
  }, 30_000);

  test("builds prompts with no tokenizer call once the generator is made (exact by construction)", () => {
    const counted = countingTokenizer(tokenizer());
    const gen = createSyntheticGenerator({
      tokenizer: counted.tokenizer,
      lengths,
      seed: 1,
      corpus: SHAKESPEARE_CORIOLANUS,
    });
    const before = counted.calls();
    for (let i = 0; i < 30; i++) gen.next(i);
    expect(counted.calls() - before).toBe(0);
  });
});

test("draws natural text from the corpus: a short window is a substring of it", () => {
  const gen = createSyntheticGenerator({
    tokenizer: defaultTokenizer(),
    lengths: listLengths([{ input: 30, output: 5 }]),
    seed: 9,
    corpus: SHAKESPEARE_CORIOLANUS,
  });
  const hits = [0, 1, 2, 3, 4].filter((i) => SHAKESPEARE_CORIOLANUS.includes(gen.next(i).prompt)).length;
  expect(hits).toBeGreaterThanOrEqual(4); // a window that wraps round the end may not be
});

test("wraps round the corpus, so a target longer than the corpus is still exact", () => {
  const tok = defaultTokenizer();
  const corpus = "Friends, Romans, countrymen, lend me your ears.\n";
  const gen = createSyntheticGenerator({
    tokenizer: tok,
    lengths: listLengths([{ input: 500, output: 5 }]),
    seed: 1,
    corpus,
  });
  expect(tok.count(gen.next(0).prompt)).toBe(500);
});

test("gives the same prompt for the same seed and index, and another for another seed", () => {
  const make = (seed: number) =>
    createSyntheticGenerator({
      tokenizer: defaultTokenizer(),
      lengths,
      seed,
      corpus: SHAKESPEARE_CORIOLANUS,
    });
  expect(make(4).next(17)).toEqual(make(4).next(17));
  expect(make(4).next(17).prompt).not.toBe(make(5).next(17).prompt);
});
