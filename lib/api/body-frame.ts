// The bytes of a request body around its prompt, for requests that are one user text (sizedPrompt's
// shape: the completion prompt and the single chat or Messages user message are the same text):
// `head` up to the prompt's opening quote, then after the prompt `middle` up to max_tokens' value,
// then `tail`. Cut out of requestBody's own output for a marker prompt, so a body assembled from the
// frame is byte for byte the one requestBody makes, for every API type and option. Pure.
import type { ByteSink } from "../data/prompt-bytes.ts";
import { putBytes } from "../data/prompt-bytes.ts";
import { defaultMaxTokens, type RequestConfig, requestBody } from "./request.ts";

export interface BodyFrame {
  /** Appends the body's bytes before the prompt's text. */
  open(sink: ByteSink): void;
  /** Appends the rest after the prompt's text, with max_tokens as requestBody sends it. */
  close(sink: ByteSink, maxTokens: number | undefined): void;
}

// Stand-ins for the prompt and max_tokens, found in the body by their JSON text: where either text
// occurs more than once (a model name or response_format that holds it), there is no frame.
const PROMPT_MARK = "inferload-prompt-7f3a9c1e";
const TOKENS_MARK = 987654321;

const encoder = new TextEncoder();

/**
 * The frame of `model`'s bodies under `config`, or null when the body cannot be cut that way or is not
 * all ASCII (the sequence hash reads bytes as characters, which only ASCII makes the same).
 */
export function promptBodyFrame(config: RequestConfig, model: string): BodyFrame | null {
  const body = requestBody(
    config,
    {
      prompt: PROMPT_MARK,
      messages: [{ role: "user", content: PROMPT_MARK }],
      maxTokens: TOKENS_MARK,
      expectedPromptTokens: undefined,
    },
    model,
  );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is for ASCII, controls included
  if (!/^[\x00-\x7f]*$/.test(body)) return null;
  const prompt = `"${PROMPT_MARK}"`;
  const p = once(body, prompt);
  if (p < 0) return null;
  // From the prompt's closing quote on.
  const rest = body.slice(p + prompt.length - 1);
  const tokens = `"max_tokens":${TOKENS_MARK}`;
  const t = once(rest, tokens);
  if (t < 0) return null;
  const head = encoder.encode(body.slice(0, p + 1));
  const middle = encoder.encode(rest.slice(0, t + tokens.length - String(TOKENS_MARK).length));
  const tail = encoder.encode(rest.slice(t + tokens.length));
  return {
    open(sink) {
      putBytes(sink, head, 0, head.length);
    },
    close(sink, maxTokens) {
      putBytes(sink, middle, 0, middle.length);
      putNumber(sink, maxTokens !== undefined && maxTokens > 0 ? maxTokens : defaultMaxTokens);
      putBytes(sink, tail, 0, tail.length);
    },
  };
}

/** Where `part` occurs in `text` if exactly once, else -1. */
function once(text: string, part: string): number {
  const at = text.indexOf(part);
  return at >= 0 && text.indexOf(part, at + 1) < 0 ? at : -1;
}

/** A number as JSON.stringify writes it. */
function putNumber(sink: ByteSink, n: number): void {
  const text = JSON.stringify(n);
  sink.room(text.length);
  for (let i = 0; i < text.length; i++) sink.bytes[sink.at++] = text.charCodeAt(i);
}
