// Executes stages on a pool of load Workers. `openRunner` starts the Workers once; `runStage` runs one
// stage (the sweep's probe too: stage id -1, never reported) and resolves when its last request has
// finished, so every request is accounted to its own stage. Records flow pool → collector (and the
// run layer's tee, e.g. the per-request file); a stage's warnings read the collector's numbers.
// `runStages` runs a plan in order with load.interval between stages.
import { availableParallelism } from "node:os";
import { log } from "../cli/log.ts";
import { maskSecrets } from "../cli/secrets.ts";
import type { Config } from "../config/schema.ts";
import type { TraceLengths } from "../data/create.ts";
import type { ReplaySessionPlan } from "../data/replay/session-plan.ts";
import { describeStage, stageOffsets } from "../load/schedule.ts";
import { describeStagePlan, type SessionStage, type Stage, type StageInfo } from "../load/stage.ts";
import { type Slice, splitEvenly, stripeBySlot, stripeClosedLoop, stripeOffsets } from "../load/stripe.ts";
import type { Collector } from "../metrics/collector.ts";
import type { SessionCollector, SessionStageInfo } from "../metrics/session-metrics.ts";
import type { MetricsSnapshot } from "../metrics/stage-metrics.ts";
import type { RequestRecord } from "../record/record.ts";
import type { SessionLifecycle } from "../record/session.ts";
import { nowMs } from "../runtime/clock.ts";
import { traceStart } from "../runtime/start-trace.ts";
import { FNV_OFFSET, fnvFloat64, hex } from "../worker/fnv.ts";
import { type Counters, startPool, type WorkerStageResult } from "../worker/pool.ts";
import { achievedRate } from "./achieved-rate.ts";
import { builderWarning } from "./data-warning.ts";
import type { StageSequence } from "./fingerprint.ts";
import type { ProgressSample } from "./progress.ts";
import { runSessionStage } from "./session-stage.ts";
import { onStageSignals, type StageSignals } from "./stage-signals.ts";
import { stageWarnings } from "./warnings.ts";

/**
 * Head start between telling the Workers to start (their builders have their first requests built
 * by then) and the stage's first send time: the message reaches an idle Worker in about a
 * millisecond, and every send time is absolute, so a late start shows as schedule delay on the first
 * requests rather than shifting the stage (50 ms, then 10 ms before; docs/PERFORMANCE.md "Start-up").
 */
const LEAD_MS = 5;

export interface RunnerOptions {
  config: Config;
  /** The model name requests carry (server.model_name, or what the server listed). */
  model: string;
  /** Every record of every stage goes here; stageEnded's numbers come from it. */
  collector: Collector;
  /** Also sees every record, after the collector (the per-request file); main thread, off the hot path. */
  tee?: ((record: RequestRecord) => void) | undefined;
  /** data.trace lengths, read once on the main thread and handed to every Worker. */
  traceLengths?: TraceLengths | null | undefined;
  /**
   * Session workloads: where sessions' records and lifecycles go, and how requests map to sessions:
   * `replay` (trace_session_replay's corpus, replayed whole) or `conversationSlots` (conversations whose
   * turns follow the stage's schedule, request i in slot i mod slots).
   */
  sessions?:
    | (Pick<SessionCollector, "add" | "addSession" | "stageEnded"> & {
        /** The stage's sessions whose Worker never reported them (it was terminated), cut short. */
        unreported(stageId: number): SessionLifecycle[];
      })
    | undefined;
  replay?: readonly ReplaySessionPlan[] | null | undefined;
  conversationSlots?: number | null | undefined;
}

export interface RunStageOptions extends StageSignals {
  /** Keep each success's send and end time in the stage's metrics (the sweep's probe). */
  keepCompletions?: boolean | undefined;
  /**
   * Called once the Workers have been told when the stage starts, a macrotask later, so it never
   * delays that message: for main-thread work that must not hold up the start.
   */
  begun?: (() => void) | undefined;
}

export interface StageRun {
  info: StageInfo;
  /** The collector's numbers for the stage, as its report shows them. */
  metrics: MetricsSnapshot;
  /** Achieved send rate (rate and trace stages), else null. */
  achievedRate: number | null;
  peakInFlight: number;
  sequence: StageSequence;
  /** Sends that were due, with a slot, but waited for their body (the builders fell behind). */
  waitedForBody: number;
  /** When some did: the warning naming the generator and the rate its builders sustained. */
  builderWarning: string | null;
}

