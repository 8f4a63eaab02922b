// Main-thread side of the Workers: start num_workers load Workers, each with its own builder Worker
// (joined by a MessageChannel: the builder makes the requests, the load Worker only sends, reads and
// stamps) unless the workload is one of sessions, whose load Workers build each turn themselves (a
// turn depends on the replies before it), hand each its slice of a stage, turn their batches into records for the caller, and stop
// them. Never waits on the caller's
// handling of records beyond the synchronous callback. A Worker that does not answer a cancel
// within `cancelWaitMs` (frozen on something) is terminated: its stage ends with the records the
// main thread has, the requests it took with it are recorded as cancelled (lost.ts), and a fresh
// Worker (with a fresh builder: the old one is terminated with it) takes its place for later stages.
// In a session stage such a Worker's unreported sessions are reported cut short from what the main
// thread saw of them.

import { availableParallelism } from "node:os";
import { UserError } from "../cli/errors.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import type { Config } from "../config/schema.ts";
import type { TraceLengths } from "../data/create.ts";
import { sessionWorkload } from "../data/create-sessions.ts";
import type { ReplaySessionPlan } from "../data/replay/session-plan.ts";
import type { Slice } from "../load/stripe.ts";
import type { RequestRecord } from "../record/record.ts";
import type { SessionLifecycle } from "../record/session.ts";
import { nowMs } from "../runtime/clock.ts";
import { ENGINE_THREADS, lowerThreadPriority } from "../runtime/thread-nice.ts";
import { shortenThreadSlices } from "../runtime/thread-slice.ts";
import { readBatch } from "./batch.ts";
import { lostCalls, lostRecords } from "./lost.ts";
import { discardPrespawned, takeWorker } from "./prespawn.ts";
import {
  type BuilderInit,
  COUNTER_DONE,
  COUNTER_FAILED,
  COUNTER_IN_FLIGHT,
  COUNTER_SENT,
  COUNTER_SLOTS,
  COUNTER_STOP,
  type FromWorker,
  type StageDone,
  type ToWorker,
} from "./protocol.ts";
import {
  createSendClock,
  engineYieldWanted,
  type SendClock,
  stepAside,
  stepAsideWanted,
} from "./send-clock.ts";

/** The threads that wake for send times: each load Worker and its waker (their Worker names). */
const SENDING_THREADS = ["load", "wake"] as const;

/** How often the engine's new compiler threads are found and lowered (a listing costs ~0.1 ms). */
const ENGINE_YIELD_EVERY_MS = 500;

/** Records folded in between two checks of the send clocks (each costs the main thread 10-40 µs). */
const RECORDS_BETWEEN_STEPS = 2;

export interface PoolOptions {
  config: Config;
  model: string;
  workers: number;
  /** Receives every record as its batch arrives (main thread, synchronous). */
  onRecords: (records: RequestRecord[]) => void;
  /** How long a Worker may take to start (load its tokenizer and data). */
  startTimeoutMs?: number;
  /** data.trace lengths read once here, so Workers do not each re-read the file. */
  traceLengths?: TraceLengths | null | undefined;
  /** How long a Worker has to finish its stage after a cancel before it is terminated. */
  cancelWaitMs?: number;
  /** The Worker entry; tests pass one that misbehaves. Default: the load Worker. */
  entry?: URL;
  /** trace_session_replay: the corpus in replay order; session i is replayed by Worker i mod workers. */
  replay?: readonly ReplaySessionPlan[] | null | undefined;
  /** Receives sessions as they end (main thread, synchronous). */
  onSessions?: ((lifecycles: SessionLifecycle[]) => void) | undefined;
}

/** A Worker answers a cancel within milliseconds unless something holds its thread. */
const CANCEL_WAIT_MS = 1000;

/** A Worker's stage: its own account (StageDone), or what the main thread saw of a terminated one. */
export interface WorkerStageResult extends Omit<StageDone, "type" | "stageId"> {
  /** The Worker did not finish after a cancel and was terminated. */
  terminated: boolean;
  /** Requests recorded as lost because the Worker was terminated. */
  lost: number;
}

