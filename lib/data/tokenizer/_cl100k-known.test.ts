import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { CL100K_BARE_WORDS, CL100K_SPACE_WORDS } from "../assets/cl100k-words.ts";
import { createKnownCounter, LOOKUP_BUDGET } from "./_cl100k-known.ts";
import { loadedDefaultTokenizer } from "./default.ts";

const spaceWords = CL100K_SPACE_WORDS.split(/(?= )/);
const bareWords = CL100K_BARE_WORDS.split("\n").filter((w) => w !== "");

describe("the pieces createKnownCounter() treats as one token", () => {
  test("every printable ASCII character and every number of one to three digits is one token", () => {
    const tok = loadedDefaultTokenizer();
    for (let c = 0x20; c <= 0x7e; c++) expect(tok.encode(String.fromCharCode(c))).toHaveLength(1);
    for (let n = 0; n < 1000; n++) {
      for (const digits of new Set([String(n), String(n).padStart(2, "0"), String(n).padStart(3, "0")])) {
        expect(tok.encode(digits)).toHaveLength(1);
      }
    }
  });

  test("every listed word is one token, spaced or bare as listed", () => {
    const tok = loadedDefaultTokenizer();
    expect(spaceWords.length).toBeGreaterThan(40_000);
    expect(bareWords.length).toBeGreaterThan(25_000);
    for (const word of [...spaceWords, ...bareWords]) {
      if (tok.count(word) !== 1) throw new Error(`"${word}" is not one token`);
    }
  });
});

describe("createKnownCounter()", () => {
  test("counts the mock data's prompts, both shapes, at any index", () => {
    const tok = loadedDefaultTokenizer();
    const count = createKnownCounter();
    for (const index of [0, 7, 42, 999, 1000, 12_345, 1_000_000, 2 ** 31 - 1, 2 ** 53 - 1]) {
      for (const text of [`1 2 3 ${index}`, `mock prompt ${index}`]) {
        expect(count(text)).toBe(tok.encode(text).length);
      }
    }
  });

  test("gives the vocabulary's count whenever it gives a count", () => {
    const tok = loadedDefaultTokenizer();
    const piece = fc.oneof(
      fc.constantFrom(...spaceWords.slice(0, 2000), ...bareWords.slice(0, 2000)),
      fc.constantFrom(" ", "  ", "\n", "\t", ".", ",", "'s", "'", "(", "<|endoftext|>", "é", "日本", "🚀"),
      fc.stringMatching(/^[A-Za-z]{1,8}$/),
      fc.stringMatching(/^[0-9]{1,7}$/),
    );
    const count = createKnownCounter(1e9);
    let counted = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join("");
        const known = count(text);
        if (known === undefined) return;
        counted++;
        expect(known).toBe(tok.encode(text).length);
      }),
      { numRuns: 3000, seed: 7 },
    );
    // The property must have been exercised, not skipped by undefined answers.
    expect(counted).toBeGreaterThan(300);
  });

  test("gives no count for text with a piece it cannot vouch for", () => {
    const count = createKnownCounter();
    for (const text of ["héllo", "a\nb", "tab\there", "(word", "x²", "zzzzqqq"]) {
      expect(count(text)).toBeUndefined();
    }
  });
});

test("a known counter stops answering once it has looked up its budget of distinct words", () => {
  const count = createKnownCounter(3);
  expect(count("mock prompt 1")).toBe(4);
  expect(count(" the")).toBe(1); // the third distinct word
  expect(count(" of")).toBeUndefined();
  expect(count("mock prompt 2")).toBeUndefined();
  expect(count("1 2 3")).toBeUndefined();
  expect(LOOKUP_BUDGET).toBeGreaterThanOrEqual(2); // mock data's words
});
