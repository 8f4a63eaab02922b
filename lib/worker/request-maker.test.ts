import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import type { RequestConfig } from "../api/request.ts";
import { requestShapes } from "../api/request-shapes.testing.ts";
import { pieceFixtureTokenizer } from "../data/data.testing.ts";
import { promptBytesOf } from "../data/prompt-bytes.ts";
import { defaultTokenizer } from "../data/tokenizer/default.ts";
import type { DataGenerator, GeneratedRequest, Tokenizer } from "../data/types.ts";
import { ReadyBatchWriter, ReadyQueue } from "./ready-batch.ts";
import { createRequestMaker } from "./request-maker.ts";

const config = { api: { type: "chat", streaming: true }, server: { model_name: "m" } };

function generator(items: (index: number) => GeneratedRequest): DataGenerator {
  return { type: "test", size: undefined, next: items };
}

/** Makes `indices` into one batch and reads them back as the sender would. */
function make(data: DataGenerator, calls: [number, string | null][]) {
  let counts = 0;
  const tokenizer = {
    ...defaultTokenizer(),
    count: (t: string) => {
      counts++;
      return defaultTokenizer().count(t);
    },
  };
  const maker = createRequestMaker({ config, model: "base", data, tokenizer });
  const writer = new ReadyBatchWriter();
  for (const [index, adapter] of calls) maker.makeInto(writer, index, adapter);
  const queue = new ReadyQueue();
  queue.reset(0);
  queue.push(writer.take(0, 0, 0)!);
  return { ready: calls.map((_, k) => queue.take(k)!), counts: () => counts };
}

const item = (text: string, known?: number): GeneratedRequest => ({
  prompt: text,
  messages: [{ role: "user", content: text }],
  maxTokens: 5,
  expectedPromptTokens: undefined,
  ...(known === undefined ? {} : { clientPromptTokens: known }),
});

test("makes the chat body for the base model or the picked adapter, with its byte size", () => {
  const { ready } = make(
    generator((i) => item(`prompt ${i} é`)),
    [
      [7, null],
      [8, "lora-a"],
    ],
  );
  const bodies = ready.map((r) => JSON.parse(new TextDecoder().decode(r.body)));
  expect(bodies.map((b) => [b.model, b.messages[0].content])).toEqual([
    ["base", "prompt 7 é"],
    ["lora-a", "prompt 8 é"],
  ]);
  expect(ready[1]!.adapter).toBe("lora-a");
  expect(ready[0]!.body.byteLength).toBe(Buffer.byteLength(JSON.stringify(bodies[0])));
});

test("uses the generator's prompt count when it has one, else counts each distinct item once", () => {
  const shared = item("one two three");
  const known = make(
    generator(() => item("four five", 99)),
    [[0, null]],
  );
  expect(known.ready[0]!.promptTokens).toBe(99);
  expect(known.counts()).toBe(0);
  const cycled = make(
    generator(() => shared),
    [
      [0, null],
      [1, null],
      [2, null],
    ],
  );
  expect(cycled.ready.map((r) => r.promptTokens)).toEqual([3, 3, 3]);
  expect(cycled.counts()).toBe(1);
});

test("the body hash follows the content, so the sequence fingerprint does too", () => {
  const { ready } = make(
    generator((i) => item(i < 2 ? "same" : "other")),
    [
      [0, null],
      [1, null],
      [2, null],
      [3, "lora-a"],
    ],
  );
  expect(ready[0]!.hash).toBe(ready[1]!.hash);
  expect(new Set(ready.map((r) => r.hash)).size).toBe(3);
});

test("a generator that throws gives that request an error, not a stopped builder", () => {
  const { ready } = make(
    generator((i) => {
      if (i === 1) throw new RangeError("no row fits");
      return item("ok");
    }),
    [
      [0, null],
      [1, "lora-a"],
      [2, null],
    ],
  );
  expect(ready.map((r) => r.error)).toEqual([null, "RangeError: no row fits", null]);
  expect(ready[1]!.adapter).toBe("lora-a");
});

test("a builder making mock or random requests with the built-in tokenizer never loads its vocabulary, and counts as it would", async () => {
  // A fresh process: in this one other tests have loaded the vocabulary. The builder's own path:
  // tokenizer and generator as build-entry.ts gets them, then the request maker.
  const at = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
  const script = `
    const { configFromObject } = await import(${at("../config/load.ts")});
    const { vocabularyLoaded } = await import(${at("../data/tokenizer/default.ts")});
    const { workerDataGenerator, workerTokenizer } = await import(${at("./_data.ts")});
    const { createRequestMaker } = await import(${at("./request-maker.ts")});
    const { ReadyBatchWriter, ReadyQueue } = await import(${at("./ready-batch.ts")});
    const { createRng } = await import(${at("../load/rng.ts")});
    const lengths = { min: 5, max: 300, mean: 100, std_dev: 50 };
    const out = {};
    for (const [name, api, data] of [
      ["mock completion", "completion", { type: "mock" }],
      ["mock chat", "chat", { type: "mock" }],
      ["random", "completion", { type: "random", input_distribution: lengths, output_distribution: lengths }],
    ]) {
      const { config } = configFromObject(
        { api: { type: api }, data, load: { base_seed: 1, stages: [{ rate: 1, duration: 1 }] }, server: { base_url: "http://127.0.0.1:1", model_name: "m" } },
        { cpuCount: 1, now: new Date(0) },
      );
      const tokenizer = await workerTokenizer(config);
      const dataGenerator = await workerDataGenerator(config, { tokenizer, rng: createRng(1), workerId: 0, traceLengths: undefined });
      const maker = createRequestMaker({ config, model: "m", data: dataGenerator, tokenizer });
      const writer = new ReadyBatchWriter();
      for (let i = 0; i < 50; i++) maker.makeInto(writer, i * 997, null);
      const queue = new ReadyQueue();
      queue.reset(0);
      queue.push(writer.take(0, 0, 0));
      const items = Array.from({ length: 50 }, (_, k) => dataGenerator.next(k * 997));
      out[name] = { counts: Array.from({ length: 50 }, (_, k) => queue.take(k).promptTokens), items };
    }
    console.log(JSON.stringify({ out, loaded: vocabularyLoaded() }));
  `;
  const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  expect(child.stderr).toBe("");
  const { out, loaded } = JSON.parse(child.stdout);
  expect(loaded).toBe(false);
  // The counts the builder wrote are the vocabulary's own.
  const tokenizer = defaultTokenizer();
  for (const [name, api] of [
    ["mock completion", "completion"],
    ["mock chat", "chat"],
    ["random", "completion"],
  ] as const) {
    const { counts, items } = out[name] as { counts: number[]; items: GeneratedRequest[] };
    const expected = items.map((it) =>
      api === "completion" ? tokenizer.count(it.prompt) : tokenizer.count(it.messages[0]!.content as string),
    );
    expect(counts).toEqual(expected);
  }
}, 30_000);

