// trace_replay end to end: `runBenchmark` with load.trace + data.trace against the simulator; the
// per-request report shows when each row was scheduled and sent, and what the server counted.
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readTrace, type Trace } from "../data/trace-csv.ts";
import { readReport, runBenchmarkFrom, simConfig, simForTests } from "../run/benchmark.testing.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";

const sample = join(import.meta.dir, "../../fixtures/traces/sample.csv");
let trace: Trace;
/** The keys of per_request_lifecycle_metrics.json entries this test reads. */
interface Entry {
  index: number;
  stage_id: number;
  scheduled_time: number;
  start_time: number;
  error: unknown;
  info: {
    adapter: string | null;
    input_tokens: number;
    input_tokens_source: string;
    server_output_tokens: number;
  };
}
let entries: Entry[];

const dir = tempDirForTests("inferload-trace-e2e-");
// Fast simulated server, so that no request waits for a slot and send times are the trace's own.
const sim = simForTests({ loras: ["movie", "consumer"], prefillMs: 1, prefillMsPerToken: 0, itlMs: 1 });

beforeAll(async () => {
  trace = await readTrace({ file: sample, format: "AzurePublicDataset" });
  const raw = simConfig(sim().url, {
    server: { ignore_eos: true },
    data: { type: "random", trace: { file: sample, format: "AzurePublicDataset" } },
    load: {
      type: "trace_replay",
      trace: { file: sample, format: "AzurePublicDataset" },
      stages: [{ rate: 1, duration: 1 }],
      base_seed: 3,
      lora_traffic_split: [
        { name: "movie", split: 0.5 },
        { name: "consumer", split: 0.5 },
      ],
    },
    report: { request_lifecycle: { per_request: true } },
    storage: { local_storage: { path: dir } },
  });
  await runBenchmarkFrom(raw);
  entries = readReport(dir, "per_request_lifecycle_metrics.json");
  entries.sort((a, b) => a.index - b.index);
}, 30_000);

describe("trace_replay against the simulator", () => {
  test("sends one request per trace row (data.trace sets the count), all successful", () => {
    expect(entries.map((e) => e.index)).toEqual(Array.from({ length: trace.count }, (_, i) => i));
    expect(entries.every((e) => e.error === null && e.stage_id === 0)).toBe(true);
  });

  test("sends every row to one of the LoRA adapters (lora_traffic_split works with trace_replay)", () => {
    const adapters = new Set(entries.map((e) => e.info.adapter));
    expect([...adapters].sort()).toEqual(["consumer", "movie"]);
  });

  test("schedules row i exactly at the trace's offset i from the first row", () => {
    // scheduled_time is in seconds on the run clock (~1.7e9 s), so compare within 1 µs.
    const t0 = entries[0]!.scheduled_time;
    entries.forEach((e, i) => {
      expect((e.scheduled_time - t0) * 1000).toBeCloseTo(trace.offsetsMs[i]!, 3);
    });
  });

  test("sends within the scheduler's accuracy of the trace's times", () => {
    // Tolerant bounds for a busy 2-core machine; docs/PERFORMANCE.md has the measured accuracy.
    const delaysMs = entries.map((e) => (e.start_time - e.scheduled_time) * 1000).sort((a, b) => a - b);
    expect(delaysMs[0]!).toBeGreaterThan(-1);
    expect(delaysMs[Math.floor(delaysMs.length / 2)]!).toBeLessThan(5);
    expect(delaysMs.at(-1)!).toBeLessThan(250);
  });

  test("sends each row's token counts: prompt as ContextTokens (±1), output exactly GeneratedTokens", () => {
    entries.forEach((e, i) => {
      // info.input_tokens is the server's usage.prompt_tokens; random prompts fit their target
      // within ±1 token where the tokenizer makes exact impossible (docs of lib/data/_fit.ts).
      expect(e.info.input_tokens_source).toBe("server");
      expect(Math.abs(e.info.input_tokens - trace.inputTokens[i]!)).toBeLessThanOrEqual(1);
      expect(e.info.server_output_tokens).toBe(trace.outputTokens[i]!);
    });
  });
});
