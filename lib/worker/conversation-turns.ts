// A Worker's share of a stage whose requests are turns of conversations (multi-turn shared prefix,
// conversation_replay): the stage's schedule (rate, trace or closed loop) says when request k is due;
// the turn then also waits for the previous turn of its conversation (and its tool-call pause), so
// turns of one conversation never overlap and each carries the history so far. Every turn of a
// conversation is on this Worker (load/stripe.ts stripeBySlot), so the order is kept by a promise chain
// per slot, no locks or messages. The wait shows in the request's schedule delay, as upstream's does.
import { ConversationState } from "../api/conversation-state.ts";
import { type SessionHeaderKeys, sessionHeaders, sessionRequest } from "../api/session-request.ts";
import {
  type ConversationBlueprint,
  type ConversationSource,
  conversationSessionName,
  turnOf,
} from "../data/conversation.ts";
import type { SessionLifecycle } from "../record/session.ts";
import { sendTurn, type TurnDeps } from "./send-turn.ts";

export interface ConversationRunDeps extends TurnDeps {
  model: string;
  source: ConversationSource;
  headerKeys: SessionHeaderKeys;
  /** True once the stage is stopped: turns still waiting for their conversation are not sent. */
  stopped: () => boolean;
  /** Waits `ms` (the tool-call pause), or less when the stage stops. */
  pause: (ms: number) => Promise<void>;
}

interface Slot {
  blueprint: ConversationBlueprint;
  /** Each turn's user text JSON-escaped once. */
  users: string[];
  conversation: number;
  state: ConversationState;
  token: string | null;
  tail: Promise<void>;
}

interface Tally {
  session: number;
  name: string;
  startMs: number;
  endMs: number;
  planned: number;
  sent: number;
  completed: number;
  failed: number;
}

export interface ConversationStage {
  send(k: number, scheduledMs: number): Promise<void>;
  /** The sessions this stage touched, as their lifecycles (call once the stage has drained). */
  lifecycles(): SessionLifecycle[];
}

const escapeJson = (text: string) => JSON.stringify(text).slice(1, -1);

export function createConversationStage(
  deps: ConversationRunDeps,
  stageId: number,
  indices: Uint32Array,
): ConversationStage {
  const { source } = deps;
  const apiType = deps.config.api.type === "chat" ? "chat" : "completion";
  const slots = new Map<number, Slot>();
  const tallies = new Map<number, Tally>();
  // A repeating slot (a multi-turn user) has no last turn: its session is the requests the stage sends it.
  const repeatCounts = new Map<number, number>();
  if (source.cycle === "repeat") {
    for (const index of indices) {
      const slot = index % source.slots;
      repeatCounts.set(slot, (repeatCounts.get(slot) ?? 0) + 1);
    }
  }

  function slotOf(slot: number): Slot {
    let s = slots.get(slot);
    if (s === undefined) {
      const blueprint = source.blueprint(slot, stageId);
      s = {
        blueprint,
        users: blueprint.turns.map((t) => escapeJson(t.user)),
        conversation: -1,
        state: new ConversationState(apiType, blueprint, source.maxModelLen),
        token: null,
        tail: Promise.resolve(),
      };
      slots.set(slot, s);
    }
    return s;
  }

  async function turn(slot: Slot, index: number, scheduledMs: number): Promise<void> {
    const ref = turnOf(source, index, slot.blueprint.turns.length);
    if (ref.conversation !== slot.conversation) {
      // A new conversation of this slot: a fresh session with a fresh history.
      slot.conversation = ref.conversation;
      slot.state = new ConversationState(apiType, slot.blueprint, source.maxModelLen);
      slot.token = null;
    }
    const name = conversationSessionName(source, ref.session);
    let tally = tallies.get(ref.session);
    if (tally === undefined) {
      const planned =
        source.cycle === "repeat" ? (repeatCounts.get(ref.slot) ?? 0) : slot.blueprint.turns.length;
      tally = {
        session: ref.session,
        name,
        startMs: Number.NaN,
        endMs: Number.NaN,
        planned,
        sent: 0,
        completed: 0,
        failed: 0,
      };
      tallies.set(ref.session, tally);
    }
    if (deps.stopped()) return;
    const t = slot.blueprint.turns[ref.turn]!;
    const json = slot.state.next(t, slot.users[ref.turn]);
    const built = sessionRequest(deps.config, {
      model: deps.model,
      field: json.field,
      json: json.json,
      maxTokens: t.maxTokens,
      headers: sessionHeaders(deps.headerKeys, name, slot.token),
    });
    tally.sent++;
    const result = await sendTurn(deps, {
      stageId,
      index,
      session: ref.session,
      scheduledMs,
      built,
      promptTokens: json.promptTokens,
    });
    if (Number.isNaN(tally.startMs)) tally.startMs = result.sentMs;
    tally.endMs = result.endMs;
    if (result.token !== null) slot.token = result.token;
    if (result.ok) {
      tally.completed++;
      slot.state.replied(result.reply, result.outputTokens);
      // The tool-call pause holds the conversation (and, as upstream's, the request's slot).
      if (t.afterMs > 0 && !deps.stopped()) await deps.pause(t.afterMs);
    } else {
      tally.failed++;
      slot.state.failed();
    }
  }

  // Every text of the stage's conversations is generated here, before the stage starts (the caller
  // creates the stage while it primes), so the send path only assembles prebuilt parts.
  for (const index of indices) slotOf(index % source.slots);

  return {
    send(k, scheduledMs) {
      const index = indices[k]!;
      const slot = slotOf(index % source.slots);
      const next = slot.tail.then(() => turn(slot, index, scheduledMs));
      slot.tail = next.catch(() => {});
      return next;
    },
    lifecycles() {
      return [...tallies.values()]
        .filter((t) => t.sent > 0)
        .map((t) => {
          const done = t.completed + t.failed;
          const cutShort = done < t.planned;
          return {
            stageId,
            session: t.session,
            name: t.name,
            source: source.type,
            startMs: t.startMs,
            endMs: t.endMs,
            numEvents: t.planned,
            completed: t.completed,
            failedCalls: t.failed,
            cancelled: t.planned - done,
            status: cutShort ? "cut_short" : t.failed > 0 ? "failed" : "succeeded",
            replayError: null,
          };
        });
    },
  };
}
