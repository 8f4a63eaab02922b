// With tokenizer.use_server_tokenize: make random/synthetic prompts exact under the SERVER's count.
// Counting over HTTP is async and the send path is not, so a pool of requests is prepared up front:
// each prompt is measured on the server and trimmed or extended (with the local tokenizer's help)
// until the server agrees with its target; requests then cycle through the pool.
import type { Rng } from "../load/rng.ts";
import { randomIds } from "./_fit.ts";
import { tokenPools } from "./_pools.ts";
import { indexRng } from "./_seed.ts";
import type { ServerTokenCounter } from "./tokenizer/server.ts";
import type { DataGenerator, GeneratedRequest, Tokenizer } from "./types.ts";

export interface ServerExactOptions {
  counter: ServerTokenCounter;
  tokenizer: Tokenizer;
  seed: number;
  /** How many distinct requests to prepare (default 256, at most the generator's size). */
  poolSize?: number | undefined;
}

const MAX_ROUNDS = 8;

export async function exactOnServer(
  generator: DataGenerator,
  opts: ServerExactOptions,
): Promise<DataGenerator> {
  const size = Math.min(opts.poolSize ?? 256, generator.size ?? Number.POSITIVE_INFINITY);
  const pool: GeneratedRequest[] = [];
  for (let i = 0; i < size; i++) {
    pool.push(await correct(generator.next(i), opts, indexRng(opts.seed, i, 2)));
  }
  return {
    type: generator.type,
    size: generator.size,
    next: (index) => pool[index % size] as GeneratedRequest,
  };
}

async function correct(
  item: GeneratedRequest,
  opts: ServerExactOptions,
  rng: Rng,
): Promise<GeneratedRequest> {
  const target = item.expectedPromptTokens;
  if (target === undefined || target === 0) return item;
  const { tokenizer, counter } = opts;
  const words = tokenPools(tokenizer).wordStart;
  let prompt = item.prompt;
  let count = await counter.count(prompt);
  for (let round = 0; round < MAX_ROUNDS && count !== target; round++) {
    if (count > target) {
      prompt = await longestPrefixWithin(prompt, target, counter);
    } else {
      // Far off: append local words (one local token is roughly one server token). Close: append
      // " a" pieces, which are a single token in the BPE vocabularies we know of.
      const deficit = target - count;
      prompt += deficit > 8 ? tokenizer.decode(randomIds(words, deficit, rng.int)) : " a".repeat(deficit);
    }
    count = await counter.count(prompt);
  }
  // The client's count of the new text is not known: the request builder counts it.
  const { clientPromptTokens: _stale, ...rest } = item;
  return { ...rest, prompt, messages: [{ role: "user", content: prompt }], expectedPromptTokens: count };
}

/**
 * The longest prefix of `text` (cut between characters, never inside a surrogate pair) that the server
 * counts at most `target` tokens: a binary search, since counts grow with the prefix (about 15 calls
 * for a 30,000-character prompt).
 */
async function longestPrefixWithin(
  text: string,
  target: number,
  counter: ServerTokenCounter,
): Promise<string> {
  let lo = 0; // known to fit
  let hi = text.length; // known not to fit
  while (hi - lo > 1) {
    let mid = (lo + hi) >>> 1;
    if (isLowSurrogate(text.charCodeAt(mid))) mid--;
    if (mid <= lo) mid = lo + 1;
    if ((await counter.count(text.slice(0, mid))) <= target) lo = mid;
    else hi = mid;
  }
  return text.slice(0, lo);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
