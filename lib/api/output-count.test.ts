import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { SHAKESPEARE_CORIOLANUS } from "../data/assets/shakespeare.ts";
import { defaultTokenizer } from "../data/tokenizer/default.ts";
import { createJsonTokenizer } from "../data/tokenizer/json.ts";
import type { Tokenizer } from "../data/types.ts";
import { countInSegments, createOutputCounter, segmentEnd } from "./output-count.ts";

const cl100k = defaultTokenizer();
const fixture = createJsonTokenizer(
  JSON.parse(readFileSync(new URL("../../fixtures/data/tokenizer.json", import.meta.url), "utf8")),
  {},
  "fixture (GPT-2 byte-level BPE)",
);

/** A tokenizer that records the length of every text it is asked to count. */
function spy(inner: Tokenizer): Tokenizer & { lengths: number[] } {
  const lengths: number[] = [];
  return {
    ...inner,
    lengths,
    count: (text) => {
      lengths.push(text.length);
      return inner.count(text);
    },
  };
}

const naturalTexts: [string, string][] = [
  ["English prose", SHAKESPEARE_CORIOLANUS.slice(0, 6000)],
  ["contractions and quotes", "It's what we'd've done; don't you think they'll say 'I'm here'? O'Brien's."],
  ["French with accents", "Ça va très bien, merci ! L'été dernier, nous étions à Montréal… Où êtes-vous ?"],
  ["Chinese with punctuation", "今天天气很好，我们去公园散步吧。你觉得怎么样？好的！明天见。".repeat(20)],
  ["Japanese", "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。".repeat(20)],
  ["Russian", "Съешь же ещё этих мягких французских булок, да выпей чаю. ".repeat(20)],
  ["code", "function f(a, b) {\n  return a.map((x) => x * 2 + b[0]);\n}\r\n\tconst y = f([1,2,3], [4]);\n"],
  ["emoji, digits and runs of spaces", "Hello 🙂🙂 world!!! 12345678   spaced\n\n\nout 🎉,🎉. done 3.14159"],
  ["combining marks", "Cafe\u0301 nai\u0308ve re\u0301sume\u0301 ".repeat(30)],
];

/**
 * The longest stretch of `text` with no boundary inside (a BMP letter followed by a BMP non-letter):
 * a segment longer than that always finds a boundary, so no cut is forced.
 */
function longestStretch(text: string): number {
  const bmp = (i: number) => {
    const c = text.charCodeAt(i);
    return c < 0xd800 || c > 0xdfff;
  };
  const isLetter = (i: number) => /\p{L}/u.test(text[i] as string);
  let longest = 0;
  let last = 0;
  for (let i = 1; i < text.length; i++) {
    if (bmp(i - 1) && bmp(i) && isLetter(i - 1) && !isLetter(i)) {
      longest = Math.max(longest, i - last);
      last = i;
    }
  }
  return Math.max(longest, text.length - last);
}

