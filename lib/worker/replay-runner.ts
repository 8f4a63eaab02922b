// A Worker's share of a session stage (trace_session_replay): each session it is told to start runs its
// call graph (load/session-progress.ts) on timers: a call goes once its predecessors have finished and
// its think time has passed, takes a slot (worker_max_concurrency), sends a body assembled from its
// prebuilt messages and its predecessors' live replies, and when the session settles its lifecycle goes
// to the main thread. Between bytes arriving and their stamp nothing here runs: a call's body is built
// when it is due, after the replies it needs were stamped and joined.
import { anthropicSessionRequest, createAnthropicMemo } from "../api/anthropic-replay.ts";
import { messagesJson, replayMessages, type SentCall } from "../api/replay-messages.ts";
import { type SessionHeaderKeys, sessionHeaders, sessionRequest } from "../api/session-request.ts";
import type { ReplaySessionPlan } from "../data/replay/session-plan.ts";
import { SessionProgress } from "../load/session-progress.ts";
import type { SessionLifecycle } from "../record/session.ts";
import { nowMs } from "../runtime/clock.ts";
import type { Semaphore } from "./semaphore.ts";
import { sendTurn, type TurnDeps } from "./send-turn.ts";

export interface ReplayRunDeps extends TurnDeps {
  /** The run's model, for calls that name none. */
  model: string;
  headerKeys: SessionHeaderKeys;
  slots: Semaphore;
  /** Send predecessors' live replies in place of the recorded ones (not disable_output_substitution). */
  substitute: boolean;
  /** bad_tool_call_handling "use_recorded": malformed live tool calls give way to the recorded message. */
  useRecorded?: boolean | undefined;
  /** predecessor_wait_timeout_sec in ms; null waits forever. */
  predecessorTimeoutMs: number | null;
  onDone: (lifecycle: SessionLifecycle) => void;
}

export interface ReplayRunner {
  /** Starts session `index` (its number in the corpus) as of `atMs`. */
  start(index: number, plan: ReplaySessionPlan, atMs: number): void;
  /** Start no more calls; running calls finish and their sessions end cut short. */
  stop(): void;
  /** Resolves once no session of this runner is running. */
  idle(): Promise<void>;
  readonly running: number;
}

export function createReplayRunner(deps: ReplayRunDeps, stageId: number): ReplayRunner {
  const live = new Set<{ stop(): void }>();
  let stopped = false;
  let waiters: (() => void)[] = [];

  function settled(run: { stop(): void }): void {
    live.delete(run);
    if (live.size === 0) {
      const wake = waiters;
      waiters = [];
      for (const w of wake) w();
    }
  }

  function start(index: number, plan: ReplaySessionPlan, atMs: number): void {
    const progress = new SessionProgress(
      { predecessors: plan.calls.map((c) => c.predecessors), waitMs: plan.calls.map((c) => c.waitMs) },
      atMs,
      { predecessorTimeoutMs: deps.predecessorTimeoutMs },
    );
    const sent: SentCall[] = plan.calls.map(() => ({ groups: null, reply: null }));
    const recordedFor = new Set<string>();
    // Anthropic Messages: each distinct message converted once per session (every call resends the history).
    const anthropic = deps.config.api.type === "anthropic_messages" ? createAnthropicMemo() : null;
    const eventName = (j: number) => `${plan.id}:${plan.calls[j]!.eventId}`;
    let token: string | null = null;
    let lastEndMs = atMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let finished = false;
    const run = {
      stop() {
        progress.stop();
        pump();
      },
    };

    function pump(): void {
      if (finished) return;
      clearTimeout(timer);
      timer = undefined;
      for (const i of progress.takeDue(nowMs())) void launch(i);
      if (progress.settled) {
        finish();
        return;
      }
      const wake = progress.nextWakeMs();
      if (Number.isFinite(wake)) timer = setTimeout(pump, Math.max(0, wake - nowMs()));
    }

    async function launch(i: number): Promise<void> {
      const scheduledMs = progress.dueMs(i);
      if (!deps.slots.tryAcquire()) await deps.slots.acquire();
      if (stopped) {
        deps.slots.release();
        progress.abandoned(i);
        pump();
        return;
      }
      const call = plan.calls[i]!;
      const assembly = replayMessages(call, (j) => sent[j], {
        substitute: deps.substitute,
        useRecorded: deps.useRecorded,
        eventName,
      });
      for (const j of assembly.recordedFor) recordedFor.add(plan.calls[j]!.eventId);
      if (assembly.failure !== null) {
        // Not sent: the call fails its session, as upstream's skipped event does.
        deps.slots.release();
        progress.finished(i, nowMs(), false, assembly.failure);
        pump();
        return;
      }
      const groups = assembly.groups;
      sent[i]!.groups = groups;
      const headers = { ...call.headers, ...sessionHeaders(deps.headerKeys, plan.id, token) };
      const model = call.model ?? deps.model;
      const built =
        anthropic === null
          ? sessionRequest(deps.config, {
              model,
              field: "messages",
              json: messagesJson(groups),
              maxTokens: call.maxTokens,
              ignoreEos: call.ignoreEos,
              extra: call.extra,
              headers,
            })
          : anthropicSessionRequest(
              deps.config,
              { model, groups, maxTokens: call.maxTokens, extra: call.anthropicExtra, headers },
              anthropic,
            );
      const result = await sendTurn(deps, {
        stageId,
        index: i,
        session: index,
        scheduledMs,
        built,
        promptTokens: call.inputTokens,
      });
      deps.slots.release();
      sent[i]!.reply = result.ok ? result.reply : null;
      sent[i]!.toolCalls = result.toolCalls;
      if (result.token !== null) token = result.token;
      lastEndMs = Math.max(lastEndMs, result.endMs);
      progress.finished(i, result.endMs, result.ok);
      pump();
    }

    function finish(): void {
      finished = true;
      clearTimeout(timer);
      const failure = progress.failure;
      const outcome = progress.outcome;
      deps.onDone({
        stageId,
        session: index,
        name: plan.id,
        source: plan.source,
        startMs: atMs,
        endMs: Math.max(lastEndMs, outcome === "cut_short" ? nowMs() : lastEndMs),
        numEvents: plan.calls.length,
        completed: progress.completed,
        failedCalls: progress.failedCalls,
        cancelled: progress.notStarted,
        status: outcome === "succeeded" ? "succeeded" : outcome === "failed" ? "failed" : "cut_short",
        // A request's own error reaches the report from its record; only replay causes are named here.
        replayError: failure !== null && failure !== "request failed" ? failure : null,
        ...(plan.calls.some((c) => c.labels !== null) ? { callLabels: plan.calls.map((c) => c.labels) } : {}),
        ...(recordedFor.size > 0 ? { recordedSubstitutions: [...recordedFor].sort() } : {}),
      });
      settled(run);
    }

    live.add(run);
    if (stopped) progress.stop();
    pump();
  }

  return {
    start,
    stop() {
      stopped = true;
      for (const run of [...live]) run.stop();
    },
    idle() {
      if (live.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    get running() {
      return live.size;
    },
  };
}
