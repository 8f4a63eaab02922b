import { describe, expect, test } from "bun:test";
import { createRng } from "../load/rng.ts";
import { createEngine } from "./engine.ts";
import { simDefaults } from "./options.ts";
import { BLOCK_CHARS, PrefixCache } from "./prefix-cache.ts";

const text = (n: number, seed = 1) => {
  const rng = createRng(seed);
  let s = "";
  while (s.length < n) s += String.fromCharCode(97 + rng.int(26));
  return s;
};

describe("PrefixCache", () => {
  test("a first prompt hits nothing; the same prompt again hits all whole blocks but the last token", () => {
    const cache = new PrefixCache(100_000);
    const prompt = text(BLOCK_CHARS * 10); // 640 characters, say 160 tokens
    expect(cache.lookup([prompt], 160).cachedTokens).toBe(0);
    // 160 tokens: 10 blocks of 16, but one token is always computed, so 9 blocks are served.
    expect(cache.lookup([prompt], 160).cachedTokens).toBe(144);
    expect([cache.queries, cache.hits]).toEqual([320, 144]);
  });

  test("a session's next turn hits the history it shares with the previous one", () => {
    const cache = new PrefixCache(100_000);
    const history = text(BLOCK_CHARS * 8);
    cache.lookup([history], 128);
    // Same 512 leading characters, then 512 new ones: half of 256 tokens.
    expect(cache.lookup([history + text(BLOCK_CHARS * 8, 2)], 256).cachedTokens).toBe(128);
    // A prompt that differs from the first character on shares nothing.
    expect(cache.lookup([`x${history}`], 128).cachedTokens).toBe(0);
  });

  test("chat prompts are keyed by their messages in order", () => {
    const cache = new PrefixCache(100_000);
    const system = text(BLOCK_CHARS * 4);
    cache.lookup([system, "q1"], 70);
    expect(cache.lookup([system, "q2"], 70).cachedTokens).toBe(64);
  });

  test("the least recently used blocks go first when the cache is full", () => {
    const cache = new PrefixCache(16 * 4); // room for 4 blocks
    const a = text(BLOCK_CHARS * 4, 1);
    const b = text(BLOCK_CHARS * 4, 2);
    cache.lookup([a], 64);
    cache.lookup([b], 64); // evicts a
    expect(cache.size).toBe(4);
    expect(cache.lookup([a], 65).cachedTokens).toBe(0);
  });

  test("hits the same as a plain LRU model over a long churn of shared, repeated and new prompts", () => {
    // The model: a Map in recency order, evicting its first key (what the cache did before its queue).
    const capacity = 40;
    const model = new Map<string, true>();
    const modelLookup = (prompt: string): number => {
      let hit = 0;
      let matching = true;
      for (let b = 0; b < Math.floor(prompt.length / BLOCK_CHARS); b++) {
        const key = prompt.slice(0, (b + 1) * BLOCK_CHARS);
        if (matching && model.has(key)) {
          hit++;
          model.delete(key);
        } else matching = false;
        model.set(key, true);
      }
      while (model.size > capacity) model.delete(model.keys().next().value as string);
      return hit;
    };
    const cache = new PrefixCache(16 * capacity);
    const prefixes = [1, 2, 3].map((seed) => text(BLOCK_CHARS * 6, seed));
    const rng = createRng(7);
    // Enough lookups that the queue is compacted both ways many times over.
    for (let i = 0; i < 5000; i++) {
      const prefix = prefixes[rng.int(3)]!;
      const prompt =
        rng.int(4) === 0 ? prefix : prefix + text(BLOCK_CHARS * (1 + rng.int(8)), 100 + rng.int(50));
      const blocks = Math.floor(prompt.length / BLOCK_CHARS);
      // Tokens = 16 per block plus one, so the cached tokens are the hit blocks exactly.
      const hitTokens = cache.lookup([prompt], blocks * 16 + 1).cachedTokens;
      expect(hitTokens).toBe(modelLookup(prompt) * 16);
      expect(cache.size).toBe(model.size);
    }
  });
});

describe("engine prefill with cached tokens", () => {
  test("prefill pays only for the tokens the cache did not serve", () => {
    let now = 0;
    const firsts: number[] = [];
    const engine = createEngine(
      { ...simDefaults, prefillMs: 10, prefillMsPerToken: 1, itlMs: 5 },
      { now: () => now, rng: createRng(1) },
    );
    const spec = { model: "m", promptTokens: 100, maxTokens: 1, ignoreEos: true };
    engine.submit(spec, { onToken: (_i, _l, due) => firsts.push(due) });
    engine.submit({ ...spec, cachedTokens: 96 }, { onToken: (_i, _l, due) => firsts.push(due) });
    now = 1000;
    engine.advance(now);
    // 10 + 100 × 1 = 110 ms cold; 10 + 4 × 1 = 14 ms with 96 tokens cached.
    expect(firsts.sort((x, y) => x - y)).toEqual([14, 110]);
  });
});
