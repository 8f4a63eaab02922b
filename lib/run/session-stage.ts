// A session stage on the pool (trace_session_replay): the main thread decides when each session starts
// (at most concurrent_sessions at once, at most session_rate per second; load/session-dispatch.ts), the
// Worker that owns it replays it and reports it when it ends. One message per session each way, none
// per request. The stage ends when every session has ended, or at its timeout or an interrupt (no new
// session or call starts; calls in flight get the teardown grace period, then are cancelled).
import type { Config } from "../config/schema.ts";
import { createSessionDispatcher } from "../load/session-dispatch.ts";
import type { SessionStage, StageStatus } from "../load/stage.ts";
import type { SessionLifecycle } from "../record/session.ts";
import { nowMs } from "../runtime/clock.ts";
import type { Pool, WorkerStageResult } from "../worker/pool.ts";
import { onStageSignals, type StageSignals } from "./stage-signals.ts";

export interface SessionStageRun {
  status: StageStatus;
  /** Sessions that never started (the stage ended first). */
  pending: number;
  results: WorkerStageResult[];
  endMs: number;
}

export interface SessionStageOptions extends StageSignals {
  pool: Pool;
  config: Config;
  stage: SessionStage;
  t0Ms: number;
  /** The runner hands each arriving lifecycle here while the stage runs. */
  listen: (listener: ((lifecycles: readonly SessionLifecycle[]) => void) | null) => void;
}

export async function runSessionStage(opts: SessionStageOptions): Promise<SessionStageRun> {
  const { pool, config, stage, t0Ms } = opts;
  // worker_max_concurrency 0 means no per-worker bound here (as for rate stages).
  const slots = config.load.worker_max_concurrency > 0 ? config.load.worker_max_concurrency : 1e9;
  const failed = pool.startSessionStage(stage.id, t0Ms, slots);
  const dispatcher = createSessionDispatcher({
    total: stage.sessionCount,
    concurrentSessions: stage.concurrentSessions,
    sessionRate: stage.sessionRate,
    t0Ms,
  });
  let active = 0;
  let status: StageStatus = "completed";
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timeoutTimer: ReturnType<typeof setTimeout> | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const graceMs = config.load.stage_teardown_grace_seconds * 1000;
  let unlisten = () => {};

  const done = new Promise<void>((resolve, reject) => {
    failed.catch(reject);
    const tick = () => {
      clearTimeout(timer);
      timer = undefined;
      const now = nowMs();
      if (!stopped) {
        const n = dispatcher.take(now, active);
        const first = stage.firstSession + dispatcher.started - n;
        for (let k = 0; k < n; k++) {
          pool.startSession(stage.id, first + k, now);
          active++;
        }
      }
      if (active === 0 && (stopped || dispatcher.remaining === 0)) return resolve();
      if (!stopped && dispatcher.remaining > 0) {
        const next = dispatcher.nextSlotMs();
        if (Number.isFinite(next) && next > now) timer = setTimeout(tick, next - now);
      }
    };
    opts.listen((lifecycles) => {
      for (const l of lifecycles) if (l.stageId === stage.id) active--;
      tick();
    });
    const stop = (why: StageStatus) => {
      if (stopped) return;
      stopped = true;
      status = why;
      pool.stop();
      graceTimer = setTimeout(() => pool.cancel(), graceMs);
      tick();
    };
    unlisten = onStageSignals(opts, {
      stop: () => stop("interrupted"),
      hard: () => pool.cancel(),
      // A circuit breaker opened: the stage ends at once, "failed" (requests in flight are cancelled).
      fail: () => {
        stop("failed");
        pool.cancel();
      },
    });
    if (stage.timeoutS !== null) {
      timeoutTimer = setTimeout(() => stop("timed_out"), Math.max(0, t0Ms + stage.timeoutS * 1000 - nowMs()));
    }
    timer = setTimeout(tick, Math.max(0, t0Ms - nowMs()));
  });

  try {
    await done;
    const results = await pool.endSessionStage(stage.id);
    return { status, pending: dispatcher.remaining, results, endMs: nowMs() };
  } finally {
    clearTimeout(timer);
    clearTimeout(timeoutTimer);
    clearTimeout(graceTimer);
    unlisten();
    opts.listen(null);
  }
}
