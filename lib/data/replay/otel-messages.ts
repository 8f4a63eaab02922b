// GenAI span attributes → replay messages: the recorded input messages (`gen_ai.input.messages`) and
// output (`gen_ai.output.text` / `gen_ai.completion` / `gen_ai.output` / `gen_ai.output.messages`), each
// as flattened text (what dependency matching and token estimates read, as upstream renders it) and
// as OpenAI wire messages (what is sent). Pure.
import type { ReplayMessage, WireMessage } from "./types.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** `<|tool_call|>name<|tool_args|>{...}<|end|>`: upstream's rendering of a call for matching and counting. */
function formatToolCall(call: Json): string {
  const name = typeof call.name === "string" ? call.name : "unknown_tool";
  let args = call.arguments ?? call.input ?? "{}";
  if (isObject(args)) args = JSON.stringify(args).replaceAll('":', '": ').replaceAll(',"', ', "');
  return `<|tool_call|>${name}<|tool_args|>${String(args)}<|end|>`;
}

function formatToolResult(part: Json): string {
  const id = part.tool_use_id ?? part.id ?? "unknown";
  const content = part.content ?? part.result ?? "";
  return `<tool_result: ${String(id)}${part.is_error === true ? " [ERROR]" : ""}>\n${String(content)}\n</tool_result>`;
}

/** A recorded tool call in either shape ({id, function:{name, arguments}} or {id, name, arguments}), flat. */
function flatToolCall(raw: unknown): Json | null {
  if (!isObject(raw)) return null;
  const fn = isObject(raw.function) ? raw.function : null;
  return { id: raw.id, name: fn ? fn.name : raw.name, arguments: fn ? fn.arguments : raw.arguments };
}

/** OpenAI wire form of a tool call; `arguments` must be a JSON string there. */
function wireToolCall(call: Json): Json | string {
  if (typeof call.id !== "string" || call.id === "")
    return `a recorded tool call ("${String(call.name)}") has no id, so its result cannot be linked`;
  const args = call.arguments === undefined || call.arguments === null ? "" : call.arguments;
  return {
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: typeof args === "string" ? args : JSON.stringify(args) },
  };
}

function coerceText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value))
    return value.map((b) => (isObject(b) ? String(b.text ?? b.content ?? "") : String(b))).join("");
  return String(value);
}

/** Flattened text of one input message (upstream's reconstruct_llm_input). */
function inputText(message: Json): string {
  const content = message.content;
  if (typeof content === "string") return content;
  const parts = Array.isArray(content) ? content : Array.isArray(message.parts) ? message.parts : null;
  if (parts !== null) {
    const out: string[] = [];
    for (const part of parts) {
      if (typeof part === "string") out.push(part);
      if (!isObject(part)) continue;
      const type = part.type;
      if (type === "text") out.push(String(part.text ?? part.content ?? ""));
      else if (type === "tool_call" || type === "tool_use") out.push(formatToolCall(part));
      else if (type === "tool_result" || type === "tool_call_response") out.push(formatToolResult(part));
      else if (Array.isArray(content) && "text" in part) out.push(String(part.text));
    }
    return out.join("\n");
  }
  if (Array.isArray(message.tool_calls)) {
    return message.tool_calls
      .map(flatToolCall)
      .filter((c): c is Json => c !== null)
      .map(formatToolCall)
      .join("\n");
  }
  return "";
}

