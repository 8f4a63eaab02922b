// Data generation cost per request, and the default tokenizer's count/encode/decode.
// Run: bun scripts/bench/data.bench.ts (BENCH_JSON=1 prints mitata's JSON).
// Generators are asked for a fresh index on every call, as the send path does, so nothing is cached
// between calls except what the generator itself keeps (shared_prefix and shareGPT pre-build).
import { readFileSync } from "node:fs";
import { bench, group, run } from "mitata";
import { configFromObject } from "../../lib/config/load.ts";
import { SHAKESPEARE_CORIOLANUS } from "../../lib/data/assets/shakespeare.ts";
import { createDataGenerator } from "../../lib/data/create.ts";
import { fittedCorpusText, fittedRandomText, tokenByTokenText } from "../../lib/data/fit-baseline.testing.ts";
import { defaultTokenizer } from "../../lib/data/tokenizer/default.ts";
import { createJsonTokenizer } from "../../lib/data/tokenizer/json.ts";
import type { DataGenerator } from "../../lib/data/types.ts";
import { createRng } from "../../lib/load/rng.ts";
import { ReadyBatchWriter } from "../../lib/worker/ready-batch.ts";
import { createRequestMaker } from "../../lib/worker/request-maker.ts";

const tokenizer = defaultTokenizer();
const fixtureUrl = new URL("../../fixtures/data/", import.meta.url);
const fixture = createJsonTokenizer(
  JSON.parse(readFileSync(new URL("tokenizer.json", fixtureUrl), "utf8")),
  {},
  "fixture",
);

function config(data: Record<string, unknown>) {
  const raw = { data, load: { base_seed: 1, stages: [{ rate: 1, duration: 1 }] } };
  return configFromObject(raw, { cpuCount: 1, now: new Date(0) }).config;
}
const io = (mean: number) => ({
  input_distribution: { type: "fixed", mean, min: mean, max: mean },
  output_distribution: { type: "fixed", mean: 128, min: 128, max: 128 },
});
const make = (data: Record<string, unknown>, tok = tokenizer) =>
  createDataGenerator(config(data), { tokenizer: tok, rng: createRng(1), workerId: 0 });

const generators: [string, DataGenerator][] = [
  ["mock", await make({ type: "mock" })],
  ["random, 128 tokens", await make({ type: "random", ...io(128) })],
  ["random, 512 tokens", await make({ type: "random", ...io(512) })],
  ["random, 2048 tokens", await make({ type: "random", ...io(2048) })],
  ["synthetic, 512 tokens", await make({ type: "synthetic", ...io(512) })],
  ["synthetic, 2048 tokens", await make({ type: "synthetic", ...io(2048) })],
  // A tokenizer.json tokenizer (the byte-level BPE fixture, 656 tokens: ~2 tokens per word).
  ["random, 1024 tokens, tokenizer.json", await make({ type: "random", ...io(1024) }, fixture)],
  ["synthetic, 512 tokens, tokenizer.json", await make({ type: "synthetic", ...io(512) }, fixture)],
  ["shared_prefix (10x10, 100+50; pre-built)", await make({ type: "shared_prefix", shared_prefix: {} })],
  [
    "shareGPT (fixture; lazily counted)",
    await make({ type: "shareGPT", path: new URL("sharegpt-sample.json", fixtureUrl).pathname }),
  ],
];

group("generator.next(index), fresh index per call", () => {
  for (const [name, gen] of generators) {
    let i = 0;
    bench(name, () => gen.next(i++));
  }
});

// The fitting path (every random prompt before prompts were exact by construction, and still the path
// for tokenizers without an exact pool): draw whitespace-led ids, decode, count, adjust.
group("random 512 tokens: exact by construction vs fitted with the tokenizer", () => {
  const exact = generators.find(([name]) => name === "random, 512 tokens")![1];
  let i = 0;
  bench("exact by construction (random.ts now)", () => exact.next(i++));
  bench("fitted: decode + count (+ adjust)", () => fittedRandomText(tokenizer, 512, 1, i++));
});

// random's prompts past their first 32 tokens are runs copied from a table (random.ts now) against
// every token drawn one by one (exactText alone, what random.ts did before the table).
group("random: runs from a table vs every token drawn", () => {
  for (const n of [512, 2048]) {
    const runs = generators.find(([name]) => name === `random, ${n} tokens`)![1];
    let i = 0;
    bench(`${n} tokens, runs (random.ts now)`, () => runs.next(i++));
    bench(`${n} tokens, token by token`, () => tokenByTokenText(tokenizer, n, 1, i++));
  }
});

// The same for synthetic: corpus windows cut at word starts (synthetic.ts now) against a window of
// corpus ids fitted with the tokenizer (every synthetic prompt before, and still the path where the
// windows' check fails).
group("synthetic 512 tokens: exact windows vs fitted with the tokenizer", () => {
  for (const [label, tok] of [
    ["default", tokenizer],
    ["tokenizer.json", fixture],
  ] as const) {
    const exact = generators.find(([name]) =>
      label === "default"
        ? name === "synthetic, 512 tokens"
        : name === "synthetic, 512 tokens, tokenizer.json",
    )![1];
    const ids = tok.encode(SHAKESPEARE_CORIOLANUS);
    let i = 0;
    bench(`${label}: exact windows (synthetic.ts now)`, () => exact.next(i++));
    bench(`${label}: fitted: decode + count (+ adjust)`, () =>
      fittedCorpusText(tok, ids, { n: 512, seed: 1, index: i++ }),
    );
  }
});

// What a builder Worker does per request: generate, serialise the body, count, hash, UTF-8 into its batch
// (random and synthetic: the body assembled from bytes instead; scripts/bench/bodies.bench.ts compares).
group("one request made into a ready batch (builder Worker, per request)", () => {
  for (const name of [
    "mock",
    "random, 512 tokens",
    "random, 2048 tokens",
    "synthetic, 512 tokens",
    "random, 1024 tokens, tokenizer.json",
  ]) {
    const data = generators.find(([n]) => n === name)![1];
    const maker = createRequestMaker({
      config: { api: { type: "completion", streaming: true }, server: { model_name: "m" } },
      model: "m",
      data,
      tokenizer: name.endsWith("tokenizer.json") ? fixture : tokenizer,
    });
    const writer = new ReadyBatchWriter();
    let i = 0;
    bench(name, () => {
      maker.makeInto(writer, i++, null);
      if (writer.count >= 64) writer.take(0, 0, 0);
    });
  }
});

const text512 = SHAKESPEARE_CORIOLANUS.slice(0, 2200); // about 512 cl100k tokens
const text4k = SHAKESPEARE_CORIOLANUS.slice(0, 17000); // about 4,000 tokens
const ids512 = tokenizer.encode(text512);
group(`default tokenizer (${tokenizer.name}), natural text`, () => {
  bench(`count ${tokenizer.count(text512)} tokens`, () => tokenizer.count(text512));
  bench(`count ${tokenizer.count(text4k)} tokens`, () => tokenizer.count(text4k));
  bench(`encode ${ids512.length} tokens`, () => tokenizer.encode(text512));
  bench(`decode ${ids512.length} tokens`, () => tokenizer.decode(ids512));
});

let n = 0;
group("count, text never seen before (no merge-cache hits)", () => {
  bench("default, ~512 tokens", () => tokenizer.count(`${n++} ${text512}`.replaceAll("e", String(n % 10))));
  bench("tokenizer.json fixture, ~512 default tokens", () => fixture.count(`${n++} ${text512}`));
});

await run({ format: process.env.BENCH_JSON ? "json" : "mitata" });