describe.each(["random", "synthetic"])("%s requests assembled from bytes", (type) => {
  /** The tokenizer's generator (built-in by default), 1-700-token prompts, as a builder gets it. */
  async function generatorOf(output: Record<string, number>, tokenizer: Tokenizer = defaultTokenizer()) {
    const { configFromObject } = await import("../config/load.ts");
    const { createDataGenerator } = await import("../data/create.ts");
    const { createRng } = await import("../load/rng.ts");
    const data = {
      type,
      input_distribution: { min: 1, max: 700, mean: 300, std_dev: 200 },
      output_distribution: output,
    };
    const raw = { data, load: { base_seed: 7, stages: [{ rate: 1, duration: 1 }] } };
    const { config } = configFromObject(raw, { cpuCount: 1, now: new Date(0) });
    return createDataGenerator(config, { tokenizer, rng: createRng(1), workerId: 0 });
  }

  /** Requests 0 … 39 with adapters cycling through `adapters`, read back as the sender takes them. */
  function built(config: RequestConfig, data: DataGenerator, adapters: (string | null)[]) {
    const maker = createRequestMaker({ config, model: "base-model", data, tokenizer: defaultTokenizer() });
    const writer = new ReadyBatchWriter(256, 4); // small, so bodies are written across buffer growth
    for (let i = 0; i < 40; i++) maker.makeInto(writer, i * 31, adapters[i % adapters.length] ?? null);
    const queue = new ReadyQueue();
    queue.reset(0);
    queue.push(writer.take(0, 0, 0)!);
    return Array.from({ length: 40 }, (_, k) => {
      const r = queue.take(k)!;
      return {
        body: new TextDecoder().decode(r.body),
        hash: r.hash,
        tokens: r.promptTokens,
        adapter: r.adapter,
      };
    });
  }

  const shapes = requestShapes("base-model");

  test.each(shapes)("give the string path's bytes, hash and prompt count: %s", async (_name, config) => {
    for (const output of [
      { min: 1, max: 200, mean: 50, std_dev: 40 },
      { min: 0, max: 0, mean: 0, std_dev: 0 }, // max_tokens 0: the default 30 is sent
    ]) {
      const data = await generatorOf(output);
      expect(promptBytesOf(data)).not.toBeNull();
      // A spread copy has no byte path: the string path, as every generator had before.
      expect(promptBytesOf({ ...data })).toBeNull();
      const adapters = [null, "lora-a", null, "adapter/b-2"];
      const fast = built(config, data, adapters);
      const slow = built(config, { ...data }, adapters);
      expect(fast).toEqual(slow);
      const bodies = fast.map((r) => JSON.parse(r.body));
      expect(new Set(bodies.map((b) => b.model))).toEqual(new Set(["base-model", "lora-a", "adapter/b-2"]));
      for (const [k, r] of fast.entries()) {
        const item = data.next(k * 31);
        expect(r.tokens).toBe(item.clientPromptTokens!);
        expect(bodies[k].prompt ?? bodies[k].messages[0].content).toBe(item.prompt);
      }
    }
  });

  test("give the string path's bytes under a SentencePiece-style tokenizer.json too (a text's first word without its space)", async () => {
    const data = await generatorOf(
      { min: 1, max: 50, mean: 20, std_dev: 10 },
      pieceFixtureTokenizer("llama2"),
    );
    expect(promptBytesOf(data)).not.toBeNull();
    for (const [, config] of requestShapes("base-model").slice(0, 8)) {
      expect(built(config, data, [null, "lora-a"])).toEqual(built(config, { ...data }, [null, "lora-a"]));
    }
  });

  test("make no prompt string: the generator's next() is not called", async () => {
    const data = await generatorOf({ min: 5, max: 5, mean: 5, std_dev: 0 });
    const next = data.next;
    (data as { next: DataGenerator["next"] }).next = () => {
      throw new Error("next() called");
    };
    const made = built({ api: { type: "completion", streaming: false } }, data, [null]);
    expect(made.map((r) => JSON.parse(r.body).prompt)).toEqual(made.map((_, k) => next(k * 31).prompt));
    expect(made.map((r) => r.tokens)).toEqual(made.map((_, k) => next(k * 31).clientPromptTokens as number));
  });
});
