// One conversation's history and the JSON of its next turn. Pure.
//
// The history is kept as JSON-escaped parts, each escaped once when it arrives (a prebuilt user turn,
// or a reply right after it was stamped), so a turn's prompt is a join of strings already escaped:
// no re-serialising of the whole history per turn, and no tokenizer pass (the prompt's token count
// is the sum of its parts' counts, used only when the server reports none).
//
// completion: prompt = context + " " + user; afterwards context = prompt + " " + reply (upstream's
//             LocalUserSession), starting from the blueprint's system text.
// chat:       messages = [system] + (user, assistant) per earlier turn + the new user message.
// A failed turn leaves the history as it was (upstream restores the previous context).
// With max_model_len, the oldest turns are dropped until prompt + max_tokens + 200 fit.
import type { ConversationBlueprint, ConversationTurn } from "../data/conversation.ts";

const PROMPT_TOKEN_BUFFER = 200;

interface Exchange {
  /** Escaped user and reply text (no quotes), and their token count together. */
  user: string;
  reply: string;
  tokens: number;
}

export interface TurnJson {
  field: "prompt" | "messages";
  json: string;
  /** Sum of the parts' token counts (the client's estimate of the prompt). */
  promptTokens: number;
}

const jsonEscape = (text: string) => JSON.stringify(text).slice(1, -1);

export class ConversationState {
  readonly #chat: boolean;
  readonly #maxModelLen: number | null;
  readonly #system: string;
  readonly #systemTokens: number;
  #history: Exchange[] = [];
  /** Tokens of the history, kept as a running sum. */
  #historyTokens = 0;
  /** The turn sent last and not yet answered: its escaped user text. */
  #pending: { user: string; tokens: number } | null = null;

  constructor(apiType: "completion" | "chat", blueprint: ConversationBlueprint, maxModelLen: number | null) {
    this.#chat = apiType === "chat";
    this.#maxModelLen = maxModelLen;
    this.#system = jsonEscape(blueprint.system);
    this.#systemTokens = blueprint.systemTokens;
  }

  /** Turns kept in the history. */
  get length(): number {
    return this.#history.length;
  }

  next(turn: ConversationTurn, userEscaped = jsonEscape(turn.user)): TurnJson {
    const budget =
      this.#maxModelLen === null
        ? Number.POSITIVE_INFINITY
        : this.#maxModelLen - turn.maxTokens - PROMPT_TOKEN_BUFFER;
    while (this.#history.length > 0 && this.#systemTokens + this.#historyTokens + turn.userTokens > budget) {
      const dropped = this.#history.shift()!;
      this.#historyTokens -= dropped.tokens;
    }
    this.#pending = { user: userEscaped, tokens: turn.userTokens };
    const promptTokens = this.#systemTokens + this.#historyTokens + turn.userTokens;
    if (!this.#chat) {
      let json = `"${this.#system}`;
      for (const e of this.#history) json += ` ${e.user} ${e.reply}`;
      return { field: "prompt", json: `${json} ${userEscaped}"`, promptTokens };
    }
    const parts: string[] = [];
    if (this.#system !== "") parts.push(`{"role":"system","content":"${this.#system}"}`);
    for (const e of this.#history) {
      parts.push(`{"role":"user","content":"${e.user}"}`, `{"role":"assistant","content":"${e.reply}"}`);
    }
    parts.push(`{"role":"user","content":"${userEscaped}"}`);
    return { field: "messages", json: `[${parts.join(",")}]`, promptTokens };
  }

  /** The turn sent by next() was answered: it and its reply join the history. */
  replied(reply: string, replyTokens: number): void {
    const pending = this.#pending;
    if (pending === null) throw new RangeError("replied() without a turn sent");
    this.#pending = null;
    const tokens = pending.tokens + replyTokens;
    this.#history.push({ user: pending.user, reply: jsonEscape(reply), tokens });
    this.#historyTokens += tokens;
  }

  /** The turn sent by next() failed: the history stays as it was. */
  failed(): void {
    this.#pending = null;
  }
}
