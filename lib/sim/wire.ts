// OpenAI/vLLM wire format: SSE chunks, whole responses and error bodies, as strings. Pure.
// Chunk shapes follow vLLM's: completion chunks carry choices[0].text (+ logprobs, finish_reason,
// stop_reason); chat chunks carry choices[0].delta, the first one role-only ({"role":"assistant",
// "content":""}); finish_reason rides on the last token chunk; with include_usage every chunk has
// "usage":null and a final chunk has "choices":[] and the usage, before "data: [DONE]".
// The per-token chunk is a precomputed prefix + JSON string + suffix: it is written ~10^5 times a second.

export type ApiKind = "completion" | "chat" | "messages";
export type FinishReason = "length" | "stop";

export interface WireContext {
  kind: ApiKind;
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
  includeUsage: boolean;
  /** Prompt tokens: Anthropic's message_start carries them before any output. */
  promptTokens: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export const DONE_EVENT = "data: [DONE]\n\n";

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

export interface StreamRenderer {
  /** What goes before the first token: chat's role-only delta, nothing for completions. */
  readonly opening: string;
  token(text: string, finishReason: FinishReason | null): string;
  /** token() for text already JSON-encoded (the vocabulary is encoded once, not per token). */
  tokenJson(json: string, finishReason: FinishReason | null): string;
  usage(usage: Usage): string;
  /** A token event cut off mid-JSON (the malformed-chunk fault). */
  malformed(text: string): string;
  /** What follows the last token: usage (when asked for) and the end of the stream. */
  closing(finishReason: FinishReason, usage: Usage): string;
  /** An error inside the stream (the error-event fault), ending it. */
  failure(message: string): string;
}

function head(ctx: WireContext): string {
  const object = ctx.kind === "chat" ? "chat.completion.chunk" : "text_completion";
  return `{"id":${JSON.stringify(ctx.id)},"object":"${object}","created":${ctx.created},"model":${JSON.stringify(ctx.model)}`;
}

export function createStreamRenderer(ctx: WireContext): StreamRenderer {
  const start = `data: ${head(ctx)},"choices":[{"index":0,`;
  const usageNull = ctx.includeUsage ? ',"usage":null' : "";
  const chat = ctx.kind === "chat";
  const tokenOpen = chat ? `${start}"delta":{"content":` : `${start}"text":`;
  const tokenMid = chat ? '},"logprobs":null,"finish_reason":' : ',"logprobs":null,"finish_reason":';
  const tokenEnd = chat ? `}]${usageNull}}\n\n` : `,"stop_reason":null}]${usageNull}}\n\n`;
  const opening = chat
    ? `${start}"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]${usageNull}}\n\n`
    : "";
  const tokenJson = (json: string, finishReason: FinishReason | null) =>
    `${tokenOpen}${json}${tokenMid}${finishReason === null ? "null" : `"${finishReason}"`}${tokenEnd}`;
  return {
    opening,
    token: (text, finishReason) => tokenJson(JSON.stringify(text), finishReason),
    tokenJson,
    usage: (usage) => `data: ${head(ctx)},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`,
    malformed: (text) => `${tokenOpen}${JSON.stringify(text).slice(0, -1)}\n\n`,
    closing: (_finishReason, usage) =>
      `${ctx.includeUsage ? `data: ${head(ctx)},"choices":[],"usage":${JSON.stringify(usage)}}\n\n` : ""}${DONE_EVENT}`,
    failure: (message) => `${errorEvent(message)}${DONE_EVENT}`,
  };
}

/** The whole non-streamed response body. */
export function responseBody(
  ctx: WireContext,
  text: string,
  finishReason: FinishReason,
  usage: Usage,
): string {
  const choice =
    ctx.kind === "chat"
      ? {
          index: 0,
          message: { role: "assistant", content: text },
          logprobs: null,
          finish_reason: finishReason,
        }
      : { index: 0, text, logprobs: null, finish_reason: finishReason, stop_reason: null };
  const object = ctx.kind === "chat" ? "chat.completion" : "text_completion";
  return JSON.stringify({
    id: ctx.id,
    object,
    created: ctx.created,
    model: ctx.model,
    choices: [choice],
    usage,
  });
}

/** OpenAI's error body: {"error":{"message","type","param","code"}}. */
export function errorBody(
  message: string,
  type: string,
  code: number | string | null,
  param: string | null = null,
): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

/** An error event inside a 200 stream, as vLLM sends when generation fails mid-stream. */
export function errorEvent(message: string): string {
  return `data: ${errorBody(message, "InternalServerError", 500)}\n\n`;
}
