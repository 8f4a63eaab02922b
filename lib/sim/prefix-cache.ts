// The simulator's prefix cache: which leading part of a prompt an earlier prompt already computed, so
// its prefill is cheaper (vLLM's automatic prefix caching). Pure: no clock; LRU by use.
//
// vLLM hashes the prompt in blocks of 16 tokens, each block's hash chained to the one before, and a
// request reuses the longest run of leading blocks already held. Tokenizing every prompt would cost
// the simulator more than the cache saves it, so blocks here are cut from the prompt's text (64
// characters ≈ 16 tokens), chained the same way; the hit, a count of characters, becomes tokens in
// proportion and is rounded down to whole 16-token blocks, and at least one token is always computed
// (vLLM recomputes the last token of a fully cached prompt). Sessions that resend their history hit
// exactly what they share; an approximation only in where a block boundary falls.

export const BLOCK_CHARS = 64;
export const BLOCK_TOKENS = 16;

export interface PrefixHit {
  /** Prompt tokens served from the cache: a multiple of BLOCK_TOKENS, below the prompt's size. */
  cachedTokens: number;
}

export class PrefixCache {
  readonly #capacity: number;
  // Key: the block's chained hash (two 32-bit halves). Map order is recency of use (LRU at the front).
  readonly #blocks = new Map<string, true>();
  #hits = 0;
  #queries = 0;

  /** `capacityTokens`: KV-cache size in tokens; the cache holds that many tokens' worth of blocks. */
  constructor(capacityTokens: number) {
    this.#capacity = Math.max(1, Math.floor(capacityTokens / BLOCK_TOKENS));
  }

  get size(): number {
    return this.#blocks.size;
  }

  /** Tokens queried and hit since the start (vLLM's prefix_cache_queries / prefix_cache_hits). */
  get queries(): number {
    return this.#queries;
  }
  get hits(): number {
    return this.#hits;
  }

  /**
   * Looks the prompt up (its texts in order: the prompt, or each message's role and content) and
   * stores its blocks for later prompts. `promptTokens` is the prompt's size in tokens.
   */
  lookup(texts: readonly string[], promptTokens: number): PrefixHit {
    const text = texts.length === 1 ? texts[0]! : texts.join("\u0000");
    const blocks = Math.floor(text.length / BLOCK_CHARS);
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    let hit = 0;
    let matching = true;
    for (let b = 0; b < blocks; b++) {
      for (let i = b * BLOCK_CHARS, end = i + BLOCK_CHARS; i < end; i++) {
        const c = text.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
      }
      const key = `${h1 >>> 0}:${h2 >>> 0}`;
      if (matching && this.#blocks.has(key)) {
        hit++;
        this.#blocks.delete(key); // re-inserted below: most recently used
      } else matching = false;
      this.#blocks.set(key, true);
    }
    while (this.#blocks.size > this.#capacity) {
      const oldest = this.#blocks.keys().next().value as string;
      this.#blocks.delete(oldest);
    }
    const hitChars = hit * BLOCK_CHARS;
    let cachedTokens = 0;
    if (hitChars > 0 && text.length > 0) {
      const proportional = Math.floor((promptTokens * hitChars) / text.length);
      cachedTokens = Math.min(
        Math.floor(proportional / BLOCK_TOKENS) * BLOCK_TOKENS,
        Math.floor(Math.max(0, promptTokens - 1) / BLOCK_TOKENS) * BLOCK_TOKENS,
      );
    }
    this.#queries += promptTokens;
    this.#hits += cachedTokens;
    return { cachedTokens };
  }
}
