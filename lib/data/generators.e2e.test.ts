// End-to-end per generator: the real `inferload run` against the built-in simulator. The simulator's
// usage.prompt_tokens (counted with the same built-in tokenizer) must equal the generated lengths,
// and its completion tokens the requested max_tokens (ignore_eos is on by default).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cmd/main.ts";
import { configFromObject } from "../config/load.ts";
import { createRng } from "../load/rng.ts";
import { textOf } from "../media/content.ts";
import { startSimOnFreePort } from "../sim/start.ts";
import type { TruthRecord } from "../sim/truth-log.ts";
import { createDataGenerator } from "./create.ts";
import { FIXTURES } from "./data.testing.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";

const N = 12;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "inferload-data-e2e-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = {
  input_distribution: { type: "normal", mean: 120, std_dev: 40, min: 10, max: 300 },
  output_distribution: { type: "uniform", min: 2, max: 12 },
};

describe.each([
  ["mock", "completion", { type: "mock" }],
  ["random", "completion", { type: "random", ...io }],
  ["synthetic", "completion", { type: "synthetic", ...io }],
  [
    "shared_prefix",
    "chat",
    { type: "shared_prefix", shared_prefix: { num_groups: 2, num_prompts_per_group: 3, output_len: 4 } },
  ],
  [
    "shared_prefix",
    "completion",
    { type: "shared_prefix", shared_prefix: { num_groups: 2, num_prompts_per_group: 3, output_len: 4 } },
  ],
  ["shareGPT", "chat", { type: "shareGPT", path: `${FIXTURES}sharegpt-sample.json` }],
])("data.type %s over the %s API", (type, api, data) => {
  test("the server's prompt and completion token counts match what the generator made", async () => {
    const truth: TruthRecord[] = [];
    const sim = await startSimOnFreePort({ prefillMs: 1, itlMs: 1, onTruth: (r) => truth.push(r) });
    try {
      const raw = {
        api: { type: api, streaming: true },
        data,
        load: {
          type: "concurrent",
          num_workers: 2,
          base_seed: 21,
          stages: [{ num_requests: N, concurrency_level: 4 }],
        },
        server: { base_url: sim.url, model_name: "sim-model" },
      };
      const path = join(dir, `${type}-${api}.json`);
      writeFileSync(path, JSON.stringify(raw));
      expect(await runCli(["run", "-c", path, "--quiet", "--output-dir", join(dir, `${type}-${api}`)])).toBe(
        0,
      );

      // What the generator makes for requests 0..N-1 with the same config (any worker gives the same).
      const tok = defaultTokenizer();
      const { config } = configFromObject(raw, { cpuCount: 2, now: new Date(0) });
      const gen = await createDataGenerator(config, { tokenizer: tok, rng: createRng(0), workerId: 0 });
      const expected = Array.from({ length: N }, (_, i) => {
        const item = gen.next(i);
        // The simulator counts the prompt string, or each chat message's content.
        const prompt =
          api === "chat"
            ? item.messages.reduce((n, m) => n + tok.count(textOf(m.content)), 0)
            : tok.count(item.prompt);
        if (item.expectedPromptTokens !== undefined && api === "completion") {
          expect(item.expectedPromptTokens).toBe(prompt);
        }
        return `${prompt}/${item.maxTokens ?? 30}`;
      });
      const seen = truth.map((t) => `${t.promptTokens}/${t.completionTokens}`);
      expect(seen.sort()).toEqual(expected.sort());
    } finally {
      await sim.stop();
    }
  }, 60_000);
});
