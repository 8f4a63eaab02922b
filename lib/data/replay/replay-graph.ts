// Recorded LLM calls (start order) → the session's replay graph, whatever format recorded them
// (upstream's build_graph). Pure.
//
// Edges. Call i depends on an earlier call j when
//   - j's output appears in one of i's assistant messages (j's text contained in it: "full_match"),
//     or every tool call j emitted is carried by i's messages ("tool_call_ids_matched"): a causal edge;
//     earlier calls already reached through a causal edge are not tested again, so only direct causal
//     edges are kept;
//   - and, as a timing fallback, i depends on the latest call that ended before i started
//     ("temporal"), so a chain the content cannot reveal still keeps its order and gaps.
// Edges always point from an earlier call to a later one, so the graph has no cycle by construction.
//
// Segments. i's messages are cut relative to all its ancestors: the longest run of leading messages
// equal to an ancestor's ("shared": at replay, that ancestor's messages as it really sent them), then
// every assistant message that is an ancestor's output ("output": replaced by the live reply), the rest
// "unique". Token counts per segment are the recorded prompt tokens shared out by characters.
//
// Think time. waitMs = start of i − the latest end among its predecessors (≥ 0), the gap the trace
// shows between "everything i needed was there" and "i was sent".
import type {
  DependencyType,
  GraphEvent,
  InputSegment,
  RawCall,
  ReplayGraph,
  ReplayMessage,
} from "./types.ts";

/** Upstream's estimate when a trace records no token counts: 4 characters a token, at least 1. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.floor(text.length / 4));
}

export function buildReplayGraph(calls: readonly RawCall[], source: string): ReplayGraph {
  const preds = findPredecessors(calls);
  const events: GraphEvent[] = calls.map((call, i) => {
    const direct = preds[i]!;
    const indices = [...direct.keys()];
    const ancestors = ancestorsOf(preds, i);
    let waitMs = 0;
    if (indices.length > 0) {
      const lastEnd = Math.max(...indices.map((j) => calls[j]!.endMs));
      waitMs = Math.max(0, call.startMs - lastEnd);
    }
    const estimated = call.messages.reduce((sum, m) => sum + estimateTokens(m.text), 0);
    return {
      eventId: `event_${String(i).padStart(3, "0")}_${call.callId}`,
      call,
      predecessors: indices,
      dependencyTypes: indices.map((j) => direct.get(j)!),
      waitMs,
      segments: segmentsOf(call, ancestors, calls),
      inputTokens: call.promptTokens ?? estimated,
      outputTokens: call.completionTokens ?? estimateTokens(call.output?.text ?? ""),
    };
  });
  return { events, source };
}

/** Direct predecessors of each call, with the kind of edge, in the order they were found. */
export function findPredecessors(calls: readonly RawCall[]): Map<number, DependencyType>[] {
  const preds = calls.map(() => new Map<number, DependencyType>());
  const causalAncestors = (node: number): Set<number> => {
    const seen = new Set<number>();
    const stack = [...preds[node]!].filter(([, t]) => t !== "temporal").map(([j]) => j);
    while (stack.length > 0) {
      const j = stack.pop()!;
      if (seen.has(j)) continue;
      seen.add(j);
      for (const [k, t] of preds[j]!) if (t !== "temporal") stack.push(k);
    }
    return seen;
  };
  for (let i = 1; i < calls.length; i++) {
    const reached = new Set<number>();
    for (let j = i - 1; j >= 0; j--) {
      if (reached.has(j)) continue;
      const dep = causalDependency(calls[j]!, calls[i]!);
      if (dep === null) continue;
      preds[i]!.set(j, dep);
      for (const a of causalAncestors(j)) reached.add(a);
    }
    for (let j = i - 1; j >= 0; j--) {
      if (calls[i]!.startMs >= calls[j]!.endMs) {
        if (!preds[i]!.has(j)) preds[i]!.set(j, "temporal");
        break;
      }
    }
  }
  return preds;
}

