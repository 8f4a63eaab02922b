// data.type "random": prompts of random vocabulary tokens, each exactly its target length under the
// tokenizer (see _fit.ts for the method and its ±1 limit). Pure given the tokenizer and seed.
import { fitToLength, randomIds } from "./_fit.ts";
import { tokenPools } from "./_pools.ts";
import { indexRng } from "./_seed.ts";
import type { LengthSource } from "./lengths.ts";
import type { DataGenerator, Tokenizer } from "./types.ts";

export interface RandomOptions {
  tokenizer: Tokenizer;
  /** Per-request lengths: from the distributions, or from a trace's rows (the data.trace hook). */
  lengths: LengthSource;
  seed: number;
}

export function createRandomGenerator({ tokenizer, lengths, seed }: RandomOptions): DataGenerator {
  // Whitespace-led tokens only (unlike upstream's any-id draw): each is its own pre-token, so the text
  // re-tokenises to exactly the drawn ids in one round and counting costs far less.
  const pool = tokenPools(tokenizer).wordStart;
  return {
    type: "random",
    size: lengths.size,
    next(index) {
      const { input, output } = lengths.at(index);
      const rng = indexRng(seed, index);
      const draw = (n: number) => randomIds(pool, n, rng.int);
      const { text, count } = fitToLength(tokenizer, input, draw(input), draw);
      return {
        prompt: text,
        messages: [{ role: "user", content: text }],
        maxTokens: output,
        expectedPromptTokens: count,
      };
    },
  };
}
