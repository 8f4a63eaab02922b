// A replayed call as an Anthropic Messages request (api.type anthropic_messages), converted from the
// OpenAI-shaped messages the replay assembles, as inference-perf's build_anthropic_request_body does:
// system messages join (a blank line apart) into `system`; a tool result becomes a user message with a
// `tool_result` block; an assistant message with tool calls becomes text and `tool_use` blocks (their
// arguments parsed into `input`). The tools (`{name, input_schema, description}`) and tool_choice come
// prebuilt (session-plan.ts). A session converts each distinct message once (the memo): every call
// resends the history. Pure.
import type { BuiltRequest, RequestConfig } from "./request.ts";
import { buildHeaders, defaultMaxTokens, utf8Length, withHeaders } from "./request.ts";

type Json = Record<string, unknown>;

/** A message converted: its Anthropic JSON, or the text it adds to `system`. */
export type Converted = { message: string } | { system: string };

export function createAnthropicMemo(): Map<string, Converted> {
  return new Map();
}

/** `content` as text: a string, or the text of its text parts joined (upstream's _content_text). */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((p: Json) =>
      p !== null && typeof p === "object" && (p.type === "text" || p.type === "input_text")
        ? String(p.text ?? "")
        : "",
    )
    .join("");
}

/** Tool-call arguments as a tool_use `input` object (upstream's _tool_input). */
function toolInput(args: unknown): Json {
  if (args !== null && typeof args === "object" && !Array.isArray(args)) return args as Json;
  if (typeof args === "string" && args !== "") {
    try {
      const parsed = JSON.parse(args) as unknown;
      return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
        ? (parsed as Json)
        : { value: parsed };
    } catch {
      return { arguments: args };
    }
  }
  return {};
}

export function convertMessage(json: string): Converted {
  const m = JSON.parse(json) as Json;
  if (m.role === "system") return { system: contentText(m.content) };
  if (m.role === "tool") {
    return {
      message: JSON.stringify({
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: m.tool_call_id ?? "", content: contentText(m.content) },
        ],
      }),
    };
  }
  if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
    const blocks: Json[] = [];
    const text = contentText(m.content);
    if (text !== "") blocks.push({ type: "text", text });
    for (const call of m.tool_calls as Json[]) {
      const fn = (call.function ?? {}) as Json;
      blocks.push({
        type: "tool_use",
        id: call.id ?? "",
        name: fn.name ?? "",
        input: toolInput(fn.arguments),
      });
    }
    return { message: JSON.stringify({ role: "assistant", content: blocks }) };
  }
  const role = m.role === "assistant" ? "assistant" : "user";
  let content: unknown = m.content ?? "";
  if (Array.isArray(content)) {
    content = content
      .filter((b: Json) => b !== null && typeof b === "object")
      .flatMap((b: Json) =>
        b.type === "text" || b.type === "tool_use" || b.type === "tool_result"
          ? [b]
          : b.type === "input_text"
            ? [{ type: "text", text: b.text ?? "" }]
            : [],
      );
  }
  return { message: JSON.stringify({ role, content }) };
}

export interface AnthropicCall {
  model: string;
  /** The call's messages, OpenAI-shaped JSON per recorded message (as replayMessages assembles them). */
  groups: readonly (readonly string[])[];
  maxTokens: number;
  /** `,"tools":[…],"tool_choice":…` already in Anthropic's shape, or "". */
  extra: string;
  headers?: Readonly<Record<string, string>> | null | undefined;
}

export function anthropicSessionRequest(
  config: RequestConfig,
  call: AnthropicCall,
  memo: Map<string, Converted>,
): BuiltRequest {
  const system: string[] = [];
  let messages = "";
  for (const group of call.groups) {
    for (const json of group) {
      let converted = memo.get(json);
      if (converted === undefined) memo.set(json, (converted = convertMessage(json)));
      if ("system" in converted) system.push(converted.system);
      else messages += messages === "" ? converted.message : `,${converted.message}`;
    }
  }
  const streaming = config.api.streaming;
  const maxTokens = call.maxTokens > 0 ? call.maxTokens : defaultMaxTokens;
  let body = `{"model":${JSON.stringify(call.model)},"messages":[${messages}],"max_tokens":${maxTokens},"stream":${streaming}`;
  const joined = system.join("\n\n");
  if (joined !== "") body += `,"system":${JSON.stringify(joined)}`;
  body += `${call.extra}}`;
  const headers = withHeaders(buildHeaders(config, streaming), call.headers);
  return { path: "/v1/messages", body, headers, bodyBytes: utf8Length(body) };
}