/** Whether b was fed a's output (upstream's get_causal_dep, its text and tool-call-id rules). */
export function causalDependency(a: RawCall, b: RawCall): DependencyType | null {
  if (a.output === null || b.messages.length === 0) return null;
  const out = a.output.text;
  // Containment, as upstream: an empty recorded output is contained in any assistant message.
  if (b.messages.some((m) => m.role === "assistant" && m.text.includes(out))) return "full_match";
  const ids = a.output.toolCallIds;
  if (ids.length > 0) {
    const carried = new Set(b.messages.flatMap((m) => m.toolCallIds));
    if (ids.every((id) => carried.has(id))) return "tool_call_ids_matched";
  }
  return null;
}

function ancestorsOf(preds: readonly Map<number, DependencyType>[], i: number): number[] {
  const seen = new Set<number>();
  const stack = [...preds[i]!.keys()];
  while (stack.length > 0) {
    const j = stack.pop()!;
    if (seen.has(j)) continue;
    seen.add(j);
    stack.push(...preds[j]!.keys());
  }
  return [...seen].sort((a, b) => a - b);
}

const sameMessage = (a: ReplayMessage, b: ReplayMessage) => a.role === b.role && a.text === b.text;

/** Whether message m is call a's recorded output (exact text, or it carries all of a's tool calls). */
function isOutputOf(a: RawCall, m: ReplayMessage): boolean {
  if (a.output === null) return false;
  if (m.role === "assistant" && m.text === a.output.text) return true;
  const ids = a.output.toolCallIds;
  return ids.length > 0 && ids.every((id) => m.toolCallIds.includes(id));
}

function segmentsOf(call: RawCall, ancestors: readonly number[], calls: readonly RawCall[]): InputSegment[] {
  const messages = call.messages;
  const total = messages.length;
  const totalTokens = call.promptTokens ?? messages.reduce((sum, m) => sum + estimateTokens(m.text), 0);
  const totalChars = messages.reduce((sum, m) => sum + m.text.length, 0);
  const tokensOf = (from: number, to: number) => {
    if (totalTokens === 0 || totalChars === 0) return 0;
    let chars = 0;
    for (let k = from; k < to; k++) chars += messages[k]!.text.length;
    return Math.max(0, Math.round((totalTokens * chars) / totalChars));
  };
  if (total === 0) return [{ type: "unique", messageCount: 0, tokenCount: 0, source: null }];
  if (ancestors.length === 0)
    return [{ type: "unique", messageCount: total, tokenCount: totalTokens, source: null }];

  const segments: InputSegment[] = [];
  let best = -1;
  let bestLen = 0;
  for (const a of ancestors) {
    const other = calls[a]!.messages;
    let n = 0;
    while (n < total && n < other.length && sameMessage(messages[n]!, other[n]!)) n++;
    if (n > bestLen) {
      bestLen = n;
      best = a;
    }
  }
  let cursor = 0;
  if (bestLen >= 1) {
    segments.push({ type: "shared", messageCount: bestLen, tokenCount: tokensOf(0, bestLen), source: best });
    cursor = bestLen;
  }
  while (cursor < total) {
    let at = total;
    let from = -1;
    for (const a of ancestors) {
      for (let k = cursor; k < at; k++) {
        if (isOutputOf(calls[a]!, messages[k]!)) {
          at = k;
          from = a;
          break;
        }
      }
    }
    if (from < 0) {
      segments.push({
        type: "unique",
        messageCount: total - cursor,
        tokenCount: tokensOf(cursor, total),
        source: null,
      });
      break;
    }
    if (at > cursor) {
      segments.push({
        type: "unique",
        messageCount: at - cursor,
        tokenCount: tokensOf(cursor, at),
        source: null,
      });
    }
    const recorded = calls[from]!.completionTokens;
    segments.push({
      type: "output",
      messageCount: 1,
      tokenCount: recorded ?? tokensOf(at, at + 1),
      source: from,
    });
    cursor = at + 1;
  }
  return segments;
}
