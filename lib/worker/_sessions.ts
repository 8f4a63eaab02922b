// The load Worker's session side, kept out of entry.ts so the entry stays about scheduling: the
// conversation source of a conversation workload (its own slots only), and the replay runner of a
// session stage. The entry calls these on its messages.
import { sessionHeaderKeys } from "../api/session-request.ts";
import type { Config } from "../config/schema.ts";
import type { ConversationSource } from "../data/conversation.ts";
import { slotWorker } from "../data/conversation.ts";
import { createConversationSource, sessionWorkload } from "../data/create-sessions.ts";
import type { ReplaySessionPlan } from "../data/replay/session-plan.ts";
import type { Tokenizer } from "../data/types.ts";
import type { SessionLifecycle } from "../record/session.ts";
import { type ConversationStage, createConversationStage } from "./conversation-turns.ts";
import { createReplayRunner, type ReplayRunner } from "./replay-runner.ts";
import { Semaphore } from "./semaphore.ts";
import type { TurnDeps } from "./send-turn.ts";

export interface WorkerSessions {
  /** A conversation workload's source (this Worker's slots built), else null. */
  readonly conversation: ConversationSource | null;
  conversationStage(
    deps: TurnDeps,
    stageId: number,
    indices: Uint32Array,
    stopped: () => boolean,
  ): ConversationStage;
  /** A replay session stage: a runner whose sessions report through `onDone`. */
  replayStage(
    deps: TurnDeps,
    stageId: number,
    slots: number,
    onDone: (l: SessionLifecycle) => void,
  ): ReplayRunner;
  plan(index: number): ReplaySessionPlan;
  /** Ends every tool-call pause at once (stop, cancel). */
  wakePauses(): void;
}

export function workerSessions(
  config: Config,
  opts: {
    workerId: number;
    tokenizer: Tokenizer;
    model: string;
    replay: readonly { index: number; plan: ReplaySessionPlan }[] | null;
  },
): WorkerSessions {
  const workload = sessionWorkload(config);
  const workers = Math.max(1, config.load.num_workers);
  const conversation =
    workload === "multi_turn" || workload === "conversation_replay"
      ? createConversationSource(config, {
          tokenizer: opts.tokenizer,
          baseSeed: config.load.base_seed,
          wanted: (slot) => slotWorker(slot, workers) === opts.workerId,
        })
      : null;
  const plans = new Map((opts.replay ?? []).map((r) => [r.index, r.plan]));
  const replayConfig = config.data.otel_trace_replay ?? config.data.weka_trace_replay ?? null;
  const headerKeys = sessionHeaderKeys(config.api);
  const pauses = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pauses.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pauses.add(done);
    });
  return {
    conversation,
    conversationStage(deps, stageId, indices, stopped) {
      if (conversation === null) throw new RangeError("Not a conversation workload");
      return createConversationStage(
        { ...deps, model: opts.model, source: conversation, headerKeys, stopped, pause },
        stageId,
        indices,
      );
    },
    replayStage(deps, stageId, slots, onDone) {
      const timeoutS = replayConfig?.predecessor_wait_timeout_sec ?? 3600;
      const otel = config.data.otel_trace_replay;
      return createReplayRunner(
        {
          ...deps,
          model: opts.model,
          headerKeys,
          slots: new Semaphore(slots),
          substitute: otel?.disable_output_substitution !== true,
          useRecorded:
            config.data.type === "otel_trace_replay" && otel?.bad_tool_call_handling === "use_recorded",
          predecessorTimeoutMs: timeoutS > 0 ? timeoutS * 1000 : null,
          onDone,
        },
        stageId,
      );
    },
    plan(index) {
      const found = plans.get(index);
      if (found === undefined) throw new RangeError(`Session ${index} is not one of this Worker's`);
      return found;
    },
    wakePauses() {
      for (const done of [...pauses]) done();
    },
  };
}
