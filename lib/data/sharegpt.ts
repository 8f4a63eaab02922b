// data.type "shareGPT": requests from real conversations. Prompt = the first human turn (plus the
// system turn as a system message for chat); max_tokens = the token count of the gpt answer. Pure.
import type { Conversation } from "./sharegpt-parse.ts";
import type { DataGenerator, GeneratedRequest, Tokenizer } from "./types.ts";

export interface LengthFilter {
  min: number;
  max: number;
}

export interface ShareGptOptions {
  tokenizer: Tokenizer;
  conversations: readonly Conversation[];
  /** As upstream: only min/max of data.input_distribution / output_distribution are used, as filters. */
  inputFilter?: LengthFilter | undefined;
  outputFilter?: LengthFilter | undefined;
}

/**
 * Rows are tokenised lazily and memoised: the public dataset has ~90k conversations, and counting all
 * of them up front would cost each worker tens of seconds. Request `index` takes row `index % n`, or,
 * when that row fails a length filter, the next row that passes (so the mapping stays deterministic).
 */
export function createShareGptGenerator(opts: ShareGptOptions): DataGenerator {
  const { tokenizer, conversations, inputFilter, outputFilter } = opts;
  const n = conversations.length;
  if (n === 0) throw new RangeError("The ShareGPT data holds no usable conversation");
  const built = new Map<number, GeneratedRequest | null>();

  function build(row: number): GeneratedRequest | null {
    const cached = built.get(row);
    if (cached !== undefined) return cached;
    const c = conversations[row] as Conversation;
    const promptTokens = tokenizer.count(c.human);
    const answerTokens = tokenizer.count(c.gpt);
    const ok =
      (!inputFilter || (promptTokens >= inputFilter.min && promptTokens <= inputFilter.max)) &&
      (!outputFilter || (answerTokens >= outputFilter.min && answerTokens <= outputFilter.max));
    const item: GeneratedRequest | null = ok
      ? {
          prompt: c.human,
          messages:
            c.system === undefined
              ? [{ role: "user", content: c.human }]
              : [
                  { role: "system", content: c.system },
                  { role: "user", content: c.human },
                ],
          // An empty answer would mean max_tokens 0, which servers reject: ask for at least one token.
          maxTokens: Math.max(1, answerTokens),
          expectedPromptTokens: promptTokens,
          // With a system turn, chat counts it too: the request builder counts that case.
          ...(c.system === undefined ? { clientPromptTokens: promptTokens } : {}),
        }
      : null;
    built.set(row, item);
    return item;
  }

  return {
    type: "shareGPT",
    size: n,
    next(index) {
      const start = index % n;
      for (let step = 0; step < n; step++) {
        const item = build((start + step) % n);
        if (item) return item;
      }
      throw new RangeError("No ShareGPT conversation fits the input/output length filters");
    },
  };
}