describe("countInSegments()", () => {
  test.each(naturalTexts)("gives the whole text's cl100k count for %s", (_, text) => {
    const whole = cl100k.count(text);
    expect(countInSegments(cl100k, text, 512)).toBe(whole);
    // However small the segments, as long as no cut has to be forced.
    const shortest = longestStretch(text) + 1;
    for (const size of [shortest, shortest + 7, 64]) {
      if (size >= shortest) expect(countInSegments(cl100k, text, size)).toBe(whole);
    }
  });

  test("gives the whole text's count (cl100k and a GPT-2 tokenizer.json) for any mix of words, spaces, punctuation, digits and newlines", () => {
    const piece = fc.constantFrom(
      "the",
      " fox",
      "jumps",
      " ",
      "  ",
      "\n",
      "\r\n",
      ",",
      ".",
      "!?",
      "'s",
      "'ll",
      "don't",
      "42",
      "1234567",
      "日本語",
      "，",
      "。",
      "été",
      "🙂",
      "\t",
      "::",
      "-",
      "e\u0301",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 120 }), fc.integer({ min: 0, max: 30 }), (pieces, extra) => {
        const text = pieces.join("");
        const size = longestStretch(text) + 1 + extra;
        expect(countInSegments(cl100k, text, size)).toBe(cl100k.count(text));
        expect(countInSegments(fixture, text, size)).toBe(fixture.count(text));
      }),
      { numRuns: 300 },
    );
  });

  test("never hands the tokenizer more than a segment, even for text with no boundary at all", () => {
    const counting = spy(cl100k);
    const text = "x".repeat(4096);
    const count = countInSegments(counting, text, 512);
    expect(Math.max(...counting.lengths)).toBe(512);
    expect(counting.lengths.reduce((a, b) => a + b, 0)).toBe(4096);
    // 7 forced cuts, each worth at most a token or so either way.
    expect(Math.abs(count - cl100k.count(text))).toBeLessThanOrEqual(8);
  });

  test("never cuts a surrogate pair in two", () => {
    const text = "🙂".repeat(600); // no letters: every cut is forced
    const pieces: string[] = [];
    const counting = {
      ...cl100k,
      count: (t: string) => {
        pieces.push(t);
        return cl100k.count(t);
      },
    };
    countInSegments(counting, text, 511);
    for (const piece of pieces) expect(piece).toMatch(/^(\u{1F642})+$/u);
    expect(pieces.join("")).toBe(text);
  });
});

describe("segmentEnd()", () => {
  test.each([
    // text, from, to → end
    ["hello world", 0, 9, 5], // after "hello", before the space
    ["hello, world", 0, 11, 5], // after "hello", before the comma ("world" runs to the window's end)
    ["abc123def", 0, 8, 3], // a letter followed by a digit
    ["abcdefgh", 0, 5, 5], // no boundary: cut at the window's end
    ["ab🙂cd", 0, 3, 2], // no boundary next to an emoji; the forced cut moves off the pair's middle
  ] as const)("%j from %d to %d ends at %d", (text, from, to, end) => {
    expect(segmentEnd(text, from, to)).toBe(end);
  });
});

describe("createOutputCounter()", () => {
  test("counts the same however the text arrives", () => {
    const text = SHAKESPEARE_CORIOLANUS.slice(0, 3000);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 40 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), text.length];
        const counter = createOutputCounter(cl100k);
        for (let i = 1; i < points.length; i++) counter.add(text.slice(points[i - 1], points[i]));
        expect(counter.count()).toBe(cl100k.count(text));
      }),
      { numRuns: 50 },
    );
  });

  test("keeps and counts at most its budget, and extrapolates the rest", () => {
    const counting = spy(cl100k);
    const counter = createOutputCounter(counting, { segmentChars: 512, budgetChars: 1000 });
    const sentence = "The quick brown fox jumps over the lazy dog. ";
    for (let i = 0; i < 200; i++) counter.add(sentence); // 9,000 characters
    const count = counter.count();
    expect(counting.lengths.reduce((a, b) => a + b, 0)).toBe(1000);
    const exact = cl100k.count(sentence.repeat(200));
    expect(Math.abs(count - exact) / exact).toBeLessThan(0.02);
  });

  test("does not keep half a surrogate pair at the budget's edge", () => {
    const counting = spy(cl100k);
    const counter = createOutputCounter(counting, { segmentChars: 512, budgetChars: 5 });
    counter.add("ab🙂🙂🙂");
    counter.count();
    expect(counting.lengths).toEqual([4]); // "ab🙂", not "ab🙂" plus a lone high surrogate
  });

  test("counts 256 KB of text without spaces in bounded work", () => {
    const counting = spy(cl100k);
    const counter = createOutputCounter(counting);
    const chunk = "abcdefghijklmnopqrstuvwxyz".repeat(40);
    for (let i = 0; i < 256; i++) counter.add(chunk);
    expect(counter.count()).toBeGreaterThan(0);
    expect(Math.max(...counting.lengths)).toBeLessThanOrEqual(512);
    expect(counting.lengths.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(256 * 1024);
  });
});
