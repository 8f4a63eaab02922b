// Main-thread side of the Workers: start num_workers load Workers, each with its own builder Worker
// (joined by a MessageChannel: the builder makes the requests, the load Worker only sends, reads and
// stamps), hand each its slice of a stage, turn their batches into records for the caller, and stop
// them. Never waits on the caller's
// handling of records beyond the synchronous callback. A Worker that does not answer a cancel
// within `cancelWaitMs` (frozen on something) is terminated: its stage ends with the records the
// main thread has, the requests it took with it are recorded as cancelled (lost.ts), and a fresh
// Worker (with a fresh builder: the old one is terminated with it) takes its place for later stages.

import { UserError } from "../cli/errors.ts";
import type { Config } from "../config/schema.ts";
import type { TraceLengths } from "../data/create.ts";
import type { TransportStats } from "../http/transport.ts";
import type { Slice } from "../load/stripe.ts";
import type { RequestRecord } from "../record/record.ts";
import { nowMs } from "../runtime/clock.ts";
import { workerUrl } from "../runtime/worker-url.ts";
import { readBatch } from "./batch.ts";
import { lostRecords } from "./lost.ts";
import { takeWorker } from "./prespawn.ts";
import {
  type BuilderInit,
  COUNTER_DONE,
  COUNTER_FAILED,
  COUNTER_IN_FLIGHT,
  COUNTER_SENT,
  COUNTER_SLOTS,
  COUNTER_STOP,
  type FromWorker,
  type ToWorker,
} from "./protocol.ts";

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
}

/** A Worker answers a cancel within milliseconds unless something holds its thread. */
const CANCEL_WAIT_MS = 1000;

export interface WorkerStageResult {
  workerId: number;
  sent: number;
  sequenceHash: string;
  transport: TransportStats;
  /** Requests its builder built, the builder's time building them (ms), and sends that waited for a body. */
  built: number;
  buildMs: number;
  waitedForBody: number;
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
  /** Copies of the slices (the originals are transferred to the Workers). */
  slices: Slice[];
  /** Each Worker's sent counter when the stage started. */
  sentBase: number[];
  /** received[index] = 1 once the record of schedule index `index` has arrived. */
  received: Uint8Array;
  results: (WorkerStageResult | undefined)[];
  resolve: (results: WorkerStageResult[]) => void;
  reject: (error: Error) => void;
  terminateTimer: ReturnType<typeof setTimeout> | undefined;
}

export async function startPool(opts: PoolOptions): Promise<Pool> {
  const counterBuffers: Int32Array[] = [];
  const workers: Worker[] = [];
  /** kills[i] terminates workers[i] and its builder, and drops whatever they still send. */
  const kills: (() => void)[] = [];
  /** Each Worker's start; a replacement's is awaited before the next stage. */
  const ready: Promise<void>[] = [];
  let stage: RunningStage | null = null;
  let failure: Error | null = null;
  const cancelWaitMs = opts.cancelWaitMs ?? CANCEL_WAIT_MS;
  const streamed = opts.config.api.streaming;

  function fail(error: Error): void {
    failure ??= error;
    stage?.reject(error);
  }

  function onBatch(records: RequestRecord[]): void {
    if (stage !== null) {
      const { id, received } = stage;
      for (const r of records) if (r.stageId === id && r.index < received.length) received[r.index] = 1;
    }
    opts.onRecords(records);
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
    const worker = opts.entry === undefined ? takeWorker() : new Worker(opts.entry, { type: "module" });
    const builder = new Worker(workerUrl("build"), { type: "module" });
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
            onBatch(readBatch(message.batch));
            break;
          case "primed":
            if (stage?.id === message.stageId && ++stage.primed === workers.length) {
              stage.t0Ms = stage.begin();
              const start: ToWorker = { type: "start", stageId: stage.id, t0Ms: stage.t0Ms };
              for (const w of workers) w.postMessage(start);
            }
            break;
          case "stageDone":
            if (stage?.id === message.stageId) {
              workerDone({
                workerId: message.workerId,
                sent: message.sent,
                sequenceHash: message.sequenceHash,
                transport: message.transport,
                built: message.built,
                buildMs: message.buildMs,
                waitedForBody: message.waitedForBody,
                terminated: false,
                lost: 0,
              });
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
    kills[i] = () => {
      alive = false;
      worker.terminate();
      builder.terminate();
    };
    const channel = new MessageChannel();
    const init: ToWorker = {
      type: "init",
      workerId: i,
      config: opts.config,
      counters: counterBuffers[i]!.buffer as SharedArrayBuffer,
      builder: channel.port1,
    };
    worker.postMessage(init, [channel.port1]);
    const builderInit: BuilderInit = {
      type: "init",
      workerId: i,
      config: opts.config,
      model: opts.model,
      traceLengths: opts.traceLengths ?? null,
      sender: channel.port2,
    };
    builder.postMessage(builderInit, [channel.port2]);
    return Promise.all([started, builderStarted]).then(() => {});
  }

  /** Ends worker i's part of the current stage by terminating it; records what it took with it. */
  function terminate(i: number, current: RunningStage): void {
    kills[i]!();
    const counters = counterBuffers[i]!;
    const started = Atomics.load(counters, COUNTER_SENT) - current.sentBase[i]!;
    const lost = lostRecords({
      stageId: current.id,
      workerId: i,
      slice: current.slices[i]!,
      t0Ms: current.t0Ms,
      started,
      received: (index) => current.received[index] === 1,
      atMs: nowMs(),
      streamed,
    });
    // The live counters: everything it sent is over now, the lost ones as failures.
    Atomics.store(counters, COUNTER_IN_FLIGHT, 0);
    Atomics.store(counters, COUNTER_DONE, Atomics.load(counters, COUNTER_SENT));
    Atomics.add(counters, COUNTER_FAILED, lost.length);
    if (lost.length > 0) opts.onRecords(lost);
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
    ready.push(spawn(i));
  }

  function close(): void {
    if (stage !== null) clearTimeout(stage.terminateTimer);
    for (const kill of kills) kill();
  }

  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.all(ready),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Workers did not start within ${timeoutMs / 1000} s`)),
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
        for (let i = 0; i < workers.length; i++) if (current.results[i] === undefined) terminate(i, current);
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
