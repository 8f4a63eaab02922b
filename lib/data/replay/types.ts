// The replay graph's vocabulary, shared by every trace format (OTel spans, Weka traces): one LLM call as
// recorded, and the graph of calls a session replays. Pure type definitions.

/** A chat message as it goes on the wire (OpenAI shape: role, content, tool_calls, tool_call_id). */
export type WireMessage = Record<string, unknown> & { role: string };

/** One recorded message: its flattened text (for matching and token estimates) and its wire form. */
export interface ReplayMessage {
  role: string;
  /** Content as one string: text parts joined, tool calls and results rendered as markers. */
  text: string;
  /** Ids of the tool calls this message makes (an assistant's tool_calls); a tool result's own id is not one. */
  toolCallIds: readonly string[];
  /** What is sent; one recorded message can expand to several (parallel tool results). */
  wire: readonly WireMessage[];
}

/** One LLM call as a trace recorded it, before any dependency is inferred. */
export interface RawCall {
  /** The span id (OTel) or a synthesised id (Weka). */
  callId: string;
  /** Start and end, ms from the session's earliest call. */
  startMs: number;
  endMs: number;
  /** The recorded model name ("" when none). */
  model: string;
  messages: readonly ReplayMessage[];
  /** The recorded output as text, and the tool calls it emitted (ids, names); null when none was recorded. */
  output: { text: string; toolCallIds: readonly string[]; toolNames: readonly string[] } | null;
  promptTokens: number | null;
  completionTokens: number | null;
  /** Tool definitions sent with the call (`gen_ai.tool.definitions`), if recorded. */
  tools: readonly unknown[] | null;
  /** Span attributes other than the large GenAI ones (for attribute_to_header_map). */
  attributes: Readonly<Record<string, unknown>>;
  /** Weka: the think time the trace recorded before this request, ms (for use_think_time_only). */
  thinkTimeMs?: number | null | undefined;
}

export type DependencyType = "full_match" | "tool_call_ids_matched" | "temporal";

/**
 * A slice of a call's messages relative to its ancestors (upstream's input segments):
 * "shared" = leading messages identical to an ancestor's (sent as that ancestor actually sent them),
 * "output" = one assistant message that is an ancestor's output (replaced by the live reply),
 * "unique" = recorded messages sent as they are.
 */
export interface InputSegment {
  type: "shared" | "output" | "unique";
  /** Recorded messages covered (wire messages may be more, see ReplayMessage.wire). */
  messageCount: number;
  tokenCount: number;
  /** Index of the ancestor call (shared, output). */
  source: number | null;
}

/** One call of the graph: what it waits for, how long after, and what it sends. */
export interface GraphEvent {
  /** `event_<index>_<callId>`, upstream's id. */
  eventId: string;
  call: RawCall;
  /** Indices (into the graph's events) of the calls that must finish first, direct edges only. */
  predecessors: readonly number[];
  dependencyTypes: readonly DependencyType[];
  /** Recorded gap between the last predecessor's end and this call's start, ms (0 for roots). */
  waitMs: number;
  segments: readonly InputSegment[];
  /** Prompt tokens (recorded, else estimated at 4 characters a token). */
  inputTokens: number;
  /** max_tokens to ask for: the recorded completion tokens, else an estimate from the recorded output. */
  outputTokens: number;
}

/** One session's graph: events in start order (index = position), so every edge points backwards. */
export interface ReplayGraph {
  events: readonly GraphEvent[];
  /** Where it came from (a file path, or a Weka trace id). */
  source: string;
}