export interface Counters {
  sent: number;
  done: number;
  failed: number;
  inFlight: number;
}

export interface Pool {
  readonly size: number;
  /**
   * Runs one stage: slices[i] and slots[i] go to worker i. Once every worker's builder has a head start
   * (its first requests built), `begin()` is called for the stage start t0 (ms, shared clock), which
   * the workers then schedule from. Resolves when every worker has drained.
   */
  runStage(
    stageId: number,
    slices: readonly Slice[],
    slots: readonly number[],
    begin: () => number,
  ): Promise<WorkerStageResult[]>;
  /** Resolves once every Worker is up (a terminated one is replaced before the next stage). */
  whenReady(): Promise<void>;
  /**
   * A session stage: every Worker gets ready (`slots` requests in flight each); sessions follow. The
   * promise never resolves: it rejects if a Worker fails while the stage runs.
   */
  startSessionStage(stageId: number, t0Ms: number, slots: number): Promise<never>;
  /** Starts corpus session `index` on its Worker (index mod workers) as of `atMs`. */
  startSession(stageId: number, index: number, atMs: number): void;
  /** No more sessions this stage; resolves once every Worker's running sessions have settled. */
  endSessionStage(stageId: number): Promise<WorkerStageResult[]>;
  /** Stop scheduling; requests in flight finish. */
  stop(): void;
  /** Abort requests in flight (recorded as cancelled); Workers that do not finish in time are terminated. */
  cancel(): void;
  counters(): Counters;
  close(): void;
}

/** The stage being run: enough to account for a Worker that has to be terminated. */
interface RunningStage {
  id: number;
  /** NaN until every Worker is primed and begin() has given the start. */
  t0Ms: number;
  begin: () => number;
  primed: number;
  /** Copies of the slices (the originals are transferred to the Workers); null in a session stage. */
  slices: Slice[] | null;
  sessions: SessionBook | null;
  /** Each Worker's sent counter when the stage started. */
  sentBase: number[];
  /** received[index] = 1 once the record of schedule index `index` has arrived. */
  received: Uint8Array;
  results: (WorkerStageResult | undefined)[];
  resolve: (results: WorkerStageResult[]) => void;
  reject: (error: Error) => void;
  terminateTimer: ReturnType<typeof setTimeout> | undefined;
}

/** What the main thread knows of a session stage's sessions, per Worker, until each is reported. */
interface SessionBook {
  /** open[i]: corpus index → start time of the sessions Worker i runs and has not reported yet. */
  open: Map<number, number>[];
  /** Per corpus index: calls whose records arrived, ended well and not. */
  calls: Map<number, { ok: number; failed: number }>;
  /** receivedBy[i]: records of this stage that arrived from Worker i. */
  receivedBy: number[];
  /** endSessionStage was asked: every Worker without a result now owes only its stageDone. */
  ending: boolean;
}

