// Load Worker entry (an extra `bun build --compile` entry point; URL from lib/runtime/worker-url.ts).
// Owns its stripe of each stage: waits for each send time itself (partitioned scheduling, no
// per-request messages; a waker Worker of its own wakes it just before each, waker.ts), sends
// through its own keep-alive connections, and posts records in transferred columnar batches every
// few ms. Its requests come ready-made from its own builder Worker (build-entry.ts), so between a
// response's bytes arriving and their stamp it never generates, tokenizes or serialises data. It never logs or formats on the hot path.
//
// Session workloads are the exception that keeps the rule: a turn depends on the replies before it,
// which no builder can know ahead, so such a Worker has no builder (no port at init). Their texts are generated before the stage starts (conversation
// blueprints while the stage primes; replayed sessions' plans at init, from the main thread), and a
// turn's body is assembled from those prebuilt, already-escaped parts plus the previous reply, after
// that reply's last byte has been stamped (send-turn.ts).
import { type ClientCertificate, readClientCertificate } from "../config/client-cert.ts";
import type { Config } from "../config/schema.ts";
import { withRetries } from "../http/retrying-transport.ts";
import { createSocketTransport } from "../http/socket-transport.ts";
import type { Transport } from "../http/transport.ts";
import { createRng, workerSeed } from "../load/rng.ts";
import { traceStart } from "../runtime/start-trace.ts";
import { workerTokenizer } from "./_data.ts";
import { type WorkerSessions, workerSessions } from "./_sessions.ts";
import { BatchWriter, batchTransferables } from "./batch.ts";
import type { ConversationStage } from "./conversation-turns.ts";
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
  fatalMessage,
  type ToWorker,
} from "./protocol.ts";
import type { ReplayRunner } from "./replay-runner.ts";
import { Semaphore } from "./semaphore.ts";
import { sendClockOf } from "./send-clock.ts";
import { createSupply, type Supply } from "./supply.ts";
import type { WaitUntil } from "./wait.ts";
import { choosePacing, startPacing } from "./waker.ts";

traceStart("load", "modules-loaded");

/**
 * The waker Worker is started as this Worker's first act, not at init: its thread takes ~10 ms to
 * come up, and this Worker is started before the main thread has read the config (prespawn.ts), so
 * the waker comes up while the main thread still works instead of between init and "ready"
 * (docs/PERFORMANCE.md "Start-up"). Which pacing runs depends on the environment alone. Terminating
 * this Worker (a prespawned one no run adopted) ends the waker with it.
 */
const pacing = startPacing(choosePacing(process.env), (error) => fatal(error));
// Awaited at init, where a waker that failed to start is reported with this Worker's id.
pacing.catch(() => {});

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
/** Requests as this Worker's builder delivers them; null in a session workload (no builder). */
let supply: Supply | null = null;
/** The stage announced and not yet started. */
let pending: Extract<ToWorker, { type: "stage" }> | null = null;
/** How the send loop waits for each send time (a waker Worker, started with this Worker: `pacing`). */
let wait: WaitUntil;
/** Told how late each request left (the wait learns when the Worker is behind). */
let sent: (lateMs: number) => void;
let departed: () => void;
/** Conversations and replayed sessions (session workloads only). */
let sessions: WorkerSessions;
/** The announced stage's conversations (conversation workloads), prepared while it primes. */
let conversations: ConversationStage | null = null;
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
  const transport = createSocketTransport({
    baseUrl: c.server!.base_url,
    maxConnections: c.load.worker_max_tcp_connections,
    maxResponseBytes: c.load.max_response_bytes,
    ...(clientCert === null ? {} : { tls: clientCert }),
    // Sessions echo the server's session token (api.session_token_header_key) on their later requests.
    watchHeader: c.api.session_token_header_key,
  });
  if (c.load.request_retries === 0) return transport;
  // The backoff's jitter is seeded from base_seed, like every other draw of a run.
  const rng = createRng(workerSeed(c.load.base_seed, workerId) ^ RETRY_SEED_SALT);
  return withRetries(transport, {
    retries: c.load.request_retries,
    backoffMs: c.load.request_retry_backoff_sec * 1000,
    random: rng.next,
  });
}

/** Keeps the retry jitter's draws apart from the other streams seeded by the worker's seed. */
const RETRY_SEED_SALT = 0x72657472;

