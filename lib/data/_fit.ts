// Make a token-id sequence decode to text that re-tokenises to exactly N tokens. Pure.
//
// Why it is needed: decode(ids) and encode(text) are not inverses. Ids drawn at random (or a window
// cut out of a corpus) can merge or split differently when the decoded text is tokenised again, so
// the count drifts by a few tokens. The loop: decode, re-encode to the canonical ids, then
//   too long  → keep the first N canonical ids (a prefix of a canonical encoding almost always
//               re-encodes to itself; only its last pre-token can change);
//   too short → append `more(k)` ids (fresh random ids or the corpus continuation) and retry.
// It settles in one or two rounds for byte-level BPE vocabularies. Where it cannot (a tokenizer whose
// decode/encode round trip is lossy at the end of the text, e.g. one that strips or adds a leading
// space), the closest text found is returned with its real count, which is within ±1 in practice.
import type { Tokenizer } from "./types.ts";

export interface FitResult {
  text: string;
  /** The count of `text` under the tokenizer: equal to the target unless it could not be reached. */
  count: number;
}

const MAX_ROUNDS = 20;

export function fitToLength(
  tokenizer: Tokenizer,
  target: number,
  initial: number[],
  more: (n: number) => number[],
): FitResult {
  if (target <= 0) return { text: "", count: 0 };
  let ids = initial;
  let best: FitResult | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const text = tokenizer.decode(ids);
    // count() first: it is the common exit and skips building the id array.
    const n = tokenizer.count(text);
    if (n === target) return { text, count: n };
    if (best === undefined || Math.abs(n - target) < Math.abs(best.count - target)) best = { text, count: n };
    const canonical = tokenizer.encode(text);
    ids = n > target ? canonical.slice(0, target) : canonical.concat(more(target - n));
  }
  return best as FitResult;
}

/** `n` ids drawn uniformly from `pool`. */
export function randomIds(pool: Int32Array, n: number, nextInt: (n: number) => number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = pool[nextInt(pool.length)] as number;
  return out;
}
