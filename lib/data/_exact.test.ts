import { describe, expect, test } from "bun:test";
import { createRng } from "../load/rng.ts";
import { exactPool, exactText, exactTexts } from "./_exact.ts";
import { fixtureTokenizer, pieceFixtureTokenizer } from "./data.testing.ts";
import { defaultTokenizer, loadedDefaultTokenizer } from "./tokenizer/default.ts";
import { wordTokenizer } from "./word-tokenizer.testing.ts";

describe.each([
  ["the built-in default", defaultTokenizer],
  ["the tokenizer.json fixture", fixtureTokenizer],
  ["a Metaspace tokenizer.json", () => pieceFixtureTokenizer("metaspace")],
  ["a Llama 2 style tokenizer.json", () => pieceFixtureTokenizer("llama2")],
])("exactPool() under %s", (_name, tokenizer) => {
  test("texts drawn from the pool are exactly as many tokens as drawn, at any length", () => {
    const tok = tokenizer();
    const pool = exactPool(tok)!;
    expect(pool.size).toBeGreaterThan(100);
    const rng = createRng(9);
    for (let i = 0; i < 60; i++) {
      const n = rng.int(1500);
      expect(tok.count(exactText(pool, n, rng.int))).toBe(n);
    }
  }, 30_000);

  test("a text drawn to follow another stays exact when appended to it, and alone", () => {
    const tok = tokenizer();
    const pool = exactPool(tok)!;
    const rng = createRng(4);
    for (let i = 0; i < 50; i++) {
      const [a, b] = [1 + rng.int(300), 1 + rng.int(300)];
      const prefix = exactText(pool, a, rng.int);
      const next = exactTexts(pool, b, rng.int);
      expect(tok.count(prefix + next.after)).toBe(a + b);
      expect(tok.count(next.atStart)).toBe(b);
      expect(next.atStart.trimStart()).toBe(next.after.trimStart());
    }
  });
});

test("exactPool() drops tokens that do not encode back to themselves and keeps the rest", () => {
  // " wb" never survives next to "a" (nor anything else): it is left out, the pool stays exact.
  const tok = wordTokenizer((_, right) => right === " wb");
  const pool = exactPool(tok)!;
  expect(pool.texts).not.toContain(" wb");
  expect(pool.size).toBe(59);
  const rng = createRng(1);
  for (let i = 0; i < 20; i++) expect(tok.count(exactText(pool, 40, rng.int))).toBe(40);
});

test("exactPool() is null for a tokenizer whose pieces merge across spaces", () => {
  // Long words merge with each other but never with "a": each token passes alone, the context fails.
  expect(exactPool(wordTokenizer((l, r) => l.length > 3 && r.length > 3))).toBeNull();
});

test("the built-in tokenizer's listed pool is the pool built from its whole vocabulary", () => {
  const listed = exactPool(defaultTokenizer())!;
  // The same tokenizer without its list: the pool is built and checked the long way.
  const tok = loadedDefaultTokenizer();
  const built = exactPool({
    name: tok.name,
    encode: tok.encode,
    decode: tok.decode,
    count: tok.count,
    vocabSize: tok.vocabSize!,
    specialIds: tok.specialIds!,
  })!;
  expect(listed.size).toBe(built.size);
  expect(listed.longest).toBe(built.longest);
  expect(listed.texts).toEqual(built.texts);
  expect(listed.firstTexts).toEqual(built.firstTexts);
  for (const key of ["contextBytes", "firstBytes"] as const) {
    expect(Buffer.compare(listed[key].bytes, built[key].bytes)).toBe(0);
    expect(Array.from(listed[key].starts)).toEqual(Array.from(built[key].starts));
  }
}, 30_000);
