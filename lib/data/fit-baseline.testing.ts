// Earlier ways of making prompts, for benchmarks to compare against: the fitting path (what every
// `random` and `synthetic` prompt cost before prompts were exact by construction, and what it still
// costs under a tokenizer where they cannot be: ids decoded, counted and adjusted, _fit.ts), and
// random text drawn token by token (before runs from a table, _exact-runs.ts).
import { exactPool, exactText } from "./_exact.ts";
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

/**
 * Request `index`'s `n`-token window of `corpusIds` (the corpus encoded), fitted with the tokenizer:
 * what every `synthetic` prompt cost before exact windows (_exact-windows.ts), and what it still
 * costs where they do not hold.
 */
export function fittedCorpusText(
  tokenizer: Tokenizer,
  corpusIds: readonly number[],
  { n, seed, index }: { n: number; seed: number; index: number },
): FitResult {
  let cursor = indexRng(seed, index).int(corpusIds.length);
  const take = (k: number): number[] => {
    const out = new Array<number>(k);
    for (let i = 0; i < k; i++) {
      out[i] = corpusIds[cursor] as number;
      cursor = (cursor + 1) % corpusIds.length;
    }
    return out;
  };
  return fitToLength(tokenizer, n, take(n), take);
}

/**
 * Request `index`'s `n`-token random text from the exact pool with every token drawn one by one:
 * what `random` prompts cost before their runs were copied from a table (_exact-runs.ts).
 */
export function tokenByTokenText(tokenizer: Tokenizer, n: number, seed: number, index: number): string {
  const pool = exactPool(tokenizer);
  if (pool === null) throw new RangeError(`Tokenizer "${tokenizer.name}" has no exact pool`);
  return exactText(pool, n, indexRng(seed, index).int);
}
