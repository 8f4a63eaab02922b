// A trace's spans → its LLM calls in start order (upstream's build_raw_calls): duplicate spans dropped,
// only chat spans with input messages kept, error spans kept or skipped per include_errors. The parent
// links are checked too: a parent that is not in the trace is noted (the span is then a top-level
// span), a parent cycle makes the trace invalid. Parent links create no dependency: in OTel a parent
// span encloses its children, it does not run before them; dependencies come from content and timing
// (replay-graph.ts). Pure.
import { inputMessages, outputOf } from "./otel-messages.ts";
import type { Span } from "./otel-spans.ts";
import type { RawCall } from "./types.ts";

export interface CallsResult {
  calls: RawCall[];
  /** Things worth a warning line (never fatal). */
  notes: string[];
}

export type CallsOutcome = { ok: true; result: CallsResult } | { ok: false; problem: string };

// Large GenAI attributes kept out of `attributes` (they live in messages/output/tools).
const BULKY = new Set([
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.tool.definitions",
  "gen_ai.output.text",
  "gen_ai.completion",
  "gen_ai.output",
]);

/** An LLM call span: operation "chat" (or a "chat …" name) with input messages. */
export function isLlmSpan(span: Span): boolean {
  const op = span.attributes["gen_ai.operation.name"];
  const messages = span.attributes["gen_ai.input.messages"];
  const hasMessages =
    messages !== undefined &&
    messages !== null &&
    messages !== "" &&
    !(Array.isArray(messages) && messages.length === 0);
  return (op === "chat" || span.name.startsWith("chat ")) && hasMessages;
}

export function callsFromSpans(spans: readonly Span[], opts: { includeErrors: boolean }): CallsOutcome {
  const cycle = parentCycle(spans);
  if (cycle !== null) return { ok: false, problem: `spans form a parent cycle: ${cycle.join(" → ")}` };
  const notes: string[] = [];
  const missing = missingParents(spans);
  if (missing.length > 0) {
    const [first] = missing;
    notes.push(
      `${missing.length} span${missing.length === 1 ? " names a parent" : "s name parents"} not in the trace (e.g. "${first!.span}" → "${first!.parent}"); they are treated as top-level spans`,
    );
  }
  const unique = dropDuplicates(spans);
  const llm: Span[] = [];
  let errorSpans = 0;
  for (const span of unique) {
    if (!isLlmSpan(span)) continue;
    if (span.statusCode === 2) {
      errorSpans++;
      if (!opts.includeErrors) continue;
    }
    llm.push(span);
  }
  if (errorSpans > 0) {
    notes.push(
      opts.includeErrors
        ? `${errorSpans} LLM span${errorSpans === 1 ? " has" : "s have"} an error status; replayed (include_errors: true)`
        : `${errorSpans} LLM span${errorSpans === 1 ? " has" : "s have"} an error status; skipped (include_errors: false)`,
    );
  }
  if (llm.length === 0) return { ok: true, result: { calls: [], notes } };
  const t0 = Math.min(...llm.map((s) => s.startMs));
  llm.sort((a, b) => a.startMs - b.startMs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
  const calls: RawCall[] = [];
  for (const span of llm) {
    const call = callOf(span, t0);
    if (typeof call === "string") return { ok: false, problem: `span "${span.spanId}": ${call}` };
    calls.push(call);
  }
  return { ok: true, result: { calls, notes } };
}

function callOf(span: Span, t0: number): RawCall | string {
  const attrs = span.attributes;
  const messages = inputMessages(attrs["gen_ai.input.messages"]);
  if (typeof messages === "string") return messages;
  const output = outputOf(attrs);
  if (typeof output === "string") return output;
  const startMs = Math.round(span.startMs - t0);
  const endMs = span.endMs === null ? startMs : Math.round(span.endMs - t0);
  let tools: unknown[] | null = null;
  const rawTools = attrs["gen_ai.tool.definitions"];
  if (Array.isArray(rawTools)) tools = rawTools;
  else if (typeof rawTools === "string") {
    try {
      const parsed: unknown = JSON.parse(rawTools);
      if (Array.isArray(parsed)) tools = parsed;
    } catch {
      // upstream ignores unparsable tool definitions (with a warning); so do we
    }
  }
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attrs)) if (!BULKY.has(key)) attributes[key] = value;
  return {
    callId: span.spanId,
    startMs,
    endMs,
    model: typeof attrs["gen_ai.request.model"] === "string" ? (attrs["gen_ai.request.model"] as string) : "",
    messages,
    output,
    promptTokens: tokenCount(attrs["gen_ai.usage.prompt_tokens"] ?? attrs["gen_ai.usage.input_tokens"]),
    completionTokens: tokenCount(
      attrs["gen_ai.usage.completion_tokens"] ?? attrs["gen_ai.usage.output_tokens"],
    ),
    tools,
    attributes,
  };
}

function tokenCount(value: unknown): number | null {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? Math.trunc(n) : null;
}

/** Spans with the same start, end and attributes are one call recorded twice (upstream keeps the first by id). */
function dropDuplicates(spans: readonly Span[]): Span[] {
  const seen = new Set<string>();
  const out: Span[] = [];
  const sorted = [...spans].sort((a, b) => (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
  for (const span of sorted) {
    const signature = `${span.startMs}|${span.endMs}|${stableJson(span.attributes)}`;
    if (seen.has(signature)) continue;
    seen.add(signature);
    out.push(span);
  }
  return out;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function missingParents(spans: readonly Span[]): { span: string; parent: string }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  return spans
    .filter((s) => s.parentSpanId !== null && !ids.has(s.parentSpanId))
    .map((s) => ({ span: s.spanId, parent: s.parentSpanId as string }));
}

/** The span ids of a parent cycle (first repeated at the end), or null when the parent links form a forest. */
export function parentCycle(spans: readonly Span[]): string[] | null {
  const parentOf = new Map<string, string | null>();
  for (const s of spans) parentOf.set(s.spanId, s.parentSpanId);
  const done = new Set<string>();
  for (const start of parentOf.keys()) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let id: string | null | undefined = start;
    while (id !== null && id !== undefined && !done.has(id)) {
      if (onPath.has(id)) return [...path.slice(onPath.get(id)), id];
      onPath.set(id, path.length);
      path.push(id);
      id = parentOf.get(id);
    }
    for (const p of path) done.add(p);
  }
  return null;
}
