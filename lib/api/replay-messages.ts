// The messages one replayed call sends, from its segments (upstream's output-aware replay): shared
// leading messages as its ancestor really sent them, each recorded output of an ancestor replaced by
// that ancestor's live reply, everything else as recorded. Pure; every part is JSON already, so a body
// is a join, never a re-serialisation of the history.
import type { ReplayCallPlan } from "../data/replay/session-plan.ts";

/** What the run kept of an earlier call of the session. */
export interface SentCall {
  /** The messages it sent, per recorded message (null until it was sent). */
  groups: readonly (readonly string[])[] | null;
  /** Its reply text (null until it replied). */
  reply: string | null;
}

export function replayMessages(
  call: Pick<ReplayCallPlan, "groups" | "segments">,
  earlier: (index: number) => SentCall | undefined,
  substitute: boolean,
): string[][] {
  if (!substitute) return call.groups.map((g) => [...g]);
  const out: string[][] = [];
  let at = 0;
  for (const segment of call.segments) {
    const recorded = call.groups.slice(at, at + segment.messageCount);
    at += segment.messageCount;
    const source = segment.source === null ? undefined : earlier(segment.source);
    if (segment.type === "shared" && source?.groups != null && source.groups.length >= segment.messageCount) {
      for (let k = 0; k < segment.messageCount; k++) out.push([...source.groups[k]!]);
    } else if (segment.type === "output" && segment.messageCount === 1 && source?.reply) {
      out.push([JSON.stringify({ role: "assistant", content: source.reply })]);
    } else {
      // A unique segment, or a source with nothing to give (upstream then sends what was recorded).
      for (const group of recorded) out.push([...group]);
    }
  }
  return out;
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
