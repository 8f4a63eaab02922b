import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { loadRanks, wordsModule, wordsModulePath } from "./gen-cl100k-words.ts";

test("the checked-in cl100k word lists are what the generator writes from gpt-tokenizer's ranks", () => {
  // Fails after a gpt-tokenizer upgrade that changes cl100k_base: rerun the generator.
  expect(readFileSync(wordsModulePath, "utf8") === wordsModule(loadRanks())).toBe(true);
});

test("the generator lists a rank's text only when it is ASCII letters, with or without one leading space", () => {
  const text = wordsModule(["the", " of", "  x", " é", "b2", [200, 1], " And", "Zed"]);
  expect(text).toContain('CL100K_SPACE_WORDS =\n  " of And";');
  expect(text).toContain('CL100K_SPACE_WORD_LENGTHS =\n  "34";');
  expect(text).toContain('CL100K_BARE_WORDS =\n  "\\nthe\\nZed\\n";');
});