/** One recorded input message → a ReplayMessage, or why it cannot be replayed. */
export function inputMessage(raw: unknown): ReplayMessage | string {
  if (!isObject(raw) || typeof raw.role !== "string") return "expected messages with a string role";
  // Upstream sends developer messages as system messages.
  const role = raw.role === "developer" ? "system" : raw.role;
  const text = inputText(raw);
  const content = raw.content;
  const parts = Array.isArray(content) ? content : Array.isArray(raw.parts) ? raw.parts : null;
  const responses = parts?.filter((p): p is Json => isObject(p) && p.type === "tool_call_response") ?? [];
  if (responses.length > 0) {
    // Parallel tool results expand to one role:tool message each; text beside them leads the first.
    const lead = parts!
      .filter((p): p is Json => isObject(p) && p.type === "text")
      .map((p) => coerceText(p.content ?? p.text))
      .join("");
    const wire = responses.map((r, i): WireMessage => {
      const m: WireMessage = { role: "tool" };
      if (typeof r.id === "string" && r.id !== "") m.tool_call_id = r.id;
      m.content = (i === 0 ? lead : "") + coerceText(r.result ?? r.response);
      return m;
    });
    return { role, text, toolCallIds: [], wire };
  }
  const calls: Json[] = [];
  const rawCalls = Array.isArray(raw.tool_calls)
    ? raw.tool_calls.map(flatToolCall)
    : (parts ?? []).filter((p) => isObject(p) && p.type === "tool_call").map(flatToolCall);
  for (const c of rawCalls) {
    if (c === null) continue;
    const wire = wireToolCall(c);
    if (typeof wire === "string") return wire;
    calls.push(wire);
  }
  const message: WireMessage = { role };
  const ids: string[] = calls.map((c) => c.id as string);
  if (role === "tool" && typeof raw.tool_call_id === "string") message.tool_call_id = raw.tool_call_id;
  if (calls.length > 0) {
    message.tool_calls = calls;
    const lead =
      typeof content === "string"
        ? content
        : coerceText(parts?.filter((p) => isObject(p) && p.type === "text"));
    if (lead !== "") message.content = lead;
  } else {
    message.content =
      typeof content === "string"
        ? content
        : content === undefined || content === null
          ? text
          : coerceText(parts);
  }
  return { role, text, toolCallIds: ids, wire: [message] };
}

/** `gen_ai.input.messages` (a JSON string or a list) → messages, or why not. */
export function inputMessages(value: unknown): ReplayMessage[] | string {
  let list = value;
  if (typeof list === "string") {
    try {
      list = JSON.parse(list);
    } catch {
      return "gen_ai.input.messages is not valid JSON";
    }
  }
  if (!Array.isArray(list)) return "gen_ai.input.messages: expected a list of messages";
  const out: ReplayMessage[] = [];
  for (const [i, raw] of list.entries()) {
    const message = inputMessage(raw);
    if (typeof message === "string") return `gen_ai.input.messages[${i}]: ${message}`;
    out.push(message);
  }
  return out;
}

/** The recorded output of a span (upstream's extract_output_message), or why it cannot be read. */
export function outputOf(
  attributes: Json,
): { text: string; toolCallIds: string[]; toolNames: string[] } | null | string {
  for (const key of ["gen_ai.output.text", "gen_ai.completion", "gen_ai.output"]) {
    if (typeof attributes[key] === "string")
      return { text: attributes[key] as string, toolCallIds: [], toolNames: [] };
  }
  let out = attributes["gen_ai.output.messages"];
  if (typeof out === "string") {
    try {
      out = JSON.parse(out);
    } catch {
      return "gen_ai.output.messages is not valid JSON";
    }
  }
  if (!Array.isArray(out) || !isObject(out[0])) return null;
  if (out.length > 1) return `gen_ai.output.messages: expected a single message, got ${out.length}`;
  const message = out[0];
  const lines: string[] = [];
  const content = message.content;
  if (typeof content === "string" && content !== "") lines.push(content);
  const textParts = [
    ...(Array.isArray(content) ? content : []),
    ...(Array.isArray(message.parts) ? message.parts : []),
  ].filter((p): p is Json => isObject(p) && p.type === "text");
  const text = textParts.map((p) => String(p.text ?? p.content ?? "")).join("\n");
  if (text !== "") lines.push(text);
  const calls = [
    ...(Array.isArray(message.tool_calls) ? message.tool_calls.map(flatToolCall) : []),
    ...(Array.isArray(message.parts)
      ? message.parts.filter((p) => isObject(p) && p.type === "tool_call").map(flatToolCall)
      : []),
  ].filter((c): c is Json => c !== null);
  for (const call of calls) lines.push(formatToolCall(call));
  return {
    text: lines.join("\n"),
    toolCallIds: calls.map((c) => c.id).filter((id): id is string => typeof id === "string" && id !== ""),
    toolNames: calls
      .map((c) => c.name)
      .filter((name): name is string => typeof name === "string" && name !== ""),
  };
}