export interface Runner {
  readonly workers: number;
  runStage(stage: Stage, options?: RunStageOptions): Promise<StageRun>;
  /** Live counters of the current stage, for the progress line. */
  progress(): ProgressSample;
  close(): void;
}

export async function openRunner(options: RunnerOptions): Promise<Runner> {
  const { config } = options;
  // num_workers 0 is inference-perf's single-process mode; one Worker gives the same behaviour.
  const workers = Math.max(1, config.load.num_workers);
  const { collector, tee, sessions } = options;
  let sessionListener: ((lifecycles: readonly SessionLifecycle[]) => void) | null = null;
  const pool = await startPool({
    config,
    model: options.model,
    workers,
    traceLengths: options.traceLengths,
    replay: options.replay,
    onRecords: (records) => {
      for (const r of records) {
        // A server may echo the key it refused: its messages reach reports and files masked.
        if (r.errorMessage !== "") r.errorMessage = maskSecrets(r.errorMessage);
        collector.add(r);
        sessions?.add(r);
        tee?.(r);
      }
    },
    onSessions: (lifecycles) => {
      for (const l of lifecycles) sessions?.addSession(l);
      sessionListener?.(lifecycles);
    },
  });
  const conversationSlots = options.conversationSlots ?? null;
  let current = { stageId: 0, t0Ms: nowMs(), totalS: null as number | null, base: pool.counters() };

  /**
   * Every kind of stage ends the same way: Workers that had to be terminated are named, the collector
   * closes the stage's numbers, and the session collector its sessions (those a terminated Worker never
   * reported count as cut short).
   */
  function endStage(
    info: StageInfo,
    results: readonly WorkerStageResult[],
    sessionFacts: Omit<SessionStageInfo, "stageId" | "status" | "startMs" | "endMs">,
  ): MetricsSnapshot {
    for (const r of results) {
      if (r.terminated)
        log.warn(
          `Stage ${info.id}: Worker ${r.workerId} did not stop within the grace period and was terminated; its ${r.lost} unfinished requests are recorded as cancelled${sessions === undefined ? "" : " and its sessions as cut short"}`,
        );
    }
    const { metrics } = collector.stageEnded(info);
    for (const l of sessions?.unreported(info.id) ?? []) sessions?.addSession(l);
    sessions?.stageEnded({
      stageId: info.id,
      status: info.status,
      startMs: info.startMs,
      endMs: info.endMs,
      ...sessionFacts,
    });
    return metrics;
  }

  /**
   * Samples the requests in flight every 50 ms while a stage runs. `peak(completed)` is the highest
   * seen, and at least 1 once a request completed (a stage shorter than one sample still had one).
   */
  function samplePeakInFlight() {
    let peak = 0;
    const timer = setInterval(() => {
      peak = Math.max(peak, pool.counters().inFlight);
    }, 50);
    return {
      peak: (completed: number) => Math.max(peak, completed > 0 ? 1 : 0),
      stop: () => clearInterval(timer),
    };
  }

  async function runStage(stage: Stage, opts: RunStageOptions = {}): Promise<StageRun> {
    if (stage.kind === "session") return sessionStage(stage, opts);
    const offsets = stageOffsets(stage, config.load.base_seed);
    const offsetsHash = offsets === null ? "closed-loop" : hex(fnvFloat64(FNV_OFFSET, offsets));
    const lastOffsetMs = offsets !== null && offsets.length > 0 ? offsets[offsets.length - 1]! : 0;
    let slices: Slice[];
    let slots: number[];
    if (stage.kind === "closed") {
      // Conversations keep every turn of a conversation on one Worker (its slot's), in order.
      slices =
        conversationSlots === null
          ? stripeClosedLoop(stage.numRequests, stage.concurrency, workers)
          : stripeBySlot(stage.numRequests, null, conversationSlots, workers);
      slots = splitEvenly(stage.concurrency, workers);
    } else if (offsets !== null) {
      slices =
        conversationSlots === null
          ? stripeOffsets(offsets, workers)
          : stripeBySlot(offsets.length, offsets, conversationSlots, workers);
      // worker_max_concurrency 0 would deadlock inference-perf; here it means "no per-worker bound".
      const perWorker = config.load.worker_max_concurrency > 0 ? config.load.worker_max_concurrency : 1e9;
      slots = new Array(workers).fill(perWorker);
    } else throw new RangeError(`Stage ${stage.id} has no send offsets`);
    const perWorkerPeak = Math.max(...slots);
    if (
      perWorkerPeak > config.load.worker_max_tcp_connections &&
      stage.numRequests > config.load.worker_max_tcp_connections
    ) {
      // As in inference-perf, the connection limit wins; say so, since it caps the concurrency asked for.
      log.warn(
        `Stage ${stage.id}: up to ${Math.min(perWorkerPeak, stage.numRequests)} requests per worker may be in flight but load.worker_max_tcp_connections is ${config.load.worker_max_tcp_connections}: the rest wait for a connection (raise it, or load.num_workers)`,
      );
    }
    await pool.whenReady(); // a Worker terminated in an earlier stage is being replaced
    const description = describeStagePlan(stage);
    const durationS = stage.kind === "closed" ? null : stage.durationS;
    const totalS = durationS ?? (offsets === null ? null : lastOffsetMs / 1000);
    // Set when every Worker's builder has its head start (pool.runStage calls `begin`).
    let t0Ms = Number.NaN;
    const inFlight = samplePeakInFlight();

    // Grace period: after the schedule's end (or an interrupt) requests in flight get
    // load.stage_teardown_grace_seconds to finish, then are cancelled.
    const graceMs = config.load.stage_teardown_grace_seconds * 1000;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const startGrace = (fromMs: number) => {
      clearTimeout(graceTimer);
      graceTimer = setTimeout(() => pool.cancel(), Math.max(0, fromMs - nowMs()) + graceMs);
    };
    let stopping = false;
    const begin = (): number => {
      t0Ms = nowMs() + LEAD_MS;
      traceStart("main", "stage-started");
      collector.stageStarted(
        { ...description, startMs: t0Ms, endMs: Number.NaN, status: "completed" },
        { keepCompletions: opts.keepCompletions },
      );
      current = { stageId: stage.id, t0Ms, totalS, base: pool.counters() };
      if (offsets !== null && !stopping) startGrace(t0Ms + Math.max(lastOffsetMs, (durationS ?? 0) * 1000));
      if (opts.begun !== undefined) setTimeout(opts.begun, 0);
      return t0Ms;
    };
    const unlisten = onStageSignals(opts, {
      stop: () => {
        stopping = true;
        pool.stop();
        startGrace(nowMs());
      },
      hard: () => pool.cancel(),
      fail: () => {
        pool.stop();
        pool.cancel();
      },
    });

    try {
      traceStart("main", "stage-posted");
      const results = await pool.runStage(stage.id, slices, slots, begin);
      const failed = opts.failSignal?.aborted === true;
      const info: StageInfo = {
        ...description,
        startMs: t0Ms,
        endMs: nowMs(),
        status: failed ? "failed" : opts.signal?.aborted ? "interrupted" : "completed",
        ...(failed ? { reason: String(opts.failSignal?.reason) } : {}),
      };
      const metrics = endStage(info, results, {
        timeoutS: null,
        concurrentSessions: stage.kind === "closed" ? stage.concurrency : null,
        sessionRate: null,
        pending: 0,
      });
      return {
        info,
        metrics,
        achievedRate: stage.kind === "closed" ? null : achievedRate(metrics, t0Ms, stage.rate, lastOffsetMs),
        peakInFlight: inFlight.peak(metrics.count),
        sequence: { stageId: stage.id, offsets: offsetsHash, workers: results.map((r) => r.sequenceHash) },
        waitedForBody: results.reduce((n, r) => n + r.waitedForBody, 0),
        builderWarning: builderWarning({
          stageId: stage.id,
          dataType: config.data.type,
          requestedRate: stage.kind === "closed" ? null : stage.rate,
          sent: results.reduce((n, r) => n + r.sent, 0),
          waitedForBody: results.reduce((n, r) => n + r.waitedForBody, 0),
          builders: results,
        }),
      };
    } finally {
      inFlight.stop();
      clearTimeout(graceTimer);
      unlisten();
    }
  }

  async function sessionStage(stage: SessionStage, opts: RunStageOptions): Promise<StageRun> {
    await pool.whenReady(); // a Worker terminated in an earlier stage is being replaced
    const t0Ms = nowMs() + LEAD_MS;
    const description = describeStagePlan(stage);
    collector.stageStarted({ ...description, startMs: t0Ms, endMs: Number.NaN, status: "completed" });
    current = { stageId: stage.id, t0Ms, totalS: stage.timeoutS, base: pool.counters() };
    if (opts.begun !== undefined) setTimeout(opts.begun, 0);
    const inFlight = samplePeakInFlight();
    try {
      const run = await runSessionStage({
        pool,
        config,
        stage,
        t0Ms,
        listen: (listener) => {
          sessionListener = listener;
        },
        signal: opts.signal,
        hardSignal: opts.hardSignal,
        failSignal: opts.failSignal,
      });
      const info: StageInfo = {
        ...description,
        startMs: t0Ms,
        endMs: run.endMs,
        status: run.status,
        ...(run.status === "failed" ? { reason: String(opts.failSignal?.reason) } : {}),
      };
      const metrics = endStage(info, run.results, {
        timeoutS: stage.timeoutS,
        concurrentSessions: stage.concurrentSessions,
        sessionRate: stage.sessionRate,
        pending: run.pending,
      });
      return {
        info,
        metrics,
        achievedRate: null,
        peakInFlight: inFlight.peak(metrics.count),
        sequence: { stageId: stage.id, offsets: "sessions", workers: run.results.map((r) => r.sequenceHash) },
        // Session requests are assembled by the Workers that send them, not by builders.
        waitedForBody: 0,
        builderWarning: null,
      };
    } finally {
      inFlight.stop();
    }
  }

  return {
    workers,
    runStage,
    progress() {
      const now = pool.counters();
      return {
        ...diff(now, current.base),
        inFlight: now.inFlight,
        elapsedS: Math.max(0, (nowMs() - current.t0Ms) / 1000),
        totalS: current.totalS,
        stageId: current.stageId,
      };
    },
    close: () => pool.close(),
  };
}

