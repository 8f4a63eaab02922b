import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../cli/errors.ts";
import { createRng } from "../load/rng.ts";
import { createDataGenerator, type DataGenConfig } from "./create.ts";
import { dataConfig, FIXTURES } from "./data.testing.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";

const TRACE = fileURLToPath(new URL("../../fixtures/traces/sample.csv", import.meta.url));
const io = {
  input_distribution: { type: "normal", mean: 200, std_dev: 50, min: 20, max: 400, total_count: 50 },
  output_distribution: { type: "uniform", min: 10, max: 90, total_count: 50 },
};

function create(config: DataGenConfig, workerId = 0) {
  return createDataGenerator(config, {
    tokenizer: defaultTokenizer(),
    rng: createRng(workerId),
    workerId,
    env: {},
  });
}

describe("createDataGenerator()", () => {
  test("mock: inference-perf's fixed prompts, no max_tokens", async () => {
    const gen = await create(dataConfig({ type: "mock" }));
    expect(gen.next(7)).toEqual({
      prompt: "1 2 3 7",
      messages: [{ role: "user", content: "mock prompt 7" }],
      maxTokens: undefined,
      expectedPromptTokens: undefined,
    });
  });

  test.each(["random", "synthetic"])(
    "%s: lengths follow the configured distributions, exactly",
    async (type) => {
      const gen = await create(dataConfig({ type, ...io }));
      const tok = defaultTokenizer();
      for (let i = 0; i < 20; i++) {
        const item = gen.next(i);
        expect(tok.count(item.prompt)).toBe(item.expectedPromptTokens as number);
        expect(item.expectedPromptTokens).toBeGreaterThanOrEqual(20);
        expect(item.expectedPromptTokens).toBeLessThanOrEqual(400);
        expect(item.maxTokens).toBeGreaterThanOrEqual(10);
        expect(item.maxTokens).toBeLessThanOrEqual(90);
      }
    },
  );

  test.each(["random", "synthetic", "shared_prefix", "shareGPT"])(
    "%s: every worker produces the same request for the same index and base_seed",
    async (type) => {
      const extra =
        type === "shareGPT"
          ? { path: `${FIXTURES}sharegpt-sample.json` }
          : type === "shared_prefix"
            ? { shared_prefix: { num_groups: 2, num_prompts_per_group: 3 } }
            : io;
      const data = { type, ...extra };
      const config = dataConfig(data, { seed: 99 });
      const [w0, w3] = await Promise.all([create(config, 0), create(config, 3)]);
      for (const i of [0, 5, 11]) expect(w3.next(i)).toEqual(w0.next(i));
      const other = await create(dataConfig(data, { seed: 100 }));
      if (type !== "shareGPT") expect(other.next(0).prompt).not.toBe(w0.next(0).prompt);
    },
  );

  test("random with data.trace takes each request's lengths from its trace row", async () => {
    const gen = await create(dataConfig({ type: "random", trace: { file: TRACE } }));
    expect(gen.size).toBe(40);
    expect([0, 1, 2].map((i) => [gen.next(i).expectedPromptTokens, gen.next(i).maxTokens])).toEqual([
      [119, 36],
      [314, 36],
      [34, 27],
    ]);
  });

  test("random with data.trace uses lengths the main thread already read, without opening the file", async () => {
    const gen = await createDataGenerator(
      dataConfig({ type: "random", trace: { file: "/nonexistent/trace.csv" } }),
      {
        tokenizer: defaultTokenizer(),
        rng: createRng(0),
        workerId: 0,
        env: {},
        traceLengths: { inputTokens: Int32Array.of(12, 30), outputTokens: Int32Array.of(5, 7) },
      },
    );
    expect(gen.size).toBe(2);
    expect([0, 1].map((i) => [gen.next(i).expectedPromptTokens, gen.next(i).maxTokens])).toEqual([
      [12, 5],
      [30, 7],
    ]);
  });

  test("synthetic reads data.corpus_file_path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inferload-corpus-"));
    try {
      const file = join(dir, "corpus.txt");
      writeFileSync(file, "zebra ".repeat(400));
      const gen = await create(dataConfig({ type: "synthetic", corpus_file_path: file, ...io }));
      expect(gen.next(0).prompt).toContain("zebra zebra");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("shared_prefix: int lengths, legacy question_distribution, its own seed", async () => {
    const shared_prefix = {
      num_groups: 2,
      num_prompts_per_group: 3,
      system_prompt_len: 40,
      question_len: 10,
      question_distribution: { type: "fixed", mean: 25, min: 25, max: 25 },
      output_len: 12,
      seed: 5,
    };
    const a = await create(dataConfig({ type: "shared_prefix", shared_prefix }, { seed: 1 }));
    const b = await create(dataConfig({ type: "shared_prefix", shared_prefix }, { seed: 2 }));
    expect(a.size).toBe(6);
    expect(a.next(0)).toEqual(b.next(0)); // shared_prefix.seed wins over base_seed
    expect(a.next(0).expectedPromptTokens).toBe(65);
    expect(a.next(0).maxTokens).toBe(12);
  });

  test("shareGPT reads data.path and applies the distributions' min/max as filters", async () => {
    const gen = await create(
      dataConfig({
        type: "shareGPT",
        path: `${FIXTURES}sharegpt-sample.json`,
        output_distribution: { min: 1, max: 12 },
      }),
    );
    for (let i = 0; i < 4; i++) expect(gen.next(i).maxTokens).toBeLessThanOrEqual(12);
  });

  test.each([
    [
      "an unsupported data.type",
      { type: "conversation_replay", conversation_replay: {} },
      'data.type: "conversation_replay" is not supported yet',
    ],
    ["random without distributions", { type: "random" }, "data.input_distribution: expected a distribution"],
    [
      "shared_prefix without its section",
      { type: "shared_prefix" },
      "data.shared_prefix: expected a section",
    ],
    ["a missing ShareGPT file", { type: "shareGPT", path: "/nonexistent/sharegpt.json" }, "file not found"],
    [
      "a missing corpus file",
      { type: "synthetic", corpus_file_path: "/nonexistent/corpus.txt", ...io },
      "file not found",
    ],
    [
      "ShareGPT filters nothing passes",
      {
        type: "shareGPT",
        path: `${FIXTURES}sharegpt-sample.json`,
        input_distribution: { min: 900, max: 1000 },
      },
      "No ShareGPT conversation fits",
    ],
  ])("rejects %s with a UserError", async (_label, data, message) => {
    const error = await create(dataConfig(data)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(message);
  });
});
