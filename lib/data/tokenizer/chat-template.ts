// A tokenizer's chat template applied to one user message, as inference-perf's data.use_chat_template
// does it (transformers' apply_chat_template with add_generation_prompt, tokenize=False), rendered by
// @huggingface/jinja, the Jinja subset Hugging Face keeps for chat templates. Pure: the template came
// with the tokenizer's files (tokenizer_config.json's chat_template, or chat_template.jinja).
import { Template } from "@huggingface/jinja";
import { UserError } from "../../cli/errors.ts";
import type { Tokenizer } from "../types.ts";

export interface ChatTemplate {
  /** The whole prompt for one user message, ending with the assistant's generation prompt. */
  render(content: string): string;
  /**
   * The text around the message when the template puts it in one place, as it is or trimmed (Llama 3
   * trims): a prompt is then `head + message + tail`, spliced without rendering. Null otherwise.
   */
  readonly frame: Frame | null;
  /** Tokens of the template around an empty message: inference-perf's "template overhead". */
  readonly overhead: number;
}

export interface Frame {
  head: string;
  tail: string;
  /** The template trims the message (leading and trailing whitespace go). */
  trims: boolean;
}

// Trim-proof (no whitespace at either end) and not text a template would produce.
const MARK = "\u0001inferload-message\u0001";
const PROBES = ["a b", " a b", "a b ", "\na\tb\n"];

/** The tokenizer's chat template, checked by rendering; a UserError when it has none or it fails. */
export function chatTemplateOf(tokenizer: Tokenizer): ChatTemplate {
  const source = tokenizer.chatTemplate;
  if (source === undefined) {
    throw new UserError(
      `Cannot use data.use_chat_template: the tokenizer "${tokenizer.name}" has no chat template`,
      {
        details: [
          "Point tokenizer.pretrained_model_name_or_path at a chat or instruct model's tokenizer (a chat_template in its tokenizer_config.json, or a chat_template.jinja beside its tokenizer.json), or remove data.use_chat_template",
        ],
      },
    );
  }
  const failed = (error: unknown) =>
    new UserError(
      `Cannot use the chat template of tokenizer "${tokenizer.name}": ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  let template: Template;
  try {
    template = new Template(source.source);
  } catch (error) {
    throw failed(error);
  }
  // What transformers passes a template: the conversation, the flag, and the special tokens by name.
  const render = (content: string): string =>
    template.render({
      ...source.tokens,
      messages: [{ role: "user", content }],
      add_generation_prompt: true,
    });
  let empty: string;
  try {
    empty = render("");
  } catch (error) {
    throw failed(error);
  }
  return { render, frame: frameOf(render), overhead: tokenizer.count(empty) };
}

/** head/tail around the message, when probes show the template keeps it verbatim or trims it. */
function frameOf(render: (content: string) => string): Frame | null {
  const parts = render(MARK).split(MARK);
  if (parts.length !== 2) return null;
  const [head, tail] = parts as [string, string];
  for (const trims of [false, true]) {
    if (PROBES.every((p) => render(p) === head + (trims ? p.trim() : p) + tail)) {
      return { head, tail, trims };
    }
  }
  return null;
}
