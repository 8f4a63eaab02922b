// data.type conversation_replay: synthetic multi-turn agent conversations from distributions
// (upstream's ConversationReplayDataGenerator). Conversation k has a two-part system prompt (a prompt
// shared by every conversation, then its own dynamic part), turns_per_conversation turns with
// their own input and output lengths, and a tool-call pause after each turn. Slot k replays
// conversation k; after its last turn the slot starts over as a new session with a fresh history.
// Lengths are drawn from one seeded stream in upstream's order; texts are exact under the tokenizer and
// come from per-conversation streams, so a Worker builds only its own conversations. Pure.
import { UserError } from "../cli/errors.ts";
import { createRng, type Rng } from "../load/rng.ts";
import { fitToLength, randomIds } from "./_fit.ts";
import { lazy, tokenPools } from "./_pools.ts";
import type { ConversationBlueprint, ConversationSource, ConversationTurn } from "./conversation.ts";
import { type Distribution, sampleFromDistribution } from "./distribution.ts";
import type { Tokenizer } from "./types.ts";

/** Upstream's defaults when a distribution is not configured. */
export const DEFAULT_TURNS = 10;
export const DEFAULT_INPUT_TOKENS = 512;
export const DEFAULT_OUTPUT_TOKENS = 256;
export const DEFAULT_MAX_MODEL_LEN = 225_000;
/** Tokens kept free under max_model_len besides max_tokens (upstream's PROMPT_TOKEN_BUFFER). */
export const PROMPT_TOKEN_BUFFER = 200;

export interface ConversationReplayOptions {
  tokenizer: Tokenizer;
  seed: number;
  numConversations: number;
  sharedSystemPromptLen: number;
  dynamicSystemPromptLen: Distribution | null;
  turnsPerConversation: Distribution | null;
  inputTokensPerTurn: Distribution | null;
  outputTokensPerTurn: Distribution | null;
  toolCallLatencySec: Distribution | null;
  maxModelLen: number | null;
  wanted?: ((conversation: number) => boolean) | undefined;
}

const path = "data.conversation_replay";

export function createConversationReplaySource(opts: ConversationReplayOptions): ConversationSource {
  const n = opts.numConversations;
  const maxModelLen = opts.maxModelLen ?? DEFAULT_MAX_MODEL_LEN;
  const out = opts.outputTokensPerTurn;
  // Checked up front: truncation only drops history, so an output ceiling that leaves no room for a
  // prompt would send empty prompts for the whole run.
  const [ceiling, field] =
    out === null
      ? [DEFAULT_OUTPUT_TOKENS, null]
      : out.type === "fixed"
        ? [Math.trunc(out.mean), "output_tokens_per_turn.mean"]
        : [out.max, "output_tokens_per_turn.max"];
  if (ceiling + PROMPT_TOKEN_BUFFER >= maxModelLen) {
    throw new UserError(
      field === null
        ? `${path}.max_model_len: expected more than ${DEFAULT_OUTPUT_TOKENS + PROMPT_TOKEN_BUFFER} (the default output length ${DEFAULT_OUTPUT_TOKENS} plus a ${PROMPT_TOKEN_BUFFER}-token buffer), got ${maxModelLen}`
        : `${path}.${field}: expected less than ${maxModelLen - PROMPT_TOKEN_BUFFER} (max_model_len ${maxModelLen} minus a ${PROMPT_TOKEN_BUFFER}-token buffer, so a prompt fits), got ${ceiling}`,
    );
  }
  const rng = createRng(opts.seed);
  const sample = (d: Distribution | null, count: number, fallback: number, name: string) =>
    d === null
      ? new Array<number>(count).fill(fallback)
      : sampleFromDistribution(d, count, rng, `${path}.${name}`);
  const turnCounts = sample(opts.turnsPerConversation, n, DEFAULT_TURNS, "turns_per_conversation").map((t) =>
    Math.max(1, t),
  );
  const dynamicLens = sample(opts.dynamicSystemPromptLen, n, 0, "dynamic_system_prompt_len");
  const total = turnCounts.reduce((a, b) => a + b, 0);
  const inputLens = sample(opts.inputTokensPerTurn, total, DEFAULT_INPUT_TOKENS, "input_tokens_per_turn");
  const outputLens = sample(opts.outputTokensPerTurn, total, DEFAULT_OUTPUT_TOKENS, "output_tokens_per_turn");
  // Upstream samples latencies with its integer sampler, so they are whole seconds.
  const latencies = sample(opts.toolCallLatencySec, total, 0, "tool_call_latency_sec");

  // Built on first use: the main thread builds this source only to check the config.
  const pools = lazy(() => tokenPools(opts.tokenizer));
  const text = (len: number, stream: Rng) => {
    const draw = (k: number) => randomIds(pools().any, k, stream.int);
    return fitToLength(opts.tokenizer, len, draw(len), draw);
  };
  const shared = new Map<number, { text: string; count: number }>();
  const sharedPrompt = (stageId: number) => {
    let found = shared.get(stageId);
    if (found === undefined) {
      // A new shared prompt per stage, so one stage's prefix cache does not carry into the next.
      found = text(
        opts.sharedSystemPromptLen,
        createRng((opts.seed ^ Math.imul(stageId + 1, 0x27d4eb2f)) >>> 0),
      );
      shared.set(stageId, found);
    }
    return found;
  };
  const wanted = opts.wanted ?? (() => true);
  const parts = new Map<number, { dynamic: { text: string; count: number }; turns: ConversationTurn[] }>();
  let offset = 0;
  for (let k = 0; k < n; k++) {
    const count = turnCounts[k]!;
    if (wanted(k)) {
      const stream = createRng((opts.seed ^ Math.imul(k + 1, 0x9e3779b1) ^ 0x68e31da4) >>> 0);
      const dynamic = text(dynamicLens[k]!, stream);
      const turns: ConversationTurn[] = [];
      for (let t = 0; t < count; t++) {
        const prompt = text(inputLens[offset + t]!, stream);
        turns.push({
          user: prompt.text,
          userTokens: prompt.count,
          maxTokens: outputLens[offset + t]!,
          afterMs: latencies[offset + t]! * 1000,
        });
      }
      parts.set(k, { dynamic, turns });
    }
    offset += count;
  }
  return {
    type: "conversation_replay",
    slots: n,
    cycle: "restart",
    maxModelLen,
    blueprint(slot, stageId): ConversationBlueprint {
      const own = parts.get(slot);
      if (own === undefined) throw new RangeError(`Conversation ${slot} was not built by this generator`);
      const head = sharedPrompt(stageId);
      const system = own.dynamic.text === "" ? head.text : `${head.text} ${own.dynamic.text}`;
      return { system, systemTokens: head.count + own.dynamic.count, turns: own.turns };
    },
  };
}
