// A Tokenizer over a Hugging Face tokenizer.json, via @huggingface/tokenizers (pure JS, no download).
// Parsing the file is the caller's job (load.ts); this module only turns parsed JSON into a Tokenizer.
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { UserError } from "../../cli/errors.ts";
import type { ChatTemplateSource, Tokenizer } from "../types.ts";

interface AddedTokenJson {
  id?: unknown;
  special?: unknown;
}

/**
 * Build a Tokenizer from parsed tokenizer.json (and optional tokenizer_config.json) contents.
 * Counting adds no special tokens (no BOS), so a server that prepends BOS reports one more.
 * `chatTemplateFile` is a chat_template.jinja's text, which transformers prefers to the config's.
 */
export function createJsonTokenizer(
  tokenizerJson: unknown,
  tokenizerConfig: unknown,
  name: string,
  chatTemplateFile?: string | undefined,
): Tokenizer {
  if (typeof tokenizerJson !== "object" || tokenizerJson === null || !("model" in tokenizerJson)) {
    throw new UserError(`Cannot load tokenizer "${name}": not a tokenizer.json (no "model" section)`);
  }
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(tokenizerJson, (tokenizerConfig ?? {}) as object);
    hf.encode("probe", { add_special_tokens: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`Cannot load tokenizer "${name}": invalid tokenizer.json: ${reason}`, {
      cause: error,
    });
  }
  let maxId = -1;
  for (const id of hf.get_vocab(true).values()) if (id > maxId) maxId = id;
  const added = (tokenizerJson as { added_tokens?: unknown }).added_tokens;
  const specialIds = Array.isArray(added)
    ? added
        .filter((t: AddedTokenJson) => t.special === true && typeof t.id === "number")
        .map((t: AddedTokenJson) => t.id as number)
    : [];
  const encodeOptions = { add_special_tokens: false };
  const decodeOptions = { skip_special_tokens: true };
  return {
    name,
    encode: (text) => (text.length === 0 ? [] : hf.encode(text, encodeOptions).ids),
    decode: (ids) => hf.decode(ids as number[], decodeOptions),
    count: (text) => (text.length === 0 ? 0 : hf.encode(text, encodeOptions).ids.length),
    vocabSize: maxId + 1,
    specialIds,
    chatTemplate: chatTemplateOf(tokenizerConfig, chatTemplateFile),
  };
}

// The special tokens transformers hands a chat template (its special_tokens_map).
const TEMPLATE_TOKENS = [
  "bos_token",
  "eos_token",
  "unk_token",
  "sep_token",
  "pad_token",
  "cls_token",
  "mask_token",
];

/**
 * tokenizer_config.json's `chat_template`: a string, or a list of `{name, template}` of which
 * transformers uses "default" (else we take the first). Its tokens: strings or `{content}` objects.
 */
function chatTemplateOf(config: unknown, file: string | undefined): ChatTemplateSource | undefined {
  const c = (typeof config === "object" && config !== null ? config : {}) as Record<string, unknown>;
  let source = file;
  const field = c.chat_template;
  if (source === undefined && typeof field === "string") source = field;
  if (source === undefined && Array.isArray(field)) {
    const named = field.filter(
      (t): t is { name: unknown; template: string } =>
        typeof t === "object" && t !== null && typeof (t as { template?: unknown }).template === "string",
    );
    source = (named.find((t) => t.name === "default") ?? named[0])?.template;
  }
  if (source === undefined || source.trim() === "") return undefined;
  const tokens: Record<string, string> = {};
  for (const key of TEMPLATE_TOKENS) {
    const value = c[key];
    const text =
      typeof value === "string"
        ? value
        : typeof value === "object" && value !== null
          ? (value as { content?: unknown }).content
          : undefined;
    if (typeof text === "string") tokens[key] = text;
  }
  return { source, tokens };
}
