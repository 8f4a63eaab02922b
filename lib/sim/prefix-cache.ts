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
  // Key: the block's chained hash, 53 bits of its two 32-bit halves as one number (no string per
  // block); value: the stamp of its last use.
  readonly #blocks = new Map<number, number>();
  // Every use, oldest first, as (key, stamp): the LRU order, with a lazily skipped entry for each use
  // a later one superseded. Not the Map's own order (delete and re-insert on use, evict its first key):
  // each eviction's keys().next() walks past every deleted entry still in the table, which made
  // eviction quadratic and most of the simulator's CPU once the cache was full (55% at 1,000 req/s).
  #queueKeys: number[] = [];
  #queueStamps: number[] = [];
  #head = 0;
  #clock = 0;
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
      const key = (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
      const held = this.#blocks.has(key);
      if (matching && held) hit++;
      else matching = false;
      // A hit is used again; a block held past the first miss keeps its place (it was not read).
      if (!held || matching) this.#use(key);
    }
    this.#evict();
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

  /** Marks `key` most recently used (adding it if new). */
  #use(key: number): void {
    const stamp = ++this.#clock;
    this.#blocks.set(key, stamp);
    this.#queueKeys.push(key);
    this.#queueStamps.push(stamp);
  }

  /** Drops least recently used blocks down to capacity, and superseded queue entries now and then. */
  #evict(): void {
    const keys = this.#queueKeys;
    const stamps = this.#queueStamps;
    while (this.#blocks.size > this.#capacity) {
      const key = keys[this.#head] as number;
      if (this.#blocks.get(key) === stamps[this.#head]) this.#blocks.delete(key);
      this.#head++;
    }
    // Keep the queue within twice the live blocks (plus slack): amortised O(1) per use.
    if (keys.length - this.#head > 2 * this.#blocks.size + 1024) {
      const liveKeys: number[] = [];
      const liveStamps: number[] = [];
      for (let i = this.#head; i < keys.length; i++) {
        if (this.#blocks.get(keys[i] as number) === stamps[i]) {
          liveKeys.push(keys[i] as number);
          liveStamps.push(stamps[i] as number);
        }
      }
      this.#queueKeys = liveKeys;
      this.#queueStamps = liveStamps;
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > keys.length) {
      this.#queueKeys = keys.slice(this.#head);
      this.#queueStamps = stamps.slice(this.#head);
      this.#head = 0;
    }
  }
}