export async function startPool(opts: PoolOptions): Promise<Pool> {
  const counterBuffers: Int32Array[] = [];
  /**
   * Each load Worker's announced send time (send-clock.ts), when every thread of the client shares
   * one core (its CPU affinity allows one): this thread and the builders step aside around them.
   * With more cores the kernel spreads the threads, and stepping aside would only cost them time.
   */
  const sendClocks: SendClock[] = [];
  const stepsAside = stepAsideWanted(availableParallelism());
  /** The engine's compiler threads yield to the sends (send-clock.ts `engineYieldWanted`). */
  const enginesYield = engineYieldWanted(availableParallelism(), opts.config.load);
  /** Lowers them again every half second from the first stage on: the engine starts them as it needs them. */
  let engineYieldTimer: ReturnType<typeof setInterval> | undefined;
  const workers: Worker[] = [];
  /** kills[i] terminates workers[i] and its builder (if any), and drops whatever they still send. */
  const kills: (() => void)[] = [];
  /** Each Worker's start; a replacement's is awaited before the next stage. */
  const ready: Promise<void>[] = [];
  let stage: RunningStage | null = null;
  let failure: Error | null = null;
  const cancelWaitMs = opts.cancelWaitMs ?? CANCEL_WAIT_MS;
  const streamed = opts.config.api.streaming;
  // A session workload's builders would have nothing to build: none is started, and the one started
  // before the config was read is ended now, so its thread does not compete with the Workers' start.
  const withBuilders = sessionWorkload(opts.config) === null;
  if (!withBuilders) discardPrespawned("build");

  function fail(error: Error): void {
    failure ??= error;
    stage?.reject(error);
  }

  function onBatch(records: RequestRecord[]): void {
    if (stage !== null) {
      const { id, received, sessions } = stage;
      if (sessions === null) {
        for (const r of records) if (r.stageId === id && r.index < received.length) received[r.index] = 1;
      } else {
        for (const r of records) {
          if (r.stageId !== id) continue;
          sessions.receivedBy[r.workerId] = (sessions.receivedBy[r.workerId] ?? 0) + 1;
          let calls = sessions.calls.get(r.session);
          if (calls === undefined) sessions.calls.set(r.session, (calls = { ok: 0, failed: 0 }));
          if (r.failure === null) calls.ok++;
          else calls.failed++;
        }
      }
    }
    // A few records at a time, stepping aside whenever a Worker's send is imminent (send-clock.ts), so
    // a batch folded in on the load Worker's core does not hold it through a send time.
    if (!stepsAside) opts.onRecords(records);
    else {
      for (let i = 0; i < records.length; i += RECORDS_BETWEEN_STEPS) {
        stepAside(sendClocks, nowMs);
        opts.onRecords(
          i === 0 && records.length <= RECORDS_BETWEEN_STEPS
            ? records
            : records.slice(i, i + RECORDS_BETWEEN_STEPS),
        );
      }
    }
  }

  function onSessions(lifecycles: SessionLifecycle[]): void {
    const book = stage?.sessions;
    if (book !== null && book !== undefined) {
      for (const l of lifecycles) {
        if (l.stageId !== stage?.id) continue;
        book.open[l.session % workers.length]?.delete(l.session);
        book.calls.delete(l.session);
      }
    }
    opts.onSessions?.(lifecycles);
  }

  /** A session its Worker can no longer report (it was terminated): cut short, as far as records show. */
  function cutShort(stageId: number, index: number, startMs: number, atMs: number): SessionLifecycle {
    const plan = opts.replay?.[index];
    const calls = stage?.sessions?.calls.get(index) ?? { ok: 0, failed: 0 };
    const numEvents = plan?.calls.length ?? calls.ok + calls.failed;
    return {
      stageId,
      session: index,
      name: plan?.id ?? `session_${index}`,
      source: plan?.source ?? "",
      startMs,
      endMs: Math.max(startMs, atMs),
      numEvents,
      completed: calls.ok,
      failedCalls: calls.failed,
      // Calls in flight when the Worker was terminated count here: they never ended.
      cancelled: Math.max(0, numEvents - calls.ok - calls.failed),
      status: calls.failed > 0 ? "failed" : "cut_short",
      replayError: null,
    };
  }

  function workerDone(result: WorkerStageResult): void {
    const current = stage;
    if (current === null || current.results[result.workerId] !== undefined) return;
    current.results[result.workerId] = result;
    if (current.results.filter(Boolean).length === workers.length) {
      stage = null;
      clearTimeout(current.terminateTimer);
      current.resolve(current.results as WorkerStageResult[]);
    }
  }

  function spawn(i: number): Promise<void> {
    // A terminated Worker's late messages are dropped: what it had not delivered counts as lost.
    let alive = true;
    // The first Workers may have been started before the config was read (prespawn.ts).
    const worker = opts.entry === undefined ? takeWorker("load") : new Worker(opts.entry, { type: "module" });
    const builder = withBuilders ? takeWorker("build") : null;
    workers[i] = worker;
    const started = new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        if (!alive) return;
        const message = event.data;
        switch (message.type) {
          case "ready":
            resolve();
            break;
          case "batch":
            if (stepsAside) stepAside(sendClocks, nowMs);
            onBatch(readBatch(message.batch));
            break;
          case "sessions":
            onSessions(message.lifecycles);
            break;
          case "primed":
            if (stage?.id === message.stageId && ++stage.primed === workers.length) {
              stage.t0Ms = stage.begin();
              const start: ToWorker = { type: "start", stageId: stage.id, t0Ms: stage.t0Ms };
              for (const w of workers) w.postMessage(start);
              // Off the start-up path (loading the system call costs ~4 ms once): the threads that
              // wake for send times run at once on a shared core (thread-slice.ts). A replaced
              // Worker's threads get theirs at the next stage.
              setTimeout(() => void shortenThreadSlices(SENDING_THREADS), 0);
              if (enginesYield && engineYieldTimer === undefined) {
                lowerThreadPriority(ENGINE_THREADS);
                engineYieldTimer = setInterval(
                  () => lowerThreadPriority(ENGINE_THREADS),
                  ENGINE_YIELD_EVERY_MS,
                );
                (engineYieldTimer as { unref?: () => void }).unref?.();
              }
            }
            break;
          case "stageDone":
            if (stage?.id === message.stageId) {
              const { type: _type, stageId: _stageId, ...done } = message;
              workerDone({ ...done, terminated: false, lost: 0 });
            }
            break;
          case "fatal":
            reject(workerError(message));
            fail(workerError(message));
            break;
        }
      };
      worker.onerror = (event) => {
        if (!alive) return;
        const error = new Error(`Worker ${i} crashed: ${event.message}`);
        reject(error);
        fail(error);
      };
    });
    kills[i] = () => {
      alive = false;
      worker.terminate();
      builder?.terminate();
    };
    const channel = builder === null ? null : new MessageChannel();
    const init: ToWorker = {
      type: "init",
      workerId: i,
      config: opts.config,
      counters: counterBuffers[i]!.buffer as SharedArrayBuffer,
      sendClock: stepsAside ? sendClocks[i]!.buffer : null,
      builder: channel?.port1 ?? null,
      model: opts.model,
      replay:
        opts.replay === null || opts.replay === undefined
          ? null
          : opts.replay.flatMap((plan, index) => (index % opts.workers === i ? [{ index, plan }] : [])),
    };
    worker.postMessage(init, channel === null ? [] : [channel.port1]);
    if (builder === null || channel === null) return started;
    // The builder posts only "ready" and "fatal" to the main thread; its batches go to its Worker.
    const builderStarted = new Promise<void>((resolve, reject) => {
      builder.onmessage = (event: MessageEvent<FromWorker>) => {
        if (!alive) return;
        const message = event.data;
        if (message.type === "ready") resolve();
        else if (message.type === "fatal") {
          reject(workerError(message));
          fail(workerError(message));
        }
      };
      builder.onerror = (event) => {
        if (!alive) return;
        const error = new Error(`Builder ${i} crashed: ${event.message}`);
        reject(error);
        fail(error);
      };
    });
    const builderInit: BuilderInit = {
      type: "init",
      workerId: i,
      config: opts.config,
      model: opts.model,
      traceLengths: opts.traceLengths ?? null,
      sender: channel.port2,
      sendClock: stepsAside ? sendClocks[i]!.buffer : null,
    };
    builder.postMessage(builderInit, [channel.port2]);
    return Promise.all([started, builderStarted]).then(() => {});
  }

  /** Ends worker i's part of the current stage by terminating it; records what it took with it. */
  function terminate(i: number, current: RunningStage): void {
    kills[i]!();
    const counters = counterBuffers[i]!;
    const started = Atomics.load(counters, COUNTER_SENT) - current.sentBase[i]!;
    const atMs = nowMs();
    const book = current.sessions;
    const lost =
      book === null
        ? lostRecords({
            stageId: current.id,
            workerId: i,
            slice: current.slices![i]!,
            t0Ms: current.t0Ms,
            started,
            received: (index) => current.received[index] === 1,
            atMs,
            streamed,
          })
        : lostCalls({
            stageId: current.id,
            workerId: i,
            count: started - (book.receivedBy[i] ?? 0),
            t0Ms: current.t0Ms,
            atMs,
            streamed,
          });
    // The live counters: everything it sent is over now, the lost ones as failures.
    Atomics.store(counters, COUNTER_IN_FLIGHT, 0);
    Atomics.store(counters, COUNTER_DONE, Atomics.load(counters, COUNTER_SENT));
    Atomics.add(counters, COUNTER_FAILED, lost.length);
    if (lost.length > 0) opts.onRecords(lost);
    if (book !== null) {
      const cut = [...book.open[i]!].map(([index, startMs]) => cutShort(current.id, index, startMs, atMs));
      if (cut.length > 0) onSessions(cut);
    }
    // A fresh Worker for later stages; a failure to start shows at the next stage.
    const replacement = spawn(i);
    replacement.catch(() => {});
    ready[i] = replacement;
    workerDone({
      workerId: i,
      sent: started,
      sequenceHash: "terminated",
      transport: { opened: 0, open: 0, retried: 0, serverClosed: 0 },
      built: 0,
      buildMs: 0,
      waitedForBody: 0,
      terminated: true,
      lost: lost.length,
    });
  }

  for (let i = 0; i < opts.workers; i++) {
    counterBuffers.push(new Int32Array(new SharedArrayBuffer(COUNTER_SLOTS * 4)));
    if (stepsAside) sendClocks.push(createSendClock());
    ready.push(spawn(i));
  }

  /** A session stage's promise callbacks: rejects until endSessionStage, then its own. */
  function sessionStage(stageId: number, t0Ms: number, reject: (error: Error) => void): RunningStage {
    const running: RunningStage = {
      id: stageId,
      t0Ms,
      // Session stages need no priming: their plans are on the Workers since they started.
      begin: () => t0Ms,
      primed: 0,
      slices: null,
      sessions: {
        open: workers.map(() => new Map()),
        calls: new Map(),
        receivedBy: workers.map(() => 0),
        ending: false,
      },
      sentBase: counterBuffers.map((c) => Atomics.load(c, COUNTER_SENT)),
      received: new Uint8Array(0),
      results: new Array(workers.length).fill(undefined),
      // Every Worker terminated before endSessionStage: it finds the results here.
      resolve: (results) => {
        settledSessionStage = { id: stageId, results };
      },
      reject,
      terminateTimer: undefined,
    };
    return running;
  }
  let settledSessionStage: { id: number; results: WorkerStageResult[] } | null = null;

  function close(): void {
    if (stage !== null) clearTimeout(stage.terminateTimer);
    clearInterval(engineYieldTimer);
    for (const kill of kills) kill();
  }

  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.all(ready),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              // Not a bug: a Worker starts by loading its tokenizer and preparing its data, and a
              // workload whose data is that large (conversations of millions of tokens) is refused.
              new UserError(
                `Workers did not start within ${timeoutMs / 1000} s: each loads its tokenizer and prepares the workload's data before the first request, and this workload's data takes longer than that to prepare (make the dataset, its conversations or their lengths smaller, or use fewer Workers on a busy machine)`,
                { exitCode: ExitCode.failed },
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    close();
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return {
    size: workers.length,
    async runStage(stageId, slices, slots, begin) {
      if (failure !== null) throw failure;
      await Promise.all(ready); // replacements of terminated Workers
      let size = 0;
      for (const slice of slices) {
        const last = slice.indices[slice.indices.length - 1];
        if (last !== undefined && last + 1 > size) size = last + 1;
      }
      return new Promise((resolve, reject) => {
        stage = {
          id: stageId,
          t0Ms: Number.NaN,
          begin,
          primed: 0,
          sessions: null,
          slices: slices.map((s) => ({ indices: s.indices.slice(), offsets: s.offsets?.slice() ?? null })),
          sentBase: counterBuffers.map((c) => Atomics.load(c, COUNTER_SENT)),
          received: new Uint8Array(size),
          results: new Array(workers.length).fill(undefined),
          resolve,
          reject,
          terminateTimer: undefined,
        };
        workers.forEach((w, i) => {
          const slice = slices[i]!;
          const message: ToWorker = {
            type: "stage",
            stageId,
            indices: slice.indices,
            offsets: slice.offsets,
            slots: slots[i]!,
          };
          const transfer: ArrayBuffer[] = [slice.indices.buffer as ArrayBuffer];
          if (slice.offsets !== null) transfer.push(slice.offsets.buffer as ArrayBuffer);
          w.postMessage(message, transfer);
        });
      });
    },
    whenReady: () => Promise.all(ready).then(() => {}),
    startSessionStage(stageId, t0Ms, slots) {
      if (failure !== null) return Promise.reject(failure);
      return new Promise<never>((_, reject) => {
        settledSessionStage = null;
        stage = sessionStage(stageId, t0Ms, reject);
        for (const w of workers)
          w.postMessage({ type: "sessionStage", stageId, t0Ms, slots } satisfies ToWorker);
      });
    },
    startSession(stageId, index, atMs) {
      const i = index % workers.length;
      const current = stage;
      if (current?.id === stageId && current.results[i] !== undefined) {
        // Its Worker was terminated this stage: the session is over before it began.
        queueMicrotask(() => onSessions([cutShort(stageId, index, atMs, atMs)]));
        return;
      }
      current?.sessions?.open[i]?.set(index, atMs);
      workers[i]!.postMessage({ type: "startSession", stageId, index, atMs } satisfies ToWorker);
    },
    endSessionStage(stageId) {
      if (failure !== null) return Promise.reject(failure);
      const current = stage;
      if (current === null || current.id !== stageId) {
        const settled = settledSessionStage;
        return settled?.id === stageId
          ? Promise.resolve(settled.results)
          : Promise.reject(new Error(`Session stage ${stageId} is not running`));
      }
      return new Promise((resolve, reject) => {
        current.resolve = resolve;
        current.reject = reject;
        current.sessions!.ending = true;
        workers.forEach((w, i) => {
          if (current.results[i] === undefined)
            w.postMessage({ type: "endSessionStage", stageId } satisfies ToWorker);
        });
      });
    },
    stop() {
      // The flag stops a Worker before its next send even while the message waits in its queue.
      for (const c of counterBuffers) Atomics.store(c, COUNTER_STOP, 1);
      for (const w of workers) w.postMessage({ type: "stop" } satisfies ToWorker);
    },
    cancel() {
      for (const w of workers) w.postMessage({ type: "cancel" } satisfies ToWorker);
      const current = stage;
      if (current === null || current.terminateTimer !== undefined) return;
      current.terminateTimer = setTimeout(() => {
        if (stage !== current) return;
        for (let i = 0; i < workers.length; i++) {
          if (current.results[i] !== undefined) continue;
          // In a session stage a Worker that has reported all its sessions is not stuck: it owes
          // its stageDone only once endSessionStage has asked for it.
          const book = current.sessions;
          if (book !== null && !book.ending && book.open[i]!.size === 0) continue;
          terminate(i, current);
        }
      }, cancelWaitMs);
    },
    counters() {
      const sum: Counters = { sent: 0, done: 0, failed: 0, inFlight: 0 };
      for (const c of counterBuffers) {
        sum.sent += Atomics.load(c, COUNTER_SENT);
        sum.done += Atomics.load(c, COUNTER_DONE);
        sum.failed += Atomics.load(c, COUNTER_FAILED);
        sum.inFlight += Atomics.load(c, COUNTER_IN_FLIGHT);
      }
      return sum;
    },
    close,
  };
}

function workerError(message: Extract<FromWorker, { type: "fatal" }>): Error {
  // UserErrors are rebuilt as such, so the user sees the message (exit 2), not a stack.
  if (message.userError) return new UserError(message.message);
  return new Error(`Worker ${message.workerId} failed: ${message.message}`);
}
