// What a data generator hands the send path, and the tokenizer interface every length check uses.
// Pure type definitions; shared by lib/data, lib/api, lib/worker and lib/sim.
import type { ContentPart } from "../media/content.ts";
import type { MediaInstance } from "../record/record.ts";

export interface Tokenizer {
  /** Human-readable name, e.g. "built-in cl100k_base" or a tokenizer.json path. */
  readonly name: string;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Number of tokens in `text` (no special tokens added). */
  count(text: string): number;
  /** Ids run from 0 to vocabSize - 1 (gaps allowed), when known; random-token generators need it. */
  readonly vocabSize?: number;
  /** Ids of special tokens (BOS, EOS, chat markers) that random text must never contain. */
  readonly specialIds?: readonly number[];
  /** The model's chat template, when its tokenizer files carry one (data.use_chat_template). */
  readonly chatTemplate?: ChatTemplateSource | undefined;
  /**
   * This tokenizer's exact pool (lib/data/_exact.ts) when it is known ahead: the pool's token texts in
   * pool order, back to back (`text`; each the same at the start of a text as after another), and each
   * one's UTF-8 length as one character, "0" + length (`lengths`). Saves building the pool from the
   * whole vocabulary (~0.3 s for cl100k_base); a test checks it against the pool built that way.
   */
  readonly exactPoolWords?: () => { readonly text: string; readonly lengths: string };
}

/** A chat template as a tokenizer's files hold it: Jinja source, and the special tokens it may name. */
export interface ChatTemplateSource {
  readonly source: string;
  /** `bos_token`, `eos_token`, … as tokenizer_config.json names them (what transformers passes in). */
  readonly tokens: Readonly<Record<string, string>>;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  /** Text, or OpenAI content parts when the message carries media (chat only). */
  content: string | readonly ContentPart[];
}

/** One request's payload, independent of the wire format. */
export interface GeneratedRequest {
  /** For api.type completion: the prompt string. For chat: the messages. Both are filled so either API works. */
  prompt: string;
  messages: ChatMessage[];
  /** Requested output length (max_tokens); undefined lets the request builder use its default. */
  maxTokens: number | undefined;
  /** The generator's intended prompt length in tokens, when it targets one (for checking). */
  expectedPromptTokens: number | undefined;
  /** The media in `messages`, measured for the report; absent for text-only requests. */
  media?: readonly MediaInstance[] | undefined;
  /**
   * The client tokenizer's count of this prompt, the same for both API types (chat: summed over the
   * messages), when the generator knows it without another tokenizer pass; the count reported when
   * the server sends no usage. Absent: the request builder counts it.
   */
  clientPromptTokens?: number;
}

/** A generator produces request `index` of a stage deterministically from its RNG state. */
export interface DataGenerator {
  readonly type: string;
  next(index: number): GeneratedRequest;
  /** How many distinct requests it has, when finite (shareGPT rows, trace rows); undefined if unbounded. */
  readonly size: number | undefined;
}
