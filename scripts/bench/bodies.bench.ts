// A builder's cost per request made into a ready batch, with the body assembled from bytes (the
// generator's prompt bytes in a pre-encoded frame: random and synthetic) against the string
// path (prompt string → JSON body string → UTF-8 into the batch), in one invocation.
// Run: bun scripts/bench/bodies.bench.ts (BENCH_JSON=1 prints mitata's JSON).
import { bench, group, run } from "mitata";
import type { RequestConfig } from "../../lib/api/request.ts";
import { configFromObject } from "../../lib/config/load.ts";
import { createDataGenerator } from "../../lib/data/create.ts";
import { defaultTokenizer } from "../../lib/data/tokenizer/default.ts";
import type { DataGenerator } from "../../lib/data/types.ts";
import { createRng } from "../../lib/load/rng.ts";
import { ReadyBatchWriter } from "../../lib/worker/ready-batch.ts";
import { createRequestMaker } from "../../lib/worker/request-maker.ts";

const tokenizer = defaultTokenizer();

async function generator(data: Record<string, unknown>): Promise<DataGenerator> {
  const raw = { data, load: { base_seed: 1, stages: [{ rate: 1, duration: 1 }] } };
  const { config } = configFromObject(raw, { cpuCount: 1, now: new Date(0) });
  return createDataGenerator(config, { tokenizer, rng: createRng(1), workerId: 0 });
}

const fixed = (n: number) => ({ type: "fixed", mean: n, min: n, max: n });
const api: RequestConfig = { api: { type: "completion", streaming: false }, server: { model_name: "m" } };

/** The builder's loop: make one request; every 64, hand the batch over and recycle its buffer. */
function builderLoop(data: DataGenerator, config: RequestConfig) {
  const maker = createRequestMaker({ config, model: "m", data, tokenizer });
  const writer = new ReadyBatchWriter();
  let i = 0;
  return () => {
    maker.makeInto(writer, i++, null);
    if (writer.count >= 64) {
      const batch = writer.take(0, 0, 0)!;
      if (batch.recycle) writer.recycle(batch.bytes);
    }
  };
}

for (const [type, n] of [
  ["random", 512],
  ["random", 2048],
  ["synthetic", 512],
] as const) {
  const data = await generator({ type, input_distribution: fixed(n), output_distribution: fixed(30) });
  group(`${type} ${n} tokens into a ready batch, per request`, () => {
    // A spread copy has no byte path (lib/data/prompt-bytes.ts), so it takes the string path.
    bench("strings: prompt, JSON body, UTF-8 copy", builderLoop({ ...data }, api));
    bench("bytes: assembled in the batch", builderLoop(data, api));
  });
}

const mock = await generator({ type: "mock" });
group("mock into a ready batch, per request (reference)", () => {
  bench("mock", builderLoop(mock, api));
});

await run({ format: process.env.BENCH_JSON ? "json" : "mitata" });
