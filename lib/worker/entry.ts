// Load Worker entry (an extra `bun build --compile` entry point; URL from lib/runtime/worker-url.ts).
// Owns its stripe of each stage: waits for each send time itself (partitioned scheduling, no
// per-request messages), sends through its own keep-alive connections, and posts records in
// transferred columnar batches every few ms. Its requests come ready-made from its own builder Worker
// (build-entry.ts), so between a response's bytes arriving and their stamp it never generates,
// tokenizes or serialises data. It never logs or formats on the hot path.
import { isUserError } from "../cli/errors.ts";
import { type ClientCertificate, readClientCertificate } from "../config/client-cert.ts";
import type { Config } from "../config/schema.ts";
import { createSocketTransport } from "../http/socket-transport.ts";
import type { Transport } from "../http/transport.ts";
import { workerTokenizer } from "./_data.ts";
import { BatchWriter, batchTransferables } from "./batch.ts";
import { createStageExchange, type ExchangeDeps } from "./exchange.ts";
import { hex } from "./fnv.ts";
import { runLoop } from "./loop.ts";
import {
  COUNTER_DONE,
  COUNTER_FAILED,
  COUNTER_IN_FLIGHT,
  COUNTER_SENT,
  COUNTER_STOP,
  type FromWorker,
  type ToWorker,
} from "./protocol.ts";
import { Semaphore } from "./semaphore.ts";
import { createSupply, type Supply } from "./supply.ts";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
};

/** How often records go to the main thread (oha/Vegeta-style result channel, 10-50 ms is plenty). */
const FLUSH_MS = 10;

let workerId = -1;
let config: Config;
let deps: ExchangeDeps;
let counters: Int32Array;
let stopped = false;
/** Requests as this Worker's builder delivers them. */
let supply: Supply;
/** The stage announced and not yet started. */
let pending: Extract<ToWorker, { type: "stage" }> | null = null;

function post(message: FromWorker, transfer?: ArrayBuffer[]): void {
  scope.postMessage(message, transfer);
}

function flush(): void {
  const batch = deps?.writer.take();
  if (batch) post({ type: "batch", workerId, batch }, batchTransferables(batch));
}

/** Read once when the Worker starts (the main thread has checked the files before any load). */
let clientCert: ClientCertificate | null = null;

function makeTransport(c: Config): Transport {
  return createSocketTransport({
    baseUrl: c.server!.base_url,
    maxConnections: c.load.worker_max_tcp_connections,
    maxResponseBytes: c.load.max_response_bytes,
    ...(clientCert === null ? {} : { tls: clientCert }),
  });
}

async function init(message: Extract<ToWorker, { type: "init" }>): Promise<void> {
  workerId = message.workerId;
  config = message.config;
  counters = new Int32Array(message.counters);
  clientCert = readClientCertificate(config.server!);
  supply = createSupply(message.builder);
  // Counts output tokens only when a server reports no usage; prompts are counted by the builder.
  const tokenizer = await workerTokenizer(config);
  const writer = new BatchWriter(1024);
  deps = {
    config,
    workerId,
    tokenizer,
    transport: makeTransport(config),
    writer,
    release: (ready) => supply.release(ready),
    onSent: () => {
      Atomics.add(counters, COUNTER_SENT, 1);
      Atomics.add(counters, COUNTER_IN_FLIGHT, 1);
    },
    onRecord: (failed) => {
      Atomics.add(counters, COUNTER_DONE, 1);
      Atomics.sub(counters, COUNTER_IN_FLIGHT, 1);
      if (failed) Atomics.add(counters, COUNTER_FAILED, 1);
      if (writer.full) flush();
    },
  };
  setInterval(flush, FLUSH_MS);
  post({ type: "ready", workerId });
}

async function runStage(t0Ms: number): Promise<void> {
  const message = pending!;
  const { stageId, offsets, indices } = message;
  const exchange = createStageExchange(deps, stageId, indices);
  const result = await runLoop({
    schedule: {
      count: indices.length,
      dueMs: offsets === null ? () => t0Ms : (k) => t0Ms + offsets[k]!,
    },
    slots: new Semaphore(message.slots),
    // The flag is set by the main thread (circuit breaker, stop) and seen before the next send even
    // while the stop message waits in this Worker's queue.
    stopped: () => stopped || Atomics.load(counters, COUNTER_STOP) === 1,
    take: supply.take,
    arrival: supply.arrival,
    send: exchange.send,
  });
  flush();
  post({
    type: "stageDone",
    workerId,
    stageId,
    sent: result.started,
    sequenceHash: hex(exchange.hash()),
    transport: deps.transport.stats(),
    built: supply.built,
    buildMs: supply.buildMs,
    waitedForBody: result.waitedForBody,
  });
}

function fatal(error: unknown): void {
  const userError = isUserError(error);
  const message = userError
    ? error.message
    : error instanceof Error
      ? (error.stack ?? error.message)
      : String(error);
  post({ type: "fatal", workerId, message, userError });
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case "init":
      init(message).catch(fatal);
      break;
    case "stage":
      // The builder starts on the stage now; it starts once every Worker has its head start.
      stopped = false;
      Atomics.store(counters, COUNTER_STOP, 0);
      pending = message;
      supply.prepare(message.stageId, message.indices, message.slots, () =>
        post({ type: "primed", workerId, stageId: message.stageId }),
      );
      break;
    case "start":
      runStage(message.t0Ms).catch(fatal);
      break;
    case "stop":
      stopped = true;
      supply.stop();
      break;
    case "cancel":
      stopped = true;
      supply.stop();
      deps.transport.close();
      // Later stages (none, after an interrupt) would need a fresh transport.
      deps.transport = makeTransport(config);
      break;
  }
};
