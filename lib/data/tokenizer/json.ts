// A Tokenizer over a Hugging Face tokenizer.json, via @huggingface/tokenizers (pure JS, no download).
// Parsing the file is the caller's job (load.ts); this module only turns parsed JSON into a Tokenizer.
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { UserError } from "../../cli/errors.ts";
import type { Tokenizer } from "../types.ts";

interface AddedTokenJson {
  id?: unknown;
  special?: unknown;
}

/**
 * Build a Tokenizer from parsed tokenizer.json (and optional tokenizer_config.json) contents.
 * Counting adds no special tokens (no BOS), so a server that prepends BOS reports one more.
 */
export function createJsonTokenizer(
  tokenizerJson: unknown,
  tokenizerConfig: unknown,
  name: string,
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
  };
}
