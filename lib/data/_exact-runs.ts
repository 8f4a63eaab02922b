// Long random pool text at the cost of a few copies: `random` prompts beyond their first tokens are
// runs copied from a table of pool tokens drawn once per seed. Pure given the pool and seed.
//
// Why: drawing every token of a prompt on its own costs 35-100 ns per token (a random read from the
// pool's byte table, mostly a cache miss), 20-200 µs for 512-2,048 tokens, which on a busy client
// core is as much as sending and reading the request. Copying runs of RUN tokens from random places
// in a table of TABLE tokens drawn i.i.d. from the pool keeps each token uniform over the pool, and
// any sequence of pool tokens encodes to exactly its ids (_exact.ts), so prompts stay exact by
// construction. The first HEAD tokens of each prompt are still drawn one by one, so no two prompts
// share a prefix (a server's prefix cache sees no hits it would not see with i.i.d. draws); later,
// two prompts share a run only as pieces in the middle, which prefix caches do not match.
import { createRng } from "../load/rng.ts";
import { type ExactPool, exactInto } from "./_exact.ts";
import { type ByteSink, growableSink, putBytes } from "./prompt-bytes.ts";

/** Tokens drawn one by one at the start of every text. */
export const HEAD = 32;
/** Tokens per run copied from the table. */
export const RUN = 64;
/** Tokens in the table (about 7 bytes each for English word tokens: ~0.5 MB per builder). */
const TABLE = 65536;

export interface TokenRuns {
  /** The table's tokens as UTF-8, each with its leading space: token i is bytes[starts[i]] … bytes[starts[i + 1]]. */
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
}

/** The run table for `seed` (the same for every Worker with that seed, so prompts replay). */
export function tokenRuns(pool: ExactPool, seed: number): TokenRuns {
  const rng = createRng(seed ^ 0x7a3b1e55);
  const { bytes: source, starts: from } = pool.contextBytes;
  const ids = new Int32Array(TABLE);
  const starts = new Int32Array(TABLE + 1);
  for (let i = 0; i < TABLE; i++) {
    const id = rng.int(pool.size);
    ids[i] = id;
    starts[i + 1] = (starts[i] as number) + (from[id + 1] as number) - (from[id] as number);
  }
  const bytes = new Uint8Array(starts[TABLE] as number);
  for (let i = 0; i < TABLE; i++) {
    const id = ids[i] as number;
    let at = starts[i] as number;
    for (let j = from[id] as number, end = from[id + 1] as number; j < end; j++)
      bytes[at++] = source[j] as number;
  }
  return { bytes, starts };
}

/**
 * Text of exactly `n` pool tokens: HEAD drawn one by one (the first as a text starts), the rest in
 * runs from the table. `int(m)` → 0 … m-1 is the request's seeded RNG.
 */
export function runsText(pool: ExactPool, runs: TokenRuns, n: number, int: (m: number) => number): string {
  scratch.at = 0;
  runsInto(pool, runs, n, int, scratch);
  return decoder.decode(scratch.bytes.subarray(0, scratch.at));
}

/** runsText's text appended to `sink` as UTF-8 (the same draws, so the same bytes). */
export function runsInto(
  pool: ExactPool,
  runs: TokenRuns,
  n: number,
  int: (m: number) => number,
  sink: ByteSink,
): void {
  exactInto(pool, Math.min(n, HEAD), int, sink);
  const { bytes, starts } = runs;
  for (let left = n - HEAD; left > 0; ) {
    const m = Math.min(left, RUN);
    const first = int(TABLE - m + 1);
    putBytes(sink, bytes, starts[first] as number, starts[first + m] as number);
    left -= m;
  }
}

const decoder = new TextDecoder();
const scratch = growableSink();
