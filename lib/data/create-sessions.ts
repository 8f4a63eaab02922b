// Which workloads are sessions, and their sources from the config: conversations (multi-turn shared
// prefix, conversation_replay) whose turns follow the stage's schedule, and replayed traces
// (otel_trace_replay, weka_trace_replay) whose sessions run whole. Pure but for the file reads the
// trace loaders do.
import { UserError } from "../cli/errors.ts";
import type { ConversationSource } from "./conversation.ts";
import { createConversationReplaySource } from "./conversation-replay.ts";
import type { DataGenConfig } from "./create.ts";
import { type DistributionConfig, resolveDistribution } from "./distribution.ts";
import { createMultiTurnSource } from "./multi-turn.ts";
import { sharedPrefixLengths } from "./shared-prefix-lengths.ts";
import type { Tokenizer } from "./types.ts";

export type SessionWorkload =
  | "multi_turn"
  | "conversation_replay"
  | "otel_trace_replay"
  | "weka_trace_replay";

export function sessionWorkload(config: Pick<DataGenConfig, "data">): SessionWorkload | null {
  const data = config.data;
  if (data.type === "shared_prefix" && data.shared_prefix?.enable_multi_turn_chat === true)
    return "multi_turn";
  if (data.type === "conversation_replay") return "conversation_replay";
  if (data.type === "otel_trace_replay") return "otel_trace_replay";
  if (data.type === "weka_trace_replay") return "weka_trace_replay";
  return null;
}

/** What naming a conversation's sessions needs (no texts): its type and number of slots. */
export function conversationShape(
  config: Pick<DataGenConfig, "data">,
): Pick<ConversationSource, "type" | "slots"> | null {
  const workload = sessionWorkload(config);
  if (workload === "multi_turn") {
    const sp = config.data.shared_prefix!;
    return { type: "shared_prefix", slots: sp.num_groups * sp.num_prompts_per_group };
  }
  if (workload === "conversation_replay") {
    return { type: "conversation_replay", slots: config.data.conversation_replay?.num_conversations ?? 200 };
  }
  return null;
}

export function createConversationSource(
  config: DataGenConfig,
  opts: { tokenizer: Tokenizer; baseSeed: number; wanted?: ((slot: number) => boolean) | undefined },
): ConversationSource {
  const { data } = config;
  const workload = sessionWorkload(config);
  if (workload === "multi_turn") {
    const sp = data.shared_prefix!;
    return createMultiTurnSource({
      tokenizer: opts.tokenizer,
      ...sharedPrefixLengths(sp, opts.baseSeed),
      wanted: opts.wanted,
    });
  }
  if (workload === "conversation_replay") {
    const cr = data.conversation_replay;
    if (cr === null || cr === undefined)
      throw new UserError(
        'data.conversation_replay: expected a section for data.type "conversation_replay", got nothing',
      );
    const dist = (d: DistributionConfig | null | undefined, name: string) =>
      d === null || d === undefined ? null : resolveDistribution(d, `data.conversation_replay.${name}`);
    return createConversationReplaySource({
      tokenizer: opts.tokenizer,
      seed: cr.seed,
      numConversations: cr.num_conversations,
      sharedSystemPromptLen: cr.shared_system_prompt_len,
      dynamicSystemPromptLen: dist(cr.dynamic_system_prompt_len, "dynamic_system_prompt_len"),
      turnsPerConversation: dist(cr.turns_per_conversation, "turns_per_conversation"),
      inputTokensPerTurn: dist(cr.input_tokens_per_turn, "input_tokens_per_turn"),
      outputTokensPerTurn: dist(cr.output_tokens_per_turn, "output_tokens_per_turn"),
      toolCallLatencySec: dist(cr.tool_call_latency_sec, "tool_call_latency_sec"),
      maxModelLen: cr.max_model_len,
      wanted: opts.wanted,
    });
  }
  throw new RangeError(`data.type "${data.type}" has no conversation source`);
}
