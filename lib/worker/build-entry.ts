// Builder Worker entry (an extra `bun build --compile` entry point; URL from lib/runtime/worker-url.ts).
// One per load Worker (none in a session workload, whose load Workers build each turn): it generates, tokenizes and serialises that Worker's requests ahead of their
// send times and hands them over in transferred batches, so the thread that reads and time-stamps
// responses never does data work. The main thread starts it and gives it one end of a channel to its
// load Worker, which drives it from then on (stages, credits, stops).
import { createLoraPicker } from "../load/lora.ts";
import { createRng, workerSeed } from "../load/rng.ts";
import { nowMs } from "../runtime/clock.ts";
import { traceStart } from "../runtime/start-trace.ts";
import { workerDataGenerator, workerTokenizer } from "./_data.ts";
import { createBuilder } from "./builder.ts";
import {
  type BuilderInit,
  type FromBuilder,
  type FromWorker,
  fatalMessage,
  type ToBuilder,
} from "./protocol.ts";
import { ReadyBatchWriter, readyTransferables } from "./ready-batch.ts";
import { createRequestMaker } from "./request-maker.ts";
import { sendClockOf, stepAside } from "./send-clock.ts";

traceStart("build", "modules-loaded");

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<BuilderInit>) => void) | null;
  postMessage(message: FromWorker): void;
};

/**
 * The LoRA picker's seed for one stage: the worker's seed (inference-perf's base_seed + worker id)
 * mixed with the stage id, so each stage's adapter sequence is fixed by base_seed alone, however far a
 * builder had got ahead in an earlier stage that was stopped early.
 */
function stageSeed(seed: number, stageId: number): number {
  return (seed ^ Math.imul(stageId + 2, 0x9e3779b1)) >>> 0;
}

async function init(message: BuilderInit): Promise<void> {
  traceStart("build", "init");
  const { config, workerId, sender } = message;
  const clocks = message.sendClock === null ? null : [sendClockOf(message.sendClock)];
  const seed = workerSeed(config.load.base_seed, workerId);
  const tokenizer = await workerTokenizer(config);
  traceStart("build", "tokenizer-ready");
  const data = await workerDataGenerator(config, {
    tokenizer,
    rng: createRng(seed),
    workerId,
    traceLengths: message.traceLengths ?? undefined,
  });
  traceStart("build", "data-ready");
  const maker = createRequestMaker({ config, model: message.model, data, tokenizer });
  const writer = new ReadyBatchWriter();
  const builder = createBuilder({
    writer,
    post: (batch) =>
      sender.postMessage({ type: "built", batch } satisfies FromBuilder, readyTransferables(batch)),
    now: nowMs,
    later: setImmediate,
    ...(clocks === null ? {} : { stepAside: () => stepAside(clocks, nowMs) }),
  });
  sender.onmessage = (event: MessageEvent<ToBuilder>) => {
    const m = event.data;
    switch (m.type) {
      case "stage": {
        traceStart("build", "stage");
        const { indices } = m;
        const pick = createLoraPicker(
          config.load.lora_traffic_split ?? null,
          createRng(stageSeed(seed, m.stageId)),
        );
        builder.start({
          stageId: m.stageId,
          count: indices.length,
          window: m.window,
          buildInto: (k, writer) => maker.makeInto(writer, indices[k]!, pick()),
        });
        break;
      }
      case "credit":
        builder.credit(m.stageId, m.n);
        break;
      case "stop":
        builder.stop();
        break;
      case "recycle":
        writer.recycle(m.bytes);
        break;
    }
  };
  traceStart("build", "ready");
  scope.postMessage({ type: "ready", workerId });
}

scope.onmessage = (event) => {
  init(event.data).catch((error: unknown) => scope.postMessage(fatalMessage(event.data.workerId, error)));
};
