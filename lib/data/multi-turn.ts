// data.shared_prefix with enable_multi_turn_chat: num_groups × num_prompts_per_group users, each its own
// conversation. User u = g × P + p starts from group g's system prompt (the shared prefix, byte for byte
// the same within a group) and asks its question every round; each request carries the history so
// far (upstream: prompt = context + " " + question, then context = prompt + " " + reply).
// Lengths are drawn in upstream's order (system lengths, then per group the question and output
// lengths) and texts are exact under the tokenizer, like the single-turn shared_prefix generator.
// Pure given the tokenizer and seed.
import { createRng } from "../load/rng.ts";
import { fitToLength, randomIds } from "./_fit.ts";
import { lazy, tokenPools } from "./_pools.ts";
import type { ConversationBlueprint, ConversationSource } from "./conversation.ts";
import { drawSharedPrefixLengths, type SharedPrefixLengths } from "./shared-prefix-lengths.ts";
import type { Tokenizer } from "./types.ts";

export interface MultiTurnOptions extends SharedPrefixLengths {
  tokenizer: Tokenizer;
  /** Build texts only for the users this returns true for (a Worker builds its own); all when absent. */
  wanted?: ((user: number) => boolean) | undefined;
}

export function createMultiTurnSource(opts: MultiTurnOptions): ConversationSource {
  const { tokenizer, numGroups: groups, numPromptsPerGroup: perGroup } = opts;
  // Built on first use: the main thread builds this source only to check the config.
  const pools = lazy(() => tokenPools(tokenizer));
  const rng = createRng(opts.seed);
  const { systemLens, questionLens, outputLens } = drawSharedPrefixLengths(opts, rng);
  // Texts come from per-group and per-user streams, so a Worker can build only its own users and
  // still get, byte for byte, what any other Worker (or a one-Worker run) would.
  const wanted = opts.wanted ?? (() => true);
  const blueprints = new Map<number, ConversationBlueprint>();
  for (let g = 0; g < groups; g++) {
    let system: { text: string; count: number } | null = null;
    for (let p = 0; p < perGroup; p++) {
      const user = g * perGroup + p;
      if (!wanted(user)) continue;
      if (system === null) {
        const groupRng = createRng((opts.seed ^ Math.imul(g + 1, 0x9e3779b1)) >>> 0);
        const draw = (n: number) => randomIds(pools().any, n, groupRng.int);
        const len = systemLens[g] as number;
        system = fitToLength(tokenizer, len, draw(len), draw);
      }
      const userRng = createRng((opts.seed ^ Math.imul(user + 1, 0x85ebca6b) ^ 0x5bd1e995) >>> 0);
      const drawWord = (n: number) => randomIds(pools().wordStart, n, userRng.int);
      const len = questionLens[g]?.[p] as number;
      const question = fitToLength(tokenizer, len, drawWord(len), drawWord);
      blueprints.set(user, {
        system: system.text,
        systemTokens: system.count,
        turns: [
          {
            // Upstream strips the question's leading space; the history join adds one.
            user: question.text.trimStart(),
            userTokens: question.count,
            maxTokens: outputLens[g]?.[p] as number,
            afterMs: 0,
          },
        ],
      });
    }
  }
  return {
    type: "shared_prefix",
    slots: groups * perGroup,
    cycle: "repeat",
    maxModelLen: null,
    blueprint(slot) {
      const found = blueprints.get(slot);
      if (found === undefined) throw new RangeError(`User ${slot} was not built by this generator`);
      return found;
    },
  };
}
