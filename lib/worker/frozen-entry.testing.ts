// Test helper: a Worker entry that speaks the load Worker's protocol (it answers "primed" at once and
// ignores its builder) but Worker 0 hangs on each stage's start after starting two requests and
// handing back one record, the way a Worker stuck on a response would. Its thread blocks in
// Atomics.wait (no CPU burnt), so only terminate() ends it. Any other Worker finishes each stage at
// once without sending. In a session stage, Worker 0 freezes the same way on its first session (one
// call back, one in flight); the others report each session succeeded at once, without sending.

import { record } from "../record/record.testing.ts";
import type { RequestRecord } from "../record/record.ts";
import { BatchWriter, batchTransferables } from "./batch.ts";
import { COUNTER_IN_FLIGHT, COUNTER_SENT, type FromWorker, type ToWorker } from "./protocol.ts";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
};

let workerId = -1;
let freeze = false;
let counters: Int32Array;
let pending: Extract<ToWorker, { type: "stage" }> | null = null;

/** Ends a stage at once, having sent nothing. */
function doneAtOnce(stageId: number): void {
  const transport = { opened: 0, open: 0, retried: 0, serverClosed: 0 };
  scope.postMessage({
    type: "stageDone",
    workerId,
    stageId,
    sent: 0,
    sequenceHash: "",
    transport,
    built: 0,
    buildMs: 0,
    waitedForBody: 0,
  });
}

/** Counts two requests sent and in flight, hands back one record, and blocks until terminated. */
function freezeAfter(sent: RequestRecord): void {
  Atomics.add(counters, COUNTER_SENT, 2);
  Atomics.add(counters, COUNTER_IN_FLIGHT, 2);
  const writer = new BatchWriter(4);
  writer.add(sent);
  const batch = writer.take()!;
  scope.postMessage({ type: "batch", workerId, batch }, batchTransferables(batch));
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") {
    workerId = message.workerId;
    freeze = workerId === 0;
    counters = new Int32Array(message.counters);
    scope.postMessage({ type: "ready", workerId });
  } else if (message.type === "stage") {
    pending = message;
    scope.postMessage({ type: "primed", workerId, stageId: message.stageId });
  } else if (message.type === "start" && pending !== null) {
    const stage = pending;
    if (!freeze) doneAtOnce(stage.stageId);
    else freezeAfter(record({ stageId: stage.stageId, workerId, index: stage.indices[0] ?? 0 }));
  } else if (message.type === "startSession") {
    const { stageId, index, atMs } = message;
    if (!freeze) {
      const lifecycle = {
        stageId,
        session: index,
        name: `s${index}`,
        source: "",
        startMs: atMs,
        endMs: atMs,
        numEvents: 0,
        completed: 0,
        failedCalls: 0,
        cancelled: 0,
        status: "succeeded" as const,
        replayError: null,
      };
      scope.postMessage({ type: "sessions", workerId, lifecycles: [lifecycle] });
      return;
    }
    freezeAfter(record({ stageId, workerId, index: 0, session: index }));
  } else if (message.type === "endSessionStage") {
    doneAtOnce(message.stageId);
  }
};
