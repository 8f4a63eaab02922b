// data.type "shared_prefix": num_groups x num_prompts_per_group prompts; every prompt of a group starts
// with the same system prompt, byte for byte, so server prefix caching is really exercised.
// Pure given the tokenizer and seed; all prompts are built up front (as upstream) and cycled, exact by
// construction where the tokenizer allows it (_exact.ts), else fitted with it.
import { createRng, type Rng } from "../load/rng.ts";
import { type ExactPool, exactPool, exactTexts } from "./_exact.ts";
import { fitToLength, randomIds } from "./_fit.ts";
import { tokenPools } from "./_pools.ts";
import {
  type DrawnLengths,
  drawSharedPrefixLengths,
  type SharedPrefixLengths,
} from "./shared-prefix-lengths.ts";
import type { ChatMessage, DataGenerator, GeneratedRequest, Tokenizer } from "./types.ts";

export interface SharedPrefixOptions extends SharedPrefixLengths {
  tokenizer: Tokenizer;
}

/** One prompt of the set, before it becomes a request: its group, and its prefix and question apart. */
export interface SharedPrefixPrompt {
  group: number;
  /** The group's system prompt (empty with system_prompt_len 0). */
  prefix: string;
  /** The question as a message of its own: no leading space after a prefix (as upstream). */
  question: string;
  /** prefix + question as one text, exact: what the completion API sends. */
  prompt: string;
  maxTokens: number;
  /** The tokenizer's count of `prompt`: system_prompt_len + question_len where exact. */
  promptTokens: number;
}

// The prompt is prefix + question as strings; the question starts with a whitespace-led token so no
// merge crosses the boundary. When one still does, a fresh question is drawn, at most this many times.
const MAX_QUESTION_TRIES = 8;

export function createSharedPrefixGenerator(opts: SharedPrefixOptions): DataGenerator {
  const items = sharedPrefixPrompts(opts).map(asRequest);
  return {
    type: "shared_prefix",
    size: items.length,
    next: (index) => items[index % items.length] as GeneratedRequest,
  };
}

/**
 * Every prompt of the set, shuffled with the seed. `perGroup` runs once per group right after its
 * system prompt is drawn, on the same RNG (where upstream samples a group's prefix media), so a
 * caller that draws nothing there leaves the prompts as they are without it.
 */
export function sharedPrefixPrompts(
  opts: SharedPrefixOptions,
  perGroup?: (group: number, rng: Rng) => void,
): SharedPrefixPrompt[] {
  const { tokenizer } = opts;
  const rng = createRng(opts.seed);
  const lens = drawSharedPrefixLengths(opts, rng);
  const exact = exactPool(tokenizer);
  const items =
    exact !== null ? exactItems(exact, lens, rng, perGroup) : fittedItems(tokenizer, lens, rng, perGroup);
  shuffle(items, rng);
  return items;
}

/** The text-only request: the completion prompt, and a system message (the prefix) and a user message. */
function asRequest(p: SharedPrefixPrompt): GeneratedRequest {
  const messages: ChatMessage[] =
    p.prefix === ""
      ? [{ role: "user", content: p.question }]
      : [
          { role: "system", content: p.prefix },
          { role: "user", content: p.question },
        ];
  return { prompt: p.prompt, messages, maxTokens: p.maxTokens, expectedPromptTokens: p.promptTokens };
}

/** Prompts exact by construction (_exact.ts): no tokenizer pass, and no merge across the boundary. */
function exactItems(
  pool: ExactPool,
  { systemLens, questionLens, outputLens }: DrawnLengths,
  rng: Rng,
  perGroup: ((group: number, rng: Rng) => void) | undefined,
): SharedPrefixPrompt[] {
  const items: SharedPrefixPrompt[] = [];
  systemLens.forEach((systemLen, group) => {
    const prefix = exactTexts(pool, systemLen, rng.int).atStart;
    perGroup?.(group, rng);
    questionLens[group]?.forEach((questionLen, p) => {
      const question = exactTexts(pool, questionLen, rng.int);
      items.push({
        group,
        prefix,
        // As upstream, the question carries no leading space after a prefix (its own count may then
        // differ by one; the prompt's does not).
        question: prefix === "" ? question.atStart : question.atStart.trimStart(),
        prompt: prefix + (prefix === "" ? question.atStart : question.after),
        maxTokens: outputLens[group]?.[p] as number,
        promptTokens: systemLen + questionLen,
      });
    });
  });
  return items;
}

/** Prompts fitted with the tokenizer, for tokenizers without an exact pool. */
function fittedItems(
  tokenizer: Tokenizer,
  { systemLens, questionLens, outputLens }: DrawnLengths,
  rng: Rng,
  perGroup: ((group: number, rng: Rng) => void) | undefined,
): SharedPrefixPrompt[] {
  const pool = tokenPools(tokenizer).wordStart;
  const items: SharedPrefixPrompt[] = [];
  const draw = (n: number) => randomIds(pool, n, rng.int);
  systemLens.forEach((systemLen, group) => {
    const prefix = fitToLength(tokenizer, systemLen, draw(systemLen), draw);
    perGroup?.(group, rng);
    questionLens[group]?.forEach((questionLen, p) => {
      const question = drawQuestion(tokenizer, prefix.text, prefix.count + questionLen, questionLen, draw);
      const prompt = prefix.text + question;
      items.push({
        group,
        prefix: prefix.text,
        question: prefix.text === "" ? question : question.trimStart(),
        prompt,
        maxTokens: outputLens[group]?.[p] as number,
        promptTokens: tokenizer.count(prompt),
      });
    });
  });
  return items;
}

function drawQuestion(
  tokenizer: Tokenizer,
  prefix: string,
  combinedTarget: number,
  length: number,
  draw: (n: number) => number[],
): string {
  let question = "";
  for (let attempt = 0; attempt < MAX_QUESTION_TRIES; attempt++) {
    question = fitToLength(tokenizer, length, draw(length), draw).text;
    if (tokenizer.count(prefix + question) === combinedTarget) break;
  }
  return question;
}

/** Fisher-Yates with the seeded RNG (upstream shuffles with rng.permutation). */
function shuffle<T>(items: T[], rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
