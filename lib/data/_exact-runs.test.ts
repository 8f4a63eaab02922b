import { describe, expect, test } from "bun:test";
import { createRng } from "../load/rng.ts";
import { exactPool } from "./_exact.ts";
import { HEAD, RUN, runsText, tokenRuns } from "./_exact-runs.ts";
import { fixtureTokenizer, pieceFixtureTokenizer } from "./data.testing.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";

describe.each([
  ["the built-in default", defaultTokenizer],
  ["the tokenizer.json fixture", fixtureTokenizer],
  ["a Llama 2 style tokenizer.json", () => pieceFixtureTokenizer("llama2")],
])("runsText() under %s", (_name, tokenizer) => {
  test("a text is exactly as many tokens as asked, across the head and run boundaries", () => {
    const tok = tokenizer();
    const pool = exactPool(tok)!;
    const runs = tokenRuns(pool, 3);
    const rng = createRng(8);
    const lengths = [0, 1, HEAD - 1, HEAD, HEAD + 1, HEAD + RUN, HEAD + RUN + 1, 2048];
    for (let i = 0; i < 30; i++) lengths.push(1 + rng.int(1500));
    for (const n of lengths) {
      expect({ n, count: tok.encode(runsText(pool, runs, n, rng.int)).length }).toEqual({ n, count: n });
    }
  }, 30_000);
});

test("runsText() texts never share their first tokens, and are made of the table's runs after them", () => {
  const tok = defaultTokenizer();
  const pool = exactPool(tok)!;
  const runs = tokenRuns(pool, 1);
  const table = new TextDecoder().decode(runs.bytes);
  const rng = createRng(2);
  const heads = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const ids = tok.encode(runsText(pool, runs, HEAD + RUN, rng.int));
    heads.add(ids.slice(0, HEAD).join(","));
    // The tokens after the head are one run: a piece of the table as it stands.
    expect(table).toContain(tok.decode(ids.slice(HEAD)));
  }
  expect(heads.size).toBe(300);
});

test("tokenRuns() is the same table for the same seed and another for another seed", () => {
  const pool = exactPool(defaultTokenizer())!;
  const [a, b, c] = [tokenRuns(pool, 4), tokenRuns(pool, 4), tokenRuns(pool, 5)];
  expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
  expect(Buffer.compare(a.bytes, c.bytes)).not.toBe(0);
});
