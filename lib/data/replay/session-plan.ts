// A session's replay graph → what a Worker replays: per call its predecessors and think time, the
// request's fixed parts (model, max_tokens, tools, headers) and its recorded messages already as JSON,
// so a call's body at replay is a join of prebuilt strings and its predecessors' live replies. Plain
// data (it crosses to the Workers by structured clone). Pure.
import { type PyValue, str as pythonStr } from "../py-lambda/values.ts";
import type { GraphEvent, InputSegment, ReplayGraph } from "./types.ts";

export interface ReplayCallPlan {
  eventId: string;
  predecessors: number[];
  /** Think time after the last predecessor ends, ms (capped by max_wait_ms). */
  waitMs: number;
  maxTokens: number;
  /** The model to ask for; null = the run's model. */
  model: string | null;
  headers: Record<string, string> | null;
  /** attribute_to_label_map: reporting labels of the call (per-request report), or null. */
  labels: Record<string, string> | null;
  /** Overrides server.ignore_eos (tool-call turns stop at their natural end); null = as configured. */
  ignoreEos: boolean | null;
  /** Further body fields (`,"tools":[…],"tool_choice":…`), or "". */
  extra: string;
  /** The same for the Anthropic Messages API (its tool shape; tool_choice only on a recorded tool call). */
  anthropicExtra: string;
  /** Per recorded message, its wire messages as JSON (the session tag already in unique messages). */
  groups: string[][];
  segments: InputSegment[];
  /** The recorded (or estimated) prompt tokens: the client's count when the server reports none. */
  inputTokens: number;
}

export interface ReplaySessionPlan {
  /** Upstream's session id: `trace<slot>_<id>`, `…_dup<n>` for a duplicate. */
  id: string;
  /** The trace file (or record) it came from. */
  source: string;
  calls: ReplayCallPlan[];
}

/** The parts of a session-replay config (OTel or Weka) the conversion reads. */
export interface ReplayPlanOptions {
  use_static_model: boolean;
  static_model_name: string;
  model_mapping?: Readonly<Record<string, string>> | null | undefined;
  default_max_tokens: number;
  override_tool_call_max_tokens: boolean;
  max_wait_ms: number;
  attribute_to_header_map?: Readonly<Record<string, string>> | null | undefined;
  attribute_to_label_map?: Readonly<Record<string, string>> | null | undefined;
  /** Weka: replay with no think time at all. */
  ignore_trace_delays?: boolean | undefined;
  /** Weka: wait each call's recorded think_time after its last predecessor, not the timestamps' gap. */
  use_think_time_only?: boolean | undefined;
}

export function sessionPlan(
  graph: ReplayGraph,
  id: string,
  opts: ReplayPlanOptions,
  /** `[SESS:<tag>] ` goes before every unique message (duplicates, inject_random_session_id). */
  tag: string | null,
): ReplaySessionPlan {
  return { id, source: graph.source, calls: graph.events.map((event) => callPlan(event, opts, tag)) };
}

function callPlan(event: GraphEvent, opts: ReplayPlanOptions, tag: string | null): ReplayCallPlan {
  const { call } = event;
  const unique = new Set<number>();
  let at = 0;
  for (const segment of event.segments) {
    if (segment.type === "unique") for (let k = at; k < at + segment.messageCount; k++) unique.add(k);
    at += segment.messageCount;
  }
  const groups = call.messages.map((message, k) =>
    message.wire.map((wire) => {
      if (tag === null || !unique.has(k)) return JSON.stringify(wire);
      const content = typeof wire.content === "string" ? wire.content : "";
      return JSON.stringify({ ...wire, content: `[SESS:${tag}] ${content}` });
    }),
  );
  let maxTokens = event.outputTokens;
  if (call.completionTokens === null && call.output === null) maxTokens = opts.default_max_tokens;
  let ignoreEos: boolean | null = null;
  let extra = "";
  let anthropicExtra = "";
  const tools = (call.tools ?? []).map(openAiTool).filter((t): t is Record<string, unknown> => t !== null);
  if (tools.length > 0) {
    extra = `,"tools":${JSON.stringify(tools)}`;
    anthropicExtra = `,"tools":${JSON.stringify(tools.map(anthropicTool))}`;
    // Forced as upstream does: a recorded tool call must come back as one (its results follow in the
    // next call), a recorded text answer must not (a stray call would leave a result unanswered); both
    // stop at their natural end rather than at max_tokens.
    ignoreEos = false;
    const names = call.output?.toolNames ?? [];
    if (names.length > 0) {
      if (opts.override_tool_call_max_tokens) maxTokens = Math.max(maxTokens * 4, 4096);
      const available = new Set(tools.map((t) => (t.function as { name?: unknown }).name));
      const choice =
        names.length === 1 && available.has(names[0])
          ? { type: "function", function: { name: names[0] } }
          : "required";
      extra += `,"tool_choice":${JSON.stringify(choice)}`;
      // Anthropic's spelling; a text turn gets none there (upstream sets one only for tool calls).
      const only = typeof choice === "string" ? { type: "any" } : { type: "tool", name: names[0] };
      anthropicExtra += `,"tool_choice":${JSON.stringify(only)}`;
    } else {
      extra += `,"tool_choice":"none"`;
    }
  }
  const headers = fromAttributes(call.attributes, opts.attribute_to_header_map);
  return {
    eventId: event.eventId,
    predecessors: [...event.predecessors],
    waitMs: opts.ignore_trace_delays === true ? 0 : Math.min(thinkTime(event, opts), opts.max_wait_ms),
    maxTokens,
    model: modelFor(call.model, opts),
    headers,
    labels: fromAttributes(call.attributes, opts.attribute_to_label_map),
    ignoreEos,
    extra,
    anthropicExtra,
    groups,
    segments: event.segments.map((s) => ({ ...s })),
    inputTokens: event.inputTokens,
  };
}

