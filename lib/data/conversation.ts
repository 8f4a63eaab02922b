// Conversations that carry their history (multi-turn shared prefix, conversation_replay): what a
// conversation holds, which conversation and turn request i of a stage is, and how sessions are named.
// Pure.
//
// Request i of a stage goes to slot s = i mod S (S slots: users, or conversations), round r = i div S.
// A slot that restarts (conversation_replay) plays turn r mod T of conversation number r div T, each
// conversation a new session with a fresh history; a slot that repeats (multi-turn shared prefix) sends
// its one question every round, its history growing for the whole stage.

export interface ConversationTurn {
  /** The user's text for this turn. */
  user: string;
  userTokens: number;
  maxTokens: number;
  /** Pause after this turn's reply before the next turn may go (tool-call latency), ms. */
  afterMs: number;
}

/** One slot's conversation: the context it starts from and its turns. */
export interface ConversationBlueprint {
  /** The starting context: a system prompt, or the shared prefix ("" for none). */
  system: string;
  systemTokens: number;
  turns: readonly ConversationTurn[];
}

export interface ConversationSource {
  readonly type: "shared_prefix" | "conversation_replay";
  /** Number of slots; request i of a stage targets slot i mod slots. */
  readonly slots: number;
  readonly cycle: "restart" | "repeat";
  /** Prompt + output token budget (conversation_replay's max_model_len); older turns drop to fit. */
  readonly maxModelLen: number | null;
  /** The slot's conversation in a stage (conversation_replay draws a new shared prompt per stage). */
  blueprint(slot: number, stageId: number): ConversationBlueprint;
}

export interface TurnRef {
  slot: number;
  /** Turn index within the blueprint. */
  turn: number;
  /** Which conversation of its slot (always 0 for a repeating slot). */
  conversation: number;
  /** The session the request belongs to: unique within the stage. */
  session: number;
  /** First turn of a fresh history. */
  first: boolean;
}

export function turnOf(
  source: Pick<ConversationSource, "slots" | "cycle">,
  index: number,
  turns: number,
): TurnRef {
  const slot = index % source.slots;
  const round = Math.floor(index / source.slots);
  if (source.cycle === "repeat")
    return { slot, turn: round % turns, conversation: 0, session: slot, first: round === 0 };
  const conversation = Math.floor(round / turns);
  const turn = round % turns;
  return { slot, turn, conversation, session: slot + source.slots * conversation, first: turn === 0 };
}

/**
 * A session's name, as inference-perf names it: `user_session_<u>` for multi-turn users,
 * `conv_<k>` for a slot's first conversation and `slot_<k>_convo_<n>` for the ones after.
 */
export function conversationSessionName(
  source: Pick<ConversationSource, "type" | "slots">,
  session: number,
): string {
  if (source.type === "shared_prefix") return `user_session_${session}`;
  const slot = session % source.slots;
  const n = Math.floor(session / source.slots);
  return n === 0 ? `conv_${slot}` : `slot_${slot}_convo_${n}`;
}

/** The worker that owns a slot: every turn of a conversation goes through one Worker, in order. */
export function slotWorker(slot: number, workers: number): number {
  return slot % workers;
}
