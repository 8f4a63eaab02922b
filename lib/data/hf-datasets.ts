// The text datasets inference-perf reads with the `datasets` library: cnn_dailymail (articles, asking for
// as many tokens as the highlights), billsum_conversations and infinity_instruct (ShareGPT-style
// `conversations` of {from, value}). Rows come from data.path (JSON, JSON lines or Parquet, a file or a
// folder) or, for cnn_dailymail, the Hugging Face cache (hub-dataset.ts). Their request shapes and
// filters follow upstream; each generator cycles its rows, skipping rows outside the length filters.

import type { Row } from "./dataset-rows.ts";
import type { ChatMessage, DataGenerator, GeneratedRequest, Tokenizer } from "./types.ts";

export interface LengthFilter {
  min: number;
  max: number;
}

export interface TextDatasetOptions {
  rows: readonly Row[];
  tokenizer: Tokenizer;
  api: "completion" | "chat";
  input?: LengthFilter | undefined;
  output?: LengthFilter | undefined;
}

type Item = GeneratedRequest | null;

/** cnn_dailymail: the article as the prompt, max_tokens the highlights' length (completion API). */
export function createCnnDailyMailGenerator(opts: TextDatasetOptions): DataGenerator {
  return cycling("cnn_dailymail", opts, (row) => {
    const article = row.article;
    const highlights = row.highlights;
    if (typeof article !== "string" || article === "" || typeof highlights !== "string") return null;
    return completion(opts, article, highlights);
  });
}

/** billsum_conversations: completion takes turns 1 and 2; chat sends every turn (upstream's rule). */
export function createBillsumGenerator(opts: TextDatasetOptions): DataGenerator {
  return cycling("billsum_conversations", opts, (row) => {
    const turns = conversation(row);
    if (turns === null || turns.length < 2) return null;
    if (opts.api === "completion") {
      const [first, second] = turns;
      if (!first?.value) return null;
      return completion(opts, first.value, second?.value ?? "");
    }
    return chat(turns.map((t) => ({ role: role(t.from), content: t.value })));
  });
}

/** infinity_instruct: completion answers the last (gpt) turn from the others joined; chat sends every turn. */
export function createInfinityInstructGenerator(opts: TextDatasetOptions): DataGenerator {
  return cycling("infinity_instruct", opts, (row) => {
    const turns = conversation(row);
    if (turns === null || turns.length === 0) return null;
    if (opts.api === "completion") {
      const last = turns[turns.length - 1];
      if (last?.from !== "gpt" || !last.value) return null;
      const prompt = turns
        .slice(0, -1)
        .map((t) => t.value)
        .join("\n");
      return prompt ? completion(opts, prompt, last.value) : null;
    }
    const messages = turns
      .filter((t) => t.value !== "")
      .map((t) => ({ role: role(t.from), content: t.value }));
    return messages.length > 0 ? chat(messages) : null;
  });
}

/** human → user, gpt → assistant (upstream sends billsum's roles raw, which OpenAI servers refuse). */
function role(from: string): ChatMessage["role"] {
  return from === "human" || from === "user" ? "user" : from === "system" ? "system" : "assistant";
}

function conversation(row: Row): { from: string; value: string }[] | null {
  const turns = row.conversations;
  if (!Array.isArray(turns)) return null;
  const out: { from: string; value: string }[] = [];
  for (const t of turns) {
    if (t === null || typeof t !== "object") return null;
    const { from, value } = t as Record<string, unknown>;
    out.push({ from: typeof from === "string" ? from : "", value: typeof value === "string" ? value : "" });
  }
  return out;
}

/** A completion item, or null when the prompt or answer length falls outside the filters. */
function completion(opts: TextDatasetOptions, prompt: string, answer: string): Item {
  const promptTokens = opts.tokenizer.count(prompt);
  const answerTokens = opts.tokenizer.count(answer);
  const outside = (n: number, f: LengthFilter | undefined) => f !== undefined && (n < f.min || n > f.max);
  if (outside(promptTokens, opts.input) || outside(answerTokens, opts.output)) return null;
  return {
    prompt,
    messages: [{ role: "user", content: prompt }],
    maxTokens: answerTokens,
    expectedPromptTokens: promptTokens,
  };
}

/** A chat item: every message, no max_tokens (the client default), as upstream. */
function chat(messages: ChatMessage[]): Item {
  return {
    prompt: messages.map((m) => m.content).join("\n"),
    messages,
    maxTokens: undefined,
    expectedPromptTokens: undefined,
  };
}

/**
 * Request i is row i (cycling) or, when that row is unusable, the next usable one. Each row is judged
 * once. Throws RangeError when no row is usable (create.ts turns it into a clear message at start).
 */
function cycling(type: string, opts: TextDatasetOptions, toItem: (row: Row) => Item): DataGenerator {
  const { rows } = opts;
  const judged = new Map<number, Item>();
  const at = (i: number): Item => {
    let item = judged.get(i);
    if (item === undefined) judged.set(i, (item = toItem(rows[i] as Row)));
    return item;
  };
  return {
    type,
    size: undefined,
    next(index) {
      const n = rows.length;
      for (let k = 0; k < n; k++) {
        const item = at((index + k) % n);
        if (item !== null) return item;
      }
      throw new RangeError(`no row of the ${type} data is usable (${n} rows read)`);
    },
  };
}
