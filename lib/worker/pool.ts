// Main-thread side of the Workers: start num_workers load Workers, each with its own builder Worker
// (joined by a MessageChannel: the builder makes the requests, the load Worker only sends, reads and
// stamps), hand each its slice of a stage, turn their batches into records for the caller, and stop
// them. Never waits on the caller's handling of records beyond the synchronous callback.

import { UserError } from "../cli/errors.ts";
import type { Config } from "../config/schema.ts";
import type { TraceLengths } from "../data/create.ts";
import type { TransportStats } from "../http/transport.ts";
import type { Slice } from "../load/stripe.ts";
import type { RequestRecord } from "../record/record.ts";
import { workerUrl } from "../runtime/worker-url.ts";
import { readBatch } from "./batch.ts";
import {
  type BuilderInit,
  COUNTER_DONE,
  COUNTER_FAILED,
  COUNTER_IN_FLIGHT,
  COUNTER_SENT,
  COUNTER_SLOTS,
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
}

export interface WorkerStageResult {
  workerId: number;
  sent: number;
  sequenceHash: string;
  transport: TransportStats;
  /** Requests its builder built, the builder's time building them (ms), and sends that waited for a body. */
  built: number;
  buildMs: number;
  waitedForBody: number;
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
  /** Stop scheduling; requests in flight finish. */
  stop(): void;
  /** Abort requests in flight (recorded as cancelled). */
  cancel(): void;
  counters(): Counters;
  close(): void;
}

export async function startPool(opts: PoolOptions): Promise<Pool> {
  const counterBuffers: Int32Array[] = [];
  const workers: Worker[] = [];
  let stageWaiter: {
    stageId: number;
    primed: number;
    begin: () => number;
    results: WorkerStageResult[];
    resolve: (r: WorkerStageResult[]) => void;
  } | null = null;
  let failWith: ((error: Error) => void) | null = null;
  let failure: Error | null = null;

  function fail(error: Error): void {
    failure ??= error;
    failWith?.(error);
  }

  function onMessage(message: FromWorker): void {
    switch (message.type) {
      case "batch":
        opts.onRecords(readBatch(message.batch));
        break;
      case "primed":
        if (stageWaiter !== null && ++stageWaiter.primed === workers.length) {
          const start: ToWorker = { type: "start", stageId: stageWaiter.stageId, t0Ms: stageWaiter.begin() };
          for (const w of workers) w.postMessage(start);
        }
        break;
      case "stageDone":
        if (stageWaiter !== null) {
          stageWaiter.results[message.workerId] = {
            workerId: message.workerId,
            sent: message.sent,
            sequenceHash: message.sequenceHash,
            transport: message.transport,
            built: message.built,
            buildMs: message.buildMs,
            waitedForBody: message.waitedForBody,
          };
          if (stageWaiter.results.filter(Boolean).length === workers.length) {
            const done = stageWaiter;
            stageWaiter = null;
            done.resolve(done.results);
          }
        }
        break;
      case "fatal":
        fail(workerError(message));
        break;
      case "ready":
        break;
    }
  }

  const ready: Promise<void>[] = [];
  const builders: Worker[] = [];
  /** Resolves at the Worker's "ready"; rejects at its "fatal" or a crash (also failing the run). */
  function started(worker: Worker, what: string, onOther: (m: FromWorker) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        if (event.data.type === "ready") resolve();
        else if (event.data.type === "fatal") reject(workerError(event.data));
        onOther(event.data);
      };
      worker.onerror = (event) => {
        const error = new Error(`${what} crashed: ${event.message}`);
        reject(error);
        fail(error);
      };
    });
  }
  for (let i = 0; i < opts.workers; i++) {
    const shared = new SharedArrayBuffer(COUNTER_SLOTS * 4);
    counterBuffers.push(new Int32Array(shared));
    const worker = new Worker(workerUrl("load"), { type: "module" });
    const builder = new Worker(workerUrl("build"), { type: "module" });
    workers.push(worker);
    builders.push(builder);
    ready.push(started(worker, `Worker ${i}`, onMessage));
    ready.push(
      started(builder, `Builder ${i}`, (m) => {
        if (m.type === "fatal") fail(workerError(m));
      }),
    );
    const channel = new MessageChannel();
    const init: ToWorker = {
      type: "init",
      workerId: i,
      config: opts.config,
      counters: shared,
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
  }

  function close(): void {
    for (const w of workers) w.terminate();
    for (const b of builders) b.terminate();
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
    runStage(stageId, slices, slots, begin) {
      if (failure !== null) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        stageWaiter = { stageId, primed: 0, begin, results: [], resolve };
        failWith = reject;
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
    stop() {
      for (const w of workers) w.postMessage({ type: "stop" } satisfies ToWorker);
    },
    cancel() {
      for (const w of workers) w.postMessage({ type: "cancel" } satisfies ToWorker);
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
