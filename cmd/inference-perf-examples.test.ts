// inference-perf's example configs for structured output run unchanged (but for the server URL, a
// local tokenizer and shorter stages) against the built-in simulator serving the example's model.
// The circuit-breaker example runs in run-circuit-breaker.test.ts.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { readReport, tempDirForTests, withSim } from "../lib/run/benchmark.testing.ts";
import { runCli } from "./main.ts";

const dir = tempDirForTests("inferload-examples-");

const examples = join(import.meta.dir, "../fixtures/inference-perf-examples");
const tokenizer = join(import.meta.dir, "../fixtures/data/tokenizer.json");

test("examples/structured-output/config.yml validates and runs: every response satisfies the schema's JSON", async () => {
  const config = join(examples, "structured-output.yml");
  // The example names a Hugging Face tokenizer; a local tokenizer.json stands in (no network here).
  const local = ["--set", `tokenizer.pretrained_model_name_or_path="${tokenizer}"`];
  expect(await runCli(["validate", "-c", config, ...local])).toBe(0);
  await withSim(
    {
      model: "HuggingFaceTB/SmolLM2-135M-Instruct",
      prefillMs: 1,
      itlMs: 1,
    },
    async (sim) => {
      const out = join(dir, "structured-output");
      const code = await runCli([
        "run",
        "-c",
        config,
        ...local,
        "--set",
        `server.base_url="${sim.url}"`,
        "--set",
        'load.stages=[{"rate":10,"duration":1}]',
        "--quiet",
        "--output-dir",
        out,
      ]);
      expect(code).toBe(0);
      const summary = readReport(out, "summary_lifecycle_metrics.json");
      expect(summary.successes.count).toBe(10);
      // Output lengths of 10-100 tokens all fit {"name": …, "age": …}: every document parses.
      expect(summary.structured_output).toEqual({ checked: 10, invalid_json: 0 });
    },
  );
}, 30_000);
