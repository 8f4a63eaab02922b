// data.type "shared_prefix": num_groups x num_prompts_per_group prompts; every prompt of a group starts
// with the same system prompt, byte for byte, so server prefix caching is really exercised.
// Pure given the tokenizer and seed; all prompts are built up front (as upstream) and cycled.
import { createRng, type Rng } from "../load/rng.ts";
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
  const pool = tokenPools(tokenizer).wordStart;
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

  const items: GeneratedRequest[] = [];
  const draw = (n: number) => randomIds(pool, n, rng.int);
  for (let g = 0; g < groups; g++) {
    const systemLen = systemLens[g] as number;
    const prefix = fitToLength(tokenizer, systemLen, draw(systemLen), draw);
    for (let p = 0; p < perGroup; p++) {
      const questionLen = questionLens[g]?.[p] as number;
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
    }
  }
  shuffle(items, rng);
  return {
    type: "shared_prefix",
    size: items.length,
    next: (index) => items[index % items.length] as GeneratedRequest,
  };
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
