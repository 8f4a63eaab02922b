// Anthropic Messages wire format (POST /v1/messages), as strings: the named SSE events of a streamed
// message (message_start with the input tokens, content_block_start, ping, one content_block_delta
// per token, content_block_stop, message_delta with stop_reason and output tokens, message_stop), the
// whole message, and `{"type":"error","error":{type,message}}` bodies and events. Pure.
import type { FinishReason, StreamRenderer, Usage, WireContext } from "./wire.ts";

const stopReasons: Readonly<Record<FinishReason, string>> = { length: "max_tokens", stop: "end_turn" };

function event(name: string, data: string): string {
  return `event: ${name}\ndata: ${data}\n\n`;
}

function messageHead(ctx: WireContext): string {
  return `"id":${JSON.stringify(ctx.id)},"type":"message","role":"assistant","model":${JSON.stringify(ctx.model)}`;
}

export function createAnthropicRenderer(ctx: WireContext): StreamRenderer {
  const opening =
    event(
      "message_start",
      `{"type":"message_start","message":{${messageHead(ctx)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":${ctx.promptTokens},"output_tokens":0}}}`,
    ) +
    event(
      "content_block_start",
      '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
    ) +
    event("ping", '{"type":"ping"}');
  const tokenOpen =
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":';
  const tokenJson = (json: string) => `${tokenOpen}${json}}}\n\n`;
  return {
    opening,
    token: (text) => tokenJson(JSON.stringify(text)),
    tokenJson,
    // Anthropic reports usage only at the end (message_delta), never as a separate chunk.
    usage: () => "",
    malformed: (text) => `${tokenOpen}${JSON.stringify(text).slice(0, -1)}\n\n`,
    closing: (finishReason, usage) =>
      event("content_block_stop", '{"type":"content_block_stop","index":0}') +
      event(
        "message_delta",
        `{"type":"message_delta","delta":{"stop_reason":"${stopReasons[finishReason]}","stop_sequence":null},"usage":{"output_tokens":${usage.completion_tokens}}}`,
      ) +
      event("message_stop", '{"type":"message_stop"}'),
    failure: (message) => event("error", anthropicErrorBody(message, "api_error")),
  };
}

/** The whole non-streamed message. */
export function anthropicBody(
  ctx: WireContext,
  text: string,
  finishReason: FinishReason,
  usage: Usage,
): string {
  return JSON.stringify({
    id: ctx.id,
    type: "message",
    role: "assistant",
    model: ctx.model,
    content: [{ type: "text", text }],
    stop_reason: stopReasons[finishReason],
    stop_sequence: null,
    usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens },
  });
}

/** Anthropic's error type for an HTTP status. */
export function anthropicErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status === 503 || status === 529) return "overloaded_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

export function anthropicErrorBody(message: string, type: string): string {
  return JSON.stringify({ type: "error", error: { type, message } });
}
