// Token-id pools that random text is drawn from, built once per tokenizer and cached.
// Pure apart from the per-process cache (a WeakMap keyed by the tokenizer).
import type { Tokenizer } from "./types.ts";

export interface TokenPools {
  /** Non-special ids whose text decodes cleanly (no U+FFFD, no control characters except \n and \t). */
  readonly any: Int32Array;
  /**
   * The subset whose text starts with whitespace. Each such token is a pre-token of its own, so text
   * made of them re-tokenises to the same ids (exact lengths in one round, and 5-10x cheaper to count
   * than arbitrary ids), and no BPE merge crosses a boundary placed before one (shared_prefix).
   */
  readonly wordStart: Int32Array;
}

const cache = new WeakMap<Tokenizer, TokenPools>();
// A seed text for tokenizers that cannot say how big their vocabulary is: its ids become the pool.
const FALLBACK_TEXT =
  "the of and to in is that it was for on are as with his they at be this from have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know";

/** `make()`'s value, computed on the first call and kept. */
export function lazy<T>(make: () => T): () => T {
  let value: { v: T } | null = null;
  return () => {
    value ??= { v: make() };
    return value.v;
  };
}

/** Pools for `tokenizer`, computed on first use (about 100 ms for a 100k vocabulary). */
export function tokenPools(tokenizer: Tokenizer): TokenPools {
  let pools = cache.get(tokenizer);
  if (!pools) {
    pools = buildPools(tokenizer);
    cache.set(tokenizer, pools);
  }
  return pools;
}

function buildPools(tokenizer: Tokenizer): TokenPools {
  const special = new Set(tokenizer.specialIds ?? []);
  const candidates =
    tokenizer.vocabSize !== undefined
      ? Array.from({ length: tokenizer.vocabSize }, (_, i) => i)
      : [...new Set(tokenizer.encode(FALLBACK_TEXT))];
  const any: number[] = [];
  const wordStart: number[] = [];
  // Word starts are judged after a reference token: decoders such as SentencePiece's Metaspace drop
  // the leading space of the first token of a text, so decode([id]) alone would hide it.
  const ref = tokenizer.encode("a").slice(0, 1);
  const refText = tokenizer.decode(ref);
  for (const id of candidates) {
    if (special.has(id)) continue;
    let text: string;
    try {
      text = tokenizer.decode([id]);
    } catch {
      continue; // a gap in the id space
    }
    if (text.length === 0 || !isClean(text)) continue;
    any.push(id);
    if (!/\S/.test(text)) continue;
    const after = tokenizer.decode([...ref, id]);
    if (after.startsWith(refText) && /^\s/.test(after.slice(refText.length))) wordStart.push(id);
  }
  if (any.length === 0)
    throw new RangeError(`Tokenizer "${tokenizer.name}" has no ordinary tokens to sample from`);
  return { any: Int32Array.from(any), wordStart: Int32Array.from(wordStart.length > 0 ? wordStart : any) };
}

// Printable text: no replacement character (a partial UTF-8 byte), no controls other than \t and \n.
function isClean(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || c === 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a)) return false;
  }
  return true;
}
