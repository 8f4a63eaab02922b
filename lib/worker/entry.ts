// Load Worker entry (an extra `bun build --compile` entry point; URL from lib/runtime/worker-url.ts).
// Owns its stripe of each stage: waits for each send time itself (partitioned scheduling, no
// per-request messages), sends through its own keep-alive connections, and posts records in
// transferred columnar batches every few ms. It never logs or formats on the hot path.
import { isUserError } from "../cli/errors.ts";
import { type ClientCertificate, readClientCertificate } from "../config/client-cert.ts";
import type { Config } from "../config/schema.ts";
import { createSocketTransport } from "../http/socket-transport.ts";
import type { Transport } from "../http/transport.ts";
import { createLoraPicker } from "../load/lora.ts";
import { createRng, workerSeed } from "../load/rng.ts";
import { workerDataGenerator, workerTokenizer } from "./_data.ts";
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
  const rng = createRng(workerSeed(config.load.base_seed, workerId));
  const tokenizer = await workerTokenizer(config);
  const data = await workerDataGenerator(config, {
    tokenizer,
    rng,
    workerId,
    traceLengths: message.traceLengths ?? undefined,
  });
  const writer = new BatchWriter(1024);
  deps = {
    config,
    workerId,
    model: message.model,
    data,
    tokenizer,
    pickAdapter: createLoraPicker(config.load.lora_traffic_split ?? null, rng),
    transport: makeTransport(config),
    writer,
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

async function runStage(message: Extract<ToWorker, { type: "stage" }>): Promise<void> {
  stopped = false;
  Atomics.store(counters, COUNTER_STOP, 0);
  const { t0Ms, offsets, indices } = message;
  const exchange = createStageExchange(deps, message.stageId, indices);
  const sent = await runLoop({
    schedule: {
      count: indices.length,
      dueMs: offsets === null ? () => t0Ms : (k) => t0Ms + offsets[k]!,
    },
    slots: new Semaphore(message.slots),
    stopped: () => stopped || Atomics.load(counters, COUNTER_STOP) === 1,
    prepare: exchange.prepare,
    send: exchange.send,
  });
  flush();
  post({
    type: "stageDone",
    workerId,
    stageId: message.stageId,
    sent,
    sequenceHash: hex(exchange.hash()),
    transport: deps.transport.stats(),
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
      runStage(message).catch(fatal);
      break;
    case "stop":
      stopped = true;
      break;
    case "cancel":
      stopped = true;
      deps.transport.close();
      // Later stages (none, after an interrupt) would need a fresh transport.
      deps.transport = makeTransport(config);
      break;
  }
};
