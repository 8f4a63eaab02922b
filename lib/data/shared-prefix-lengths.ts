// The lengths and seed of a `shared_prefix` section, read the same way for its single-shot prompts
// (create.ts, shared-prefix.ts) and its multi-turn conversations (create-sessions.ts, multi-turn.ts). Pure.
import type { Rng } from "../load/rng.ts";
import type { DataGenConfig } from "./create.ts";
import {
  type Distribution,
  type DistributionConfig,
  fixedDistribution,
  resolveDistribution,
  sampleFromDistribution,
} from "./distribution.ts";

type SharedPrefixSection = NonNullable<DataGenConfig["data"]["shared_prefix"]>;

export interface SharedPrefixLengths {
  numGroups: number;
  numPromptsPerGroup: number;
  systemPromptLen: Distribution;
  questionLen: Distribution;
  outputLen: Distribution;
  seed: number;
}

/** An int is a fixed length; a legacy *_distribution overrides an int (upstream's rule). */
function length(
  value: number | DistributionConfig,
  legacy: DistributionConfig | null,
  path: string,
): Distribution {
  if (typeof value === "object") return resolveDistribution(value, path);
  return legacy
    ? resolveDistribution(legacy, path.replace("_len", "_distribution"))
    : fixedDistribution(value);
}

export function sharedPrefixLengths(sp: SharedPrefixSection, baseSeed: number): SharedPrefixLengths {
  return {
    numGroups: sp.num_groups,
    numPromptsPerGroup: sp.num_prompts_per_group,
    systemPromptLen: length(sp.system_prompt_len, null, "data.shared_prefix.system_prompt_len"),
    questionLen: length(sp.question_len, sp.question_distribution, "data.shared_prefix.question_len"),
    outputLen: length(sp.output_len, sp.output_distribution, "data.shared_prefix.output_len"),
    // Upstream leaves it unseeded when null; we fall back to base_seed so runs replay.
    seed: sp.seed ?? baseSeed,
  };
}

/** Each group's system prompt length, and per group each prompt's question and output lengths. */
export interface DrawnLengths {
  systemLens: number[];
  questionLens: number[][];
  outputLens: number[][];
}

/** Draws every length in upstream's order: system lengths for all groups, then per group its question and output lengths. */
export function drawSharedPrefixLengths(lengths: SharedPrefixLengths, rng: Rng): DrawnLengths {
  const { numGroups: groups, numPromptsPerGroup: perGroup } = lengths;
  const systemLens = sampleFromDistribution(
    lengths.systemPromptLen,
    groups,
    rng,
    "data.shared_prefix.system_prompt_len",
  );
  const questionLens: number[][] = [];
  const outputLens: number[][] = [];
  for (let g = 0; g < groups; g++) {
    questionLens.push(
      sampleFromDistribution(lengths.questionLen, perGroup, rng, "data.shared_prefix.question_len"),
    );
    outputLens.push(
      sampleFromDistribution(lengths.outputLen, perGroup, rng, "data.shared_prefix.output_len"),
    );
  }
  return { systemLens, questionLens, outputLens };
}
