// Load Worker entry (an extra `bun build --compile` entry point; URL from lib/runtime/worker-url.ts).
// Owns its stripe of each stage: waits for each send time itself (partitioned scheduling, no
// per-request messages), sends through its own keep-alive connections, and posts records in
// transferred columnar batches every few ms. It never logs or formats on the hot path.
import { isUserError } from "../cli/errors.ts";
import { type ClientCertificate, readClientCertificate } from "../config/client-cert.ts";
import type { Config } from "../config/schema.ts";
import { sessionWorkload } from "../data/create-sessions.ts";
import { createSocketTransport } from "../http/socket-transport.ts";
import type { Transport } from "../http/transport.ts";
import { createLoraPicker } from "../load/lora.ts";
import { createRng, workerSeed } from "../load/rng.ts";
import { workerDataGenerator, workerTokenizer } from "./_data.ts";
import { noIndexedData, type WorkerSessions, workerSessions } from "./_sessions.ts";
import { BatchWriter, batchTransferables } from "./batch.ts";
import { createStageExchange, type ExchangeDeps } from "./exchange.ts";
import { FNV_OFFSET, hex } from "./fnv.ts";
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
import type { ReplayRunner } from "./replay-runner.ts";
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
/** Conversations and replayed sessions (session workloads only). */
let sessions: WorkerSessions;
/** The session stage running, if any. */
let replay: ReplayRunner | null = null;

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
    // Sessions echo the server's session token (api.session_token_header_key) on their later requests.
    watchHeader: c.api.session_token_header_key,
  });
}

async function init(message: Extract<ToWorker, { type: "init" }>): Promise<void> {
  workerId = message.workerId;
  config = message.config;
  counters = new Int32Array(message.counters);
  clientCert = readClientCertificate(config.server!);
  const rng = createRng(workerSeed(config.load.base_seed, workerId));
  const tokenizer = await workerTokenizer(config);
  // A session workload builds each request from its session (history, predecessors' replies).
  const data =
    sessionWorkload(config) === null
      ? await workerDataGenerator(config, {
          tokenizer,
          rng,
          workerId,
          traceLengths: message.traceLengths ?? undefined,
        })
      : noIndexedData;
  sessions = workerSessions(config, { workerId, tokenizer, model: message.model, replay: message.replay });
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
  const schedule = {
    count: indices.length,
    dueMs: offsets === null ? () => t0Ms : (k: number) => t0Ms + offsets[k]!,
  };
  if (sessions.conversation !== null) return runConversationStage(message, schedule);
  const exchange = createStageExchange(deps, message.stageId, indices);
  const sent = await runLoop({
    schedule,
    slots: new Semaphore(message.slots),
    stopped: () => stopped || Atomics.load(counters, COUNTER_STOP) === 1,
    prepare: exchange.prepare,
    send: exchange.send,
  });
  stageDone(message.stageId, sent, exchange.hash());
}

/** Turns of conversations on the stage's schedule: each also waits for its conversation's previous turn. */
async function runConversationStage(
  message: Extract<ToWorker, { type: "stage" }>,
  schedule: { count: number; dueMs: (k: number) => number },
): Promise<void> {
  const stage = sessions.conversationStage(deps, message.stageId, message.indices, () => stopped);
  const sent = await runLoop({
    schedule,
    slots: new Semaphore(message.slots),
    stopped: () => stopped,
    prepare: (k) => k,
    send: (k, scheduledMs) => stage.send(k, scheduledMs),
  });
  const lifecycles = stage.lifecycles();
  if (lifecycles.length > 0) post({ type: "sessions", workerId, lifecycles });
  // A turn's body depends on the replies before it, so the fingerprint covers the schedule only.
  stageDone(message.stageId, sent, FNV_OFFSET);
}

function stageDone(stageId: number, sent: number, hash: number): void {
  flush();
  post({
    type: "stageDone",
    workerId,
    stageId,
    sent,
    sequenceHash: hex(hash),
    transport: deps.transport.stats(),
  });
}

/** A session stage: sessions start as the main thread says; records and lifecycles flow as they end. */
function startSessionStage(message: Extract<ToWorker, { type: "sessionStage" }>): void {
  stopped = false;
  replay = sessions.replayStage(deps, message.stageId, message.slots, (lifecycle) =>
    post({ type: "sessions", workerId, lifecycles: [lifecycle] }),
  );
}

async function endSessionStage(message: Extract<ToWorker, { type: "endSessionStage" }>): Promise<void> {
  const runner = replay;
  replay = null;
  if (runner !== null) await runner.idle();
  stageDone(message.stageId, 0, FNV_OFFSET);
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
    case "sessionStage":
      startSessionStage(message);
      break;
    case "startSession":
      try {
        replay?.start(message.index, sessions.plan(message.index), message.atMs);
      } catch (error) {
        fatal(error);
      }
      break;
    case "endSessionStage":
      endSessionStage(message).catch(fatal);
      break;
    case "stop":
      stopped = true;
      replay?.stop();
      sessions?.wakePauses();
      break;
    case "cancel":
      stopped = true;
      replay?.stop();
      sessions?.wakePauses();
      deps.transport.close();
      // Later stages (none, after an interrupt) would need a fresh transport.
      deps.transport = makeTransport(config);
      break;
  }
};
