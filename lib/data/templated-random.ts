// data.type "random" with data.use_chat_template, as inference-perf: each random prompt is one user
// message wrapped in the tokenizer's chat template (generation prompt appended) and sent as a
// completion prompt, and the input length counts the WHOLE templated prompt, template tokens included,
// so it stays the server's prefill count (the server is told add_special_tokens: false, lib/api).
// Pure given the tokenizer, template and seed.
//
// Exact by construction where it can be: when the template puts the message in one place, as it is
// (ChatML: Qwen) or trimmed (Llama 3), a prompt is head + message + tail, and the message is random's
// exact text (_exact.ts) of the length less the template's tokens (and less what a trim costs its
// first word). That holds when the message's ends do not merge with the template's text: pool tokens
// are all a space and letters, so the boundary is the same for each of them, and it is checked at
// start on a sample. Templates no frame fits, and tokenizers with no exact pool, are fitted per
// prompt with the tokenizer: usually two counts.
import { UserError } from "../cli/errors.ts";
import type { Config } from "../config/schema.ts";
import { createRng } from "../load/rng.ts";
import { type ExactPool, exactPool, exactText } from "./_exact.ts";
import { fitToLength, randomIds } from "./_fit.ts";
import { tokenPools } from "./_pools.ts";
import { indexRng } from "./_seed.ts";
import { resolveDistribution } from "./distribution.ts";
import type { LengthSource } from "./lengths.ts";
import { type ChatTemplate, chatTemplateOf } from "./tokenizer/chat-template.ts";
import type { DataGenerator, Tokenizer } from "./types.ts";

export interface TemplatedRandomOptions {
  tokenizer: Tokenizer;
  lengths: LengthSource;
  seed: number;
  template: ChatTemplate;
  /** The exact pool to draw messages from; default _exact.ts's for the tokenizer (null: fit them). */
  pool?: ExactPool | null | undefined;
}

/** Messages of these lengths, drawn with fixed seeds, check the frame's boundary at start. */
const SAMPLE_LENGTHS = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 5, 8, 13, 21, 34];
const MAX_ROUNDS = 8;

export function createTemplatedRandomGenerator(opts: TemplatedRandomOptions): DataGenerator {
  const { tokenizer, lengths, seed, template } = opts;
  const pool = opts.pool === undefined ? exactPool(tokenizer) : opts.pool;
  const framed = pool === null ? null : framedPrompts(pool, tokenizer, template);
  assertTemplateFits(Math.max(template.overhead, framed?.fixed ?? 0), lengths.minInput);
  const fitted = fittedPrompts(tokenizer, pool, template);
  return {
    type: "random",
    size: lengths.size,
    next(index) {
      const { input, output } = lengths.at(index);
      // One seed per request: messages of n and n + d tokens drawn from it start with the same tokens.
      const messageSeed = indexRng(seed, index).int(4294967296);
      const made = framed?.make(input, messageSeed) ?? fitted(input, messageSeed);
      return {
        prompt: made.text,
        messages: [{ role: "user", content: made.message }],
        maxTokens: output,
        expectedPromptTokens: made.tokens,
        clientPromptTokens: made.tokens,
      };
    },
  };
}

/**
 * inference-perf refuses an input length at or below the template's own tokens: it cannot be met,
 * since the length counts the whole templated prompt.
 */
export function assertTemplateFits(templateTokens: number, minInput: number): void {
  if (minInput > templateTokens) return;
  throw new UserError(
    `Cannot use data.use_chat_template: the shortest input length is ${minInput} tokens, not above the chat template's own ${templateTokens}`,
    {
      details: [
        "With data.use_chat_template an input length counts the whole templated prompt: raise data.input_distribution's min (or drop the trace's shorter rows)",
      ],
    },
  );
}

/**
 * data.use_chat_template, checked on the main thread before any Worker starts: the tokenizer has a
 * template that renders, and (without a trace, whose rows the Workers check) the input lengths can
 * hold it. The Workers check it all again as they build their generators.
 */
