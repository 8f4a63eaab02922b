// The fitting path for random text, for benchmarks to compare against: what every `random` prompt cost
// before prompts were exact by construction (_exact.ts), and what it still costs under a tokenizer
// without an exact pool. Whitespace-led ids are drawn, decoded, counted and adjusted (_fit.ts).
import { type FitResult, fitToLength, randomIds } from "./_fit.ts";
import { tokenPools } from "./_pools.ts";
import { indexRng } from "./_seed.ts";
import type { Tokenizer } from "./types.ts";

/** Request `index`'s `n`-token random text, fitted with the tokenizer. */
export function fittedRandomText(tokenizer: Tokenizer, n: number, seed: number, index: number): FitResult {
  const pool = tokenPools(tokenizer).wordStart;
  const rng = indexRng(seed, index);
  const draw = (k: number) => randomIds(pool, k, rng.int);
  return fitToLength(tokenizer, n, draw(n), draw);
}
