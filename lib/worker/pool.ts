// Main-thread side of the Workers: start num_workers load Workers, hand each its slice of a stage,
// turn their batches into records for the caller, and stop them. Never waits on the caller's
// handling of records beyond the synchronous callback.

import { UserError } from "../cli/errors.ts";
import type { Config } from "../config/schema.ts";
import type { TraceLengths } from "../data/create.ts";
import type { TransportStats } from "../http/transport.ts";
import type { Slice } from "../load/stripe.ts";
import type { RequestRecord } from "../record/record.ts";
import { readBatch } from "./batch.ts";
import { takeWorker } from "./prespawn.ts";
import {
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
}

export interface WorkerStageResult {
  workerId: number;
  sent: number;
  sequenceHash: string;
  transport: TransportStats;
}

export interface Counters {
  sent: number;
  done: number;
  failed: number;
  inFlight: number;
}

export interface Pool {
  readonly size: number;
  /** Runs one stage: slices[i] and slots[i] go to worker i; resolves when every worker has drained. */
  runStage(
    stageId: number,
    t0Ms: number,
    slices: readonly Slice[],
    slots: readonly number[],
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
  let stageWaiter: { results: WorkerStageResult[]; resolve: (r: WorkerStageResult[]) => void } | null = null;
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
      case "stageDone":
        if (stageWaiter !== null) {
          stageWaiter.results[message.workerId] = {
            workerId: message.workerId,
            sent: message.sent,
            sequenceHash: message.sequenceHash,
            transport: message.transport,
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
  for (let i = 0; i < opts.workers; i++) {
    const shared = new SharedArrayBuffer(COUNTER_SLOTS * 4);
    counterBuffers.push(new Int32Array(shared));
    const worker = takeWorker();
    workers.push(worker);
    ready.push(
      new Promise<void>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<FromWorker>) => {
          if (event.data.type === "ready") resolve();
          else if (event.data.type === "fatal") reject(workerError(event.data));
          onMessage(event.data);
        };
        worker.onerror = (event) => {
          const error = new Error(`Worker ${i} crashed: ${event.message}`);
          reject(error);
          fail(error);
        };
      }),
    );
    const init: ToWorker = {
      type: "init",
      workerId: i,
      config: opts.config,
      model: opts.model,
      counters: shared,
      traceLengths: opts.traceLengths ?? null,
    };
    worker.postMessage(init);
  }

  function close(): void {
    for (const w of workers) w.terminate();
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
    runStage(stageId, t0Ms, slices, slots) {
      if (failure !== null) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        stageWaiter = { results: [], resolve };
        failWith = reject;
        workers.forEach((w, i) => {
          const slice = slices[i]!;
          const message: ToWorker = {
            type: "stage",
            stageId,
            t0Ms,
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
      // The flag stops a Worker before its next send even while the message waits in its queue.
      for (const c of counterBuffers) Atomics.store(c, COUNTER_STOP, 1);
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