function diff(a: Counters, b: Counters): Omit<Counters, "inFlight"> {
  return { sent: a.sent - b.sent, done: a.done - b.done, failed: a.failed - b.failed };
}

/** What `runStages` reports to its caller as stages begin and end; a returned promise is awaited. */
export interface StageHooks {
  /** Just before the stage is handed to the Workers (server metrics take their baseline here). */
  stageStarting?(stage: Stage): void | Promise<void>;
  /** Once the Workers know the stage's start time (RunStageOptions.begun). */
  stageBegun?(stage: Stage): void;
  stageEnded?(run: StageRun): void | Promise<void>;
}

/** The signals as for one stage; `failSignal` also skips the stages after it. */
export interface RunStagesOptions extends StageHooks, StageSignals {}

/** Runs the stages in order, load.interval seconds apart; stops early on `signal`. */
export async function runStages(
  runner: Runner,
  config: Config,
  stages: readonly Stage[],
  options: RunStagesOptions = {},
): Promise<{ runs: StageRun[]; interrupted: boolean }> {
  const runs: StageRun[] = [];
  for (const [i, stage] of stages.entries()) {
    if (options.signal?.aborted || options.failSignal?.aborted) break;
    log.info(describeStage(stage));
    await options.stageStarting?.(stage);
    const run = await runner.runStage(stage, {
      signal: options.signal,
      hardSignal: options.hardSignal,
      failSignal: options.failSignal,
      begun: options.stageBegun === undefined ? undefined : () => options.stageBegun?.(stage),
    });
    runs.push(run);
    await options.stageEnded?.(run);
    if (run.builderWarning !== null) log.warn(run.builderWarning);
    if (
      (stage.kind === "rate" || stage.kind === "trace") &&
      run.achievedRate !== null &&
      run.info.status === "completed"
    ) {
      const lines = stageWarnings({
        stageId: stage.id,
        requestedRate: stage.rate,
        achievedRate: run.achievedRate,
        medianDelayMs: run.metrics.medianScheduleDelayS * 1000,
        numWorkers: runner.workers,
        workerMaxConcurrency: config.load.worker_max_concurrency,
        peakInFlight: run.peakInFlight,
        cpus: availableParallelism(),
      });
      for (const line of lines) log.warn(line);
    }
    if (i < stages.length - 1 && config.load.interval > 0 && options.failSignal?.aborted !== true)
      await sleep(config.load.interval * 1000, options.signal);
  }
  return { runs, interrupted: options.signal?.aborted === true };
}

/** Waits `ms`, or until `signal` aborts; at once when it already has (an interrupt during the stage). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done);
  });
}
