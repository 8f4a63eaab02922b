// data.type "shared_prefix": num_groups x num_prompts_per_group prompts; every prompt of a group starts
// with the same system prompt, byte for byte, so server prefix caching is really exercised.
// Pure given the tokenizer and seed; all prompts are built up front (as upstream) and cycled, exact by
// construction where the tokenizer allows it (_exact.ts), else fitted with it.
import { createRng, type Rng } from "../load/rng.ts";
import { type ExactPool, exactPool, exactTexts } from "./_exact.ts";
import { fitToLength, randomIds } from "./_fit.ts";
import { tokenPools } from "./_pools.ts";
import { type Distribution, sampleFromDistribution } from "./distribution.ts";
import type { DataGenerator, GeneratedRequest, Tokenizer } from "./types.ts";

export interface SharedPrefixOptions {
  tokenizer: Tokenizer;
  numGroups: number;
  numPromptsPerGroup: number;
  systemPromptLen: Distribution;
  questionLen: Distribution;
  outputLen: Distribution;
  seed: number;
}

// The prompt is prefix + question as strings; the question starts with a whitespace-led token so no
// merge crosses the boundary. When one still does, a fresh question is drawn, at most this many times.
const MAX_QUESTION_TRIES = 8;

export function createSharedPrefixGenerator(opts: SharedPrefixOptions): DataGenerator {
  const { tokenizer, numGroups: groups, numPromptsPerGroup: perGroup } = opts;
  const rng = createRng(opts.seed);
  // Draw order as upstream: system lengths for all groups, then per group its question and output lengths.
  const systemLens = sampleFromDistribution(
    opts.systemPromptLen,
    groups,
    rng,
    "data.shared_prefix.system_prompt_len",
  );
  const questionLens: number[][] = [];
  const outputLens: number[][] = [];
  for (let g = 0; g < groups; g++) {
    questionLens.push(
      sampleFromDistribution(opts.questionLen, perGroup, rng, "data.shared_prefix.question_len"),
    );
    outputLens.push(sampleFromDistribution(opts.outputLen, perGroup, rng, "data.shared_prefix.output_len"));
  }

  const exact = exactPool(tokenizer);
  const items: GeneratedRequest[] =
    exact !== null
      ? exactItems(exact, systemLens, questionLens, outputLens, rng)
      : fittedItems(tokenizer, systemLens, questionLens, outputLens, rng);
  shuffle(items, rng);
  return {
    type: "shared_prefix",
    size: items.length,
    next: (index) => items[index % items.length] as GeneratedRequest,
  };
}

/** Prompts exact by construction (_exact.ts): no tokenizer pass, and no merge across the boundary. */
function exactItems(
  pool: ExactPool,
  systemLens: number[],
  questionLens: number[][],
  outputLens: number[][],
  rng: Rng,
): GeneratedRequest[] {
  const items: GeneratedRequest[] = [];
  systemLens.forEach((systemLen, g) => {
    const prefix = exactTexts(pool, systemLen, rng.int).atStart;
    questionLens[g]?.forEach((questionLen, p) => {
      const question = exactTexts(pool, questionLen, rng.int);
      items.push({
        prompt: prefix + (prefix === "" ? question.atStart : question.after),
        // As upstream, the user message carries no leading space (its count may then differ by one).
        messages:
          prefix === ""
            ? [{ role: "user", content: question.atStart }]
            : [
                { role: "system", content: prefix },
                { role: "user", content: question.atStart.trimStart() },
              ],
        maxTokens: outputLens[g]?.[p] as number,
        expectedPromptTokens: systemLen + questionLen,
      });
    });
  });
  return items;
}

/** Prompts fitted with the tokenizer, for tokenizers without an exact pool. */
function fittedItems(
  tokenizer: Tokenizer,
  systemLens: number[],
  questionLens: number[][],
  outputLens: number[][],
  rng: Rng,
): GeneratedRequest[] {
  const pool = tokenPools(tokenizer).wordStart;
  const items: GeneratedRequest[] = [];
  const draw = (n: number) => randomIds(pool, n, rng.int);
  systemLens.forEach((systemLen, g) => {
    const prefix = fitToLength(tokenizer, systemLen, draw(systemLen), draw);
    questionLens[g]?.forEach((questionLen, p) => {
      const question = drawQuestion(tokenizer, prefix.text, prefix.count + questionLen, questionLen, draw);
      const prompt = prefix.text + question;
      const userText = prefix.text === "" ? question : question.trimStart();
      items.push({
        prompt,
        messages:
          prefix.text === ""
            ? [{ role: "user", content: userText }]
            : [
                { role: "system", content: prefix.text },
                { role: "user", content: userText },
              ],
        maxTokens: outputLens[g]?.[p] as number,
        expectedPromptTokens: tokenizer.count(prompt),
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
