import { describe, expect, test } from "bun:test";
import { createRng } from "../load/rng.ts";
import { exactWindows } from "./_exact-windows.ts";
import { SHAKESPEARE_CORIOLANUS } from "./assets/shakespeare.ts";
import { fixtureTokenizer, pieceFixtureTokenizer } from "./data.testing.ts";
import { growableSink } from "./prompt-bytes.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";
import type { Tokenizer } from "./types.ts";
import { wordTokenizer } from "./word-tokenizer.testing.ts";

const windowsOf = (tok: Tokenizer, corpus: string) =>
  exactWindows(tok, { text: corpus, ids: tok.encode(corpus) });

describe.each([
  ["the built-in default", defaultTokenizer],
  ["the tokenizer.json fixture", fixtureTokenizer],
  ["a Metaspace tokenizer.json", () => pieceFixtureTokenizer("metaspace")],
  ["a Llama 2 style tokenizer.json", () => pieceFixtureTokenizer("llama2")],
])("exactWindows() under %s", (_name, tokenizer) => {
  test("a window encodes to exactly as many tokens as asked, from 1 token to twice the corpus", () => {
    const tok = tokenizer();
    const windows = windowsOf(tok, SHAKESPEARE_CORIOLANUS)!;
    expect(windows).not.toBeNull();
    const rng = createRng(11);
    const lengths = [1, 2, 3, 7, 64, 511, 1024, 2048, windows.size - 1, windows.size + 5, 2 * windows.size];
    for (let i = 0; i < 40; i++) lengths.push(1 + rng.int(3000));
    for (const n of lengths) {
      const text = windows.text(n, rng.int);
      expect({ n, count: text === null ? null : tok.encode(text).length }).toEqual({ n, count: n });
    }
  }, 30_000);

  test("a window shorter than half the corpus is a piece of the corpus, drawn from many places", () => {
    const windows = windowsOf(tokenizer(), SHAKESPEARE_CORIOLANUS)!;
    const rng = createRng(5);
    const texts = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const text = windows.text(200, rng.int)!;
      // The first word may go without its space; the rest is the corpus as it stands.
      expect(SHAKESPEARE_CORIOLANUS).toContain(text.trimStart());
      texts.add(text);
    }
    expect(texts.size).toBeGreaterThan(45); // a start now and then repeats (about 8,000 to draw from)
  });
});

/** A corpus of the word tokenizer's words: "a" then 400 seeded words. */
function wordCorpus(tok: Tokenizer): string {
  const rng = createRng(2);
  return tok.decode([0, ...Array.from({ length: 400 }, () => 1 + rng.int(60))]);
}

test("exactWindows() are exact under a tokenizer whose words never merge", () => {
  const tok = wordTokenizer(() => false);
  const windows = windowsOf(tok, wordCorpus(tok))!;
  expect(windows).not.toBeNull();
  const rng = createRng(3);
  for (let i = 0; i < 40; i++) {
    const n = 1 + rng.int(900);
    expect(tok.count(windows.text(n, rng.int)!)).toBe(n);
  }
});

test("exactWindows() is null for a tokenizer whose pieces merge across spaces", () => {
  // Long words merge with each other: windows cut between two of them would count differently.
  const tok = wordTokenizer((l, r) => l.length > 3 && r.length > 3);
  expect(windowsOf(tok, wordCorpus(tok))).toBeNull();
});

test("exactWindows() is null when the token texts do not add up to the corpus", () => {
  // A decoder that cleans up spaces before punctuation ("word ." → "word."): offsets would be wrong.
  const tok = wordTokenizer(() => false);
  const corpus = wordCorpus(tok);
  const cleaning: Tokenizer = { ...tok, decode: (ids) => tok.decode(ids).replaceAll(" wa", "wa") };
  expect(windowsOf(cleaning, corpus)).toBeNull();
});

test.each([
  ["the built-in default", defaultTokenizer],
  ["the tokenizer.json fixture", fixtureTokenizer],
])(
  "exactWindows() of a corpus with accents, CJK and emoji (byte tokens) are exact under %s",
  (_name, tokenizer) => {
    const tok = tokenizer();
    const words = [
      "café",
      "naïve",
      "über",
      "straße",
      "日本語",
      "テキスト",
      "zoë",
      "hello",
      "world",
      "the",
      "😀",
      "ça",
    ];
    const rng = createRng(4);
    let corpus = "Début";
    for (let i = 0; i < 3000; i++) corpus += (rng.int(10) === 0 ? ", " : " ") + words[rng.int(words.length)];
    const windows = windowsOf(tok, `${corpus}.\n`)!;
    expect(windows).not.toBeNull();
    for (let i = 0; i < 30; i++) {
      const n = 1 + rng.int(2000);
      expect(tok.count(windows.text(n, rng.int)!)).toBe(n);
    }
  },
);

test("exactWindows().into() writes text()'s JSON-escaped bytes for the same draws, and has none past ASCII", () => {
  const tok = defaultTokenizer();
  // Quotes, backslashes, tabs and newlines, which JSON escapes.
  const corpus = `${SHAKESPEARE_CORIOLANUS.slice(0, 6000)} "quoted" back\\slash\ttab\n`.repeat(2);
  const windows = windowsOf(tok, corpus)!;
  const [a, b] = [createRng(4), createRng(4)];
  for (let i = 0; i < 60; i++) {
    const n = 1 + a.int(2500);
    expect(1 + b.int(2500)).toBe(n);
    const sink = growableSink(8);
    const wrote = windows.into(n, b.int, sink);
    const text = windows.text(n, a.int);
    expect(wrote).toBe(text !== null);
    if (text !== null)
      expect(new TextDecoder().decode(sink.bytes.subarray(0, sink.at))).toBe(
        JSON.stringify(text).slice(1, -1),
      );
    else expect(sink.at).toBe(0);
  }
  const accented = windowsOf(tok, `${SHAKESPEARE_CORIOLANUS.slice(0, 6000)} café`)!;
  const sink = growableSink(8);
  expect(accented.into(50, createRng(1).int, sink)).toBe(false);
  expect(sink.at).toBe(0);
});
