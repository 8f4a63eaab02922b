// The messages one replayed call sends, from its segments (upstream's output-aware replay): shared
// leading messages as its ancestor really sent them, each recorded output of an ancestor replaced by
// that ancestor's live reply (its text, and the tool calls it made, whose ids the recorded tool
// results that follow are rewritten to), everything else as recorded. With bad_tool_call_handling
// "use_recorded", a live reply whose tool-call arguments are not JSON is replaced by the recorded
// message instead (and when that one is malformed too, the call fails). Pure; every part is JSON
// already, so a body is a join; only the few messages a substitution touches are re-serialised.
import type { ReplayCallPlan } from "../data/replay/session-plan.ts";
import type { ToolCallOut } from "./response.ts";

/** What the run kept of an earlier call of the session. */
export interface SentCall {
  /** The messages it sent, per recorded message (null until it was sent). */
  groups: readonly (readonly string[])[] | null;
  /** Its reply text (null until it replied). */
  reply: string | null;
  /** The tool calls its reply made (empty when none). */
  toolCalls?: readonly ToolCallOut[] | undefined;
}

export interface ReplayOptions {
  /** Send predecessors' live replies in place of the recorded ones (not disable_output_substitution). */
  substitute: boolean;
  /** bad_tool_call_handling: "use_recorded". */
  useRecorded?: boolean | undefined;
  /** An earlier call's event id as reported (`<session>:<event>`), for the failure message. */
  eventName?: ((index: number) => string) | undefined;
}

export interface ReplayAssembly {
  groups: string[][];
  /** Earlier calls whose malformed live tool calls were replaced by their recorded message. */
  recordedFor: number[];
  /** Why the call cannot be sent (its recorded fallback is malformed too); null when it can. */
  failure: string | null;
}

export function replayMessages(
  call: Pick<ReplayCallPlan, "groups" | "segments">,
  earlier: (index: number) => SentCall | undefined,
  opts: ReplayOptions,
): ReplayAssembly {
  const recordedFor: number[] = [];
  if (!opts.substitute) return { groups: call.groups.map((g) => [...g]), recordedFor, failure: null };
  const out: string[][] = [];
  const rewrites: { after: number; live: readonly ToolCallOut[]; names: (string | null)[] }[] = [];
  let at = 0;
  for (const segment of call.segments) {
    const recorded = call.groups.slice(at, at + segment.messageCount);
    at += segment.messageCount;
    const index = segment.source;
    const source = index === null ? undefined : earlier(index);
    if (segment.type === "shared" && source?.groups != null && source.groups.length >= segment.messageCount) {
      for (let k = 0; k < segment.messageCount; k++) out.push([...source.groups[k]!]);
    } else if (segment.type === "output" && segment.messageCount === 1 && source?.reply != null) {
      const live = source.toolCalls ?? [];
      const recordedMessage = recorded[0]?.[0];
      if (opts.useRecorded === true && live.some(malformed) && recordedMessage !== undefined) {
        if (recordedToolCalls(recordedMessage).some(malformed)) {
          const name = opts.eventName?.(index!) ?? `event ${index}`;
          return { groups: out, recordedFor, failure: `recorded fallback for ${name} is also malformed` };
        }
        recordedFor.push(index!);
        out.push([...recorded[0]!]);
      } else {
        if (live.length > 0) {
          const names =
            recordedMessage === undefined ? [] : recordedToolCalls(recordedMessage).map((c) => c.name);
          rewrites.push({ after: out.length, live, names });
        }
        out.push([assistantJson(source.reply, live)]);
      }
    } else {
      // A unique segment, or a source with nothing to give (upstream then sends what was recorded).
      for (const group of recorded) out.push([...group]);
    }
  }
  for (const rewrite of rewrites) rewriteToolIds(out, rewrite);
  return { groups: out, recordedFor, failure: null };
}

/** A live reply as an assistant message: upstream's output_message (tool calls first, then any text). */
function assistantJson(text: string, toolCalls: readonly ToolCallOut[]): string {
  if (toolCalls.length === 0) return JSON.stringify({ role: "assistant", content: text });
  const message: Record<string, unknown> = {
    role: "assistant",
    tool_calls: toolCalls.map((c) => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: c.arguments },
    })),
  };
  if (text !== "") message.content = text;
  return JSON.stringify(message);
}

/** A tool call whose `arguments` is text that is not JSON (a server's tool parser leaking markup). */
function malformed(call: { arguments: unknown }): boolean {
  if (typeof call.arguments !== "string") return false;
  try {
    JSON.parse(call.arguments);
    return false;
  } catch {
    return true;
  }
}

function recordedToolCalls(messageJson: string): { name: string | null; arguments: unknown }[] {
  const message = JSON.parse(messageJson) as { tool_calls?: unknown };
  if (!Array.isArray(message.tool_calls)) return [];
  return message.tool_calls.map((c: { function?: { name?: unknown; arguments?: unknown } }) => ({
    name: typeof c?.function?.name === "string" ? c.function.name : null,
    arguments: c?.function?.arguments,
  }));
}

/**
 * The recorded tool results after a live tool-call message answer the live calls: each takes the id
 * of the first unused live call of the function its recorded call named (or, when the recorded
 * message named none, the live call in the same position), as upstream's post-pass pairs them.
 */
function rewriteToolIds(
  groups: string[][],
  rewrite: { after: number; live: readonly ToolCallOut[]; names: (string | null)[] },
): void {
  const positional = rewrite.names.length === 0;
  const bound = positional ? rewrite.live.length : rewrite.names.length;
  const used = new Set<number>();
  let results = 0;
  for (let g = rewrite.after + 1; g < groups.length && results < bound; g++) {
    const group = groups[g]!;
    for (let m = 0; m < group.length && results < bound; m++) {
      if (!group[m]!.startsWith('{"role":"tool"')) continue;
      const match = positional
        ? results
        : rewrite.live.findIndex((c, i) => !used.has(i) && c.name === rewrite.names[results]);
      results++;
      if (match < 0 || match >= rewrite.live.length) continue;
      used.add(match);
      const id = rewrite.live[match]!.id;
      if (id === "") continue;
      const message = JSON.parse(group[m]!) as Record<string, unknown>;
      message.tool_call_id = id;
      group[m] = JSON.stringify(message);
    }
  }
}

/** The `messages` JSON value of a call's groups. */
export function messagesJson(groups: readonly (readonly string[])[]): string {
  let json = "[";
  let first = true;
  for (const group of groups) {
    for (const message of group) {
      json += first ? message : `,${message}`;
      first = false;
    }
  }
  return `${json}]`;
}