/**
 * The wait after the last predecessor: the gap the trace's timestamps show, or with
 * use_think_time_only the think time it recorded for the call (send-to-send gaps include the recorded
 * server's own response time; think_time does not). A call with none recorded keeps the gap; a root
 * call has nothing to wait after.
 */
function thinkTime(event: GraphEvent, opts: ReplayPlanOptions): number {
  const recorded = event.call.thinkTimeMs;
  if (opts.use_think_time_only !== true || event.predecessors.length === 0) return event.waitMs;
  return recorded === null || recorded === undefined ? event.waitMs : recorded;
}

/**
 * attribute_to_header_map / attribute_to_label_map: name → the span attribute's value as a string, or
 * "default" when the span has none (as inference-perf does); null when the map is empty.
 */
function fromAttributes(
  attributes: Readonly<Record<string, unknown>>,
  map: Readonly<Record<string, string>> | null | undefined,
): Record<string, string> | null {
  let out: Record<string, string> | null = null;
  for (const [attribute, name] of Object.entries(map ?? {})) {
    out ??= {};
    const value = attributes[attribute];
    // str(val), as upstream: True, 1.5, ['a', 'b'].
    out[name] = value === undefined || value === null ? "default" : pythonStr(value as PyValue);
  }
  return out;
}

function modelFor(recorded: string, opts: ReplayPlanOptions): string | null {
  if (opts.use_static_model) return opts.static_model_name === "" ? null : opts.static_model_name;
  const mapped = opts.model_mapping?.[recorded];
  if (mapped !== undefined) return mapped;
  return recorded === "" ? null : recorded;
}

/** A recorded tool definition in OpenAI's `{type: "function", function: {...}}` shape, or null. */
function openAiTool(tool: unknown): Record<string, unknown> | null {
  if (tool === null || typeof tool !== "object" || Array.isArray(tool)) return null;
  const t = tool as Record<string, unknown>;
  if (t.type === "function" && t.function !== null && typeof t.function === "object") return t;
  if (typeof t.name !== "string") return null;
  const fn: Record<string, unknown> = { name: t.name };
  if (typeof t.description === "string") fn.description = t.description;
  const parameters = t.parameters ?? t.input_schema;
  if (parameters !== undefined) fn.parameters = parameters;
  return { type: "function", function: fn };
}

/** Calls per session, in replay order: what planRun needs to size session stages. */
export function sessionSizes(sessions: readonly ReplaySessionPlan[]): Int32Array {
  return Int32Array.from(sessions, (s) => s.calls.length);
}

/** An OpenAI tool definition as an Anthropic Messages tool (upstream's _anthropic_tool). */
function anthropicTool(tool: Record<string, unknown>): Record<string, unknown> {
  const fn = (tool.function ?? tool) as Record<string, unknown>;
  const out: Record<string, unknown> = {
    name: fn.name ?? "",
    input_schema: fn.parameters ?? { type: "object", properties: {} },
  };
  if (fn.description !== undefined && fn.description !== null) out.description = fn.description;
  return out;
}
