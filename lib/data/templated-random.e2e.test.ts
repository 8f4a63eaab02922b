// data.use_chat_template end to end: the real `inferload run` against the built-in simulator, which
// counts prompts with the same tokenizer (fixtures/data/chat, ChatML): every prompt the server gets is
// the templated one and exactly its input length, template tokens included.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cmd/main.ts";
import { configFromObject } from "../config/load.ts";
import { createRng } from "../load/rng.ts";
import { startSimOnFreePort } from "../sim/start.ts";
import type { TruthRecord } from "../sim/truth-log.ts";
import { createDataGenerator } from "./create.ts";
import { chatFixtureTokenizer, FIXTURES } from "./data.testing.ts";

const N = 10;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "inferload-template-e2e-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const raw = (url: string, tokenizer: string) => ({
  api: { type: "completion", streaming: true },
  data: {
    type: "random",
    use_chat_template: true,
    input_distribution: { type: "uniform", min: 40, max: 200 },
    output_distribution: { type: "fixed", mean: 4, min: 4, max: 4 },
  },
  load: {
    type: "concurrent",
    num_workers: 2,
    base_seed: 8,
    stages: [{ num_requests: N, concurrency_level: 2 }],
  },
  server: { base_url: url, model_name: "sim-model" },
  tokenizer: { pretrained_model_name_or_path: tokenizer },
});

test("the server gets each random prompt in the chat template, exactly its input length", async () => {
  const tokenizer = chatFixtureTokenizer();
  const truth: TruthRecord[] = [];
  const sim = await startSimOnFreePort({ prefillMs: 1, itlMs: 1, tokenizer, onTruth: (r) => truth.push(r) });
  const config = raw(sim.url, `${FIXTURES}chat`);
  const path = join(dir, "templated.json");
  writeFileSync(path, JSON.stringify(config));
  try {
    expect(await runCli(["run", "-c", path, "--quiet", "--output-dir", join(dir, "templated")])).toBe(0);
  } finally {
    await sim.stop();
  }
  // What the generator makes for requests 0..N-1 (any Worker makes the same).
  const resolved = configFromObject(config, { cpuCount: 2, now: new Date(0) }).config;
  const gen = await createDataGenerator(resolved, { tokenizer, rng: createRng(0), workerId: 0 });
  const inputs = Array.from({ length: N }, (_, i) => gen.next(i).expectedPromptTokens as number).sort(
    (a, b) => a - b,
  );
  expect(inputs.every((n) => n >= 40 && n <= 200)).toBe(true);
  expect(truth.map((r) => r.promptTokens).sort((a, b) => a - b)).toEqual(inputs);
  const summary = JSON.parse(readFileSync(join(dir, "templated", "summary_lifecycle_metrics.json"), "utf8"));
  expect(summary.successes.count).toBe(N);
}, 60_000);

test("a tokenizer without a chat template stops the run before any request (exit 2)", async () => {
  const truth: TruthRecord[] = [];
  const sim = await startSimOnFreePort({ prefillMs: 1, itlMs: 1, onTruth: (r) => truth.push(r) });
  const path = join(dir, "no-template.json");
  writeFileSync(path, JSON.stringify(raw(sim.url, `${FIXTURES}tokenizer.json`)));
  try {
    expect(await runCli(["run", "-c", path, "--quiet", "--output-dir", join(dir, "no-template")])).toBe(2);
  } finally {
    await sim.stop();
  }
  expect(truth).toEqual([]);
}, 60_000);