export function checkChatTemplate(config: Pick<Config, "data">, tokenizer: Tokenizer): void {
  const data = config.data;
  if (data.type !== "random" || !data.use_chat_template) return;
  const template = chatTemplateOf(tokenizer);
  if (data.trace || !data.input_distribution) return;
  const input = resolveDistribution(data.input_distribution, "data.input_distribution");
  assertTemplateFits(template.overhead, input.type === "fixed" ? Math.trunc(input.mean) : input.min);
}

interface Made {
  /** The templated prompt. */
  text: string;
  /** The user message inside it. */
  message: string;
  tokens: number;
}

/**
 * Prompts exact by construction, spliced into the template's frame, when start-up samples show the
 * count is always the template's tokens + the message's (+ what a trim does to its first token);
 * else null. `make` gives null when the length is too short for its first token.
 */
function framedPrompts(
  pool: ExactPool,
  tokenizer: Tokenizer,
  template: ChatTemplate,
): { fixed: number; make(input: number, messageSeed: number): Made | null } | null {
  const frame = template.frame;
  if (frame === null) return null;
  const { head, tail, trims } = frame;
  // A trimming template drops the first token's leading space; what that word then costs is counted
  // once per word (the rest of the message is untouched: its tokens start with a space).
  const firstCost = new Map<string, number>();
  const extra = (messageSeed: number): number => {
    if (!trims) return 0;
    const word = exactText(pool, 1, () => messageSeed).trim();
    let cost = firstCost.get(word);
    if (cost === undefined) {
      cost = tokenizer.count(word) - 1;
      firstCost.set(word, cost);
    }
    return cost;
  };
  const splice = (message: string) => head + (trims ? message.trim() : message) + tail;
  let fixed: number | null = null;
  for (const [i, n] of SAMPLE_LENGTHS.entries()) {
    const messageSeed = createRng(0x7e3b1a + i).int(4294967296);
    const message = exactText(pool, n, () => messageSeed);
    const text = splice(message);
    if (template.render(message) !== text) return null;
    const overhead = tokenizer.count(text) - n - extra(messageSeed);
    if (fixed !== null && overhead !== fixed) return null;
    fixed = overhead;
  }
  if (fixed === null) return null;
  const around = fixed;
  return {
    fixed: around,
    make(input, messageSeed) {
      const n = input - around - extra(messageSeed);
      if (n < 1) return null;
      const message = exactText(pool, n, () => messageSeed);
      return { text: splice(message), message, tokens: input };
    },
  };
}

/** Prompts fitted with the tokenizer: render, count, adjust the message's length; usually two rounds. */
function fittedPrompts(
  tokenizer: Tokenizer,
  pool: ExactPool | null,
  template: ChatTemplate,
): (input: number, messageSeed: number) => Made {
  const frame = template.frame;
  const wrap =
    frame === null ? template.render : (m: string) => frame.head + (frame.trims ? m.trim() : m) + frame.tail;
  const wordStart = tokenPools(tokenizer).wordStart;
  const message = (n: number, messageSeed: number): string => {
    if (pool !== null) return exactText(pool, n, () => messageSeed);
    const rng = createRng(messageSeed);
    const draw = (k: number) => randomIds(wordStart, k, rng.int);
    return fitToLength(tokenizer, n, draw(n), draw).text;
  };
  return (input, messageSeed) => {
    let n = input - template.overhead;
    let best: Made | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const m = message(n, messageSeed);
      const text = wrap(m);
      const tokens = tokenizer.count(text);
      if (best === undefined || Math.abs(tokens - input) < Math.abs(best.tokens - input)) {
        best = { text, message: m, tokens };
      }
      if (tokens === input) break;
      n = Math.max(1, n + input - tokens);
    }
    return best as Made;
  };
}