async function init(message: Extract<ToWorker, { type: "init" }>): Promise<void> {
  traceStart("load", "init");
  workerId = message.workerId;
  config = message.config;
  counters = new Int32Array(message.counters);
  clientCert = readClientCertificate(config.server!);
  supply = message.builder === null ? null : createSupply(message.builder);
  // Counts output tokens only when a server reports no usage; prompts are counted by the builder
  // (and, for sessions, by the parts their bodies are made of).
  const [tokenizer, paced] = await Promise.all([workerTokenizer(config), pacing]);
  wait = paced.wait;
  sent = paced.sent;
  if (message.sendClock !== null) paced.announceIn(sendClockOf(message.sendClock));
  departed = paced.departed;
  traceStart("load", "tokenizer-ready");
  // A conversation workload's texts are generated here; the mark shows their share of the start.
  sessions = workerSessions(config, { workerId, tokenizer, model: message.model, replay: message.replay });
  traceStart("load", "sessions-ready");
  const writer = new BatchWriter(1024);
  deps = {
    config,
    workerId,
    tokenizer,
    transport: makeTransport(config),
    writer,
    release: (ready) => supply?.release(ready),
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
  traceStart("load", "ready");
  post({ type: "ready", workerId });
}

/** A stage is announced: its builder (or, for conversations, this Worker) gets its requests ready. */
function prepareStage(message: Extract<ToWorker, { type: "stage" }>): void {
  stopped = false;
  Atomics.store(counters, COUNTER_STOP, 0);
  pending = message;
  const primed = () => {
    traceStart("load", "primed");
    post({ type: "primed", workerId, stageId: message.stageId });
  };
  if (sessions.conversation !== null) {
    // Every text of the stage's conversations is generated now, before its first send time.
    conversations = sessions.conversationStage(deps, message.stageId, message.indices, () => stopped);
    primed();
    return;
  }
  builderSupply().prepare(message.stageId, message.indices, message.slots, primed);
}

async function runStage(t0Ms: number): Promise<void> {
  const message = pending!;
  const { stageId, offsets, indices } = message;
  const schedule = {
    count: indices.length,
    dueMs: offsets === null ? () => t0Ms : (k: number) => t0Ms + offsets[k]!,
  };
  if (conversations !== null) return runConversationStage(message, schedule, conversations);
  traceStart("load", "start");
  const requests = builderSupply();
  const exchange = createStageExchange(deps, stageId, indices);
  const result = await runLoop({
    schedule,
    slots: new Semaphore(message.slots),
    // The flag is set by the main thread (circuit breaker, stop) and seen before the next send even
    // while the stop message waits in this Worker's queue.
    stopped: () => stopped || Atomics.load(counters, COUNTER_STOP) === 1,
    take: requests.take,
    arrival: requests.arrival,
    send: exchange.send,
    wait,
    sent,
    departed,
  });
  stageDone(stageId, result.started, exchange.hash(), {
    built: requests.built,
    buildMs: requests.buildMs,
    waitedForBody: result.waitedForBody,
  });
}

/** Turns of conversations on the stage's schedule: each also waits for its conversation's previous turn. */
async function runConversationStage(
  message: Extract<ToWorker, { type: "stage" }>,
  schedule: { count: number; dueMs: (k: number) => number },
  stage: ConversationStage,
): Promise<void> {
  conversations = null;
  const result = await runLoop({
    schedule,
    slots: new Semaphore(message.slots),
    stopped: () => stopped || Atomics.load(counters, COUNTER_STOP) === 1,
    // Nothing to take: a turn's body is assembled once its conversation's previous turn has ended.
    take: (k) => k,
    arrival: () => Promise.resolve(),
    send: (k, scheduledMs) => stage.send(k, scheduledMs),
    wait,
    sent,
    departed,
  });
  const lifecycles = stage.lifecycles();
  if (lifecycles.length > 0) post({ type: "sessions", workerId, lifecycles });
  // A turn's body depends on the replies before it, so the fingerprint covers the schedule only.
  stageDone(message.stageId, result.started, FNV_OFFSET, NO_BUILDER);
}

const NO_BUILDER = { built: 0, buildMs: 0, waitedForBody: 0 };

function stageDone(
  stageId: number,
  sent: number,
  hash: number,
  builder: { built: number; buildMs: number; waitedForBody: number },
): void {
  flush();
  post({
    type: "stageDone",
    workerId,
    stageId,
    sent,
    sequenceHash: hex(hash),
    transport: deps.transport.stats(),
    ...builder,
  });
}

/** A session stage: sessions start as the main thread says; records and lifecycles flow as they end. */
function startSessionStage(message: Extract<ToWorker, { type: "sessionStage" }>): void {
  stopped = false;
  Atomics.store(counters, COUNTER_STOP, 0);
  replay = sessions.replayStage(deps, message.stageId, message.slots, (lifecycle) =>
    post({ type: "sessions", workerId, lifecycles: [lifecycle] }),
  );
}

async function endSessionStage(message: Extract<ToWorker, { type: "endSessionStage" }>): Promise<void> {
  const runner = replay;
  replay = null;
  if (runner !== null) await runner.idle();
  stageDone(message.stageId, 0, FNV_OFFSET, NO_BUILDER);
}

/** The builder's supply, which every workload but a session one has. */
function builderSupply(): Supply {
  if (supply === null) throw new Error("A stage of built requests was given to a Worker without a builder");
  return supply;
}

function fatal(error: unknown): void {
  post(fatalMessage(workerId, error));
}

function halt(): void {
  stopped = true;
  supply?.stop();
  replay?.stop();
  sessions?.wakePauses();
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case "init":
      init(message).catch(fatal);
      break;
    case "stage":
      // The builder starts on the stage now; it starts once every Worker has its head start.
      try {
        prepareStage(message);
      } catch (error) {
        fatal(error);
      }
      break;
    case "start":
      runStage(message.t0Ms).catch(fatal);
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
      halt();
      break;
    case "cancel":
      halt();
      deps.transport.close();
      // Later stages (none, after an interrupt) would need a fresh transport.
      deps.transport = makeTransport(config);
      break;
  }
};
