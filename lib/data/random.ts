// data.type "random": prompts of random vocabulary tokens, each exactly its target length under the
// tokenizer: by construction where the tokenizer allows it (_exact.ts: no tokenizer pass per prompt;
// past their first tokens, runs copied from a table drawn once, _exact-runs.ts), else fitted with the
// tokenizer (_fit.ts, and its ±1 limit). Pure given the tokenizer and seed.
import { exactPool } from "./_exact.ts";
import { runsInto, runsText, tokenRuns } from "./_exact-runs.ts";
import { fitToLength, randomIds } from "./_fit.ts";
import { tokenPools } from "./_pools.ts";
import { indexRng } from "./_seed.ts";
import { sizedPrompt } from "./_sized-prompt.ts";
import type { LengthSource } from "./lengths.ts";
import { jsonSafeAscii, withPromptBytes } from "./prompt-bytes.ts";
import type { DataGenerator, Tokenizer } from "./types.ts";

export interface RandomOptions {
  tokenizer: Tokenizer;
  /** Per-request lengths: from the distributions, or from a trace's rows (the data.trace hook). */
  lengths: LengthSource;
  seed: number;
}

export function createRandomGenerator({ tokenizer, lengths, seed }: RandomOptions): DataGenerator {
  const exact = exactPool(tokenizer);
  if (exact !== null) {
    const runs = tokenRuns(exact, seed);
    const generator: DataGenerator = {
      type: "random",
      size: lengths.size,
      next(index) {
        const { input, output } = lengths.at(index);
        return sizedPrompt(runsText(exact, runs, input, indexRng(seed, index).int), input, output);
      },
    };
    // Pool text of ASCII letters and spaces is its own JSON string content: the same draws copied
    // straight into a request body make the body's bytes with no prompt or body string.
    if (!jsonSafeAscii(exact.firstBytes.bytes) || !jsonSafeAscii(exact.contextBytes.bytes)) return generator;
    return withPromptBytes(generator, {
      write(index, sink) {
        const { input, output } = lengths.at(index);
        runsInto(exact, runs, input, indexRng(seed, index).int, sink);
        return { promptTokens: input, maxTokens: output };
      },
    });
  }
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
      return sizedPrompt(text, count, output);
    },
  };
}
