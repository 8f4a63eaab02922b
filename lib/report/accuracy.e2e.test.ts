// End to end: the real `inferload run` (Workers, socket transport, reader, collector, reports) against
// the built-in simulator, whose truth log says when it wrote each token. The measured TTFT and ITL
// medians must agree with the simulator's within 1 ms at modest load, token counts must equal usage,
// and an interrupted run must still leave its report files (and per-request records) on disk.
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cmd/main.ts";
import { percentileSorted } from "../metrics/percentiles.ts";
import {
  randomData,
  readReport as read,
  simConfig,
  withSim,
  writeConfigFile,
} from "../run/benchmark.testing.ts";
import type { TruthRecord } from "../sim/truth-log.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";

const dir = tempDirForTests("inferload-accuracy-");

function median(values: number[]): number {
  return percentileSorted(Float64Array.from(values).sort(), 50);
}

function writeConfig(
  name: string,
  url: string,
  load: Record<string, unknown>,
  report: Record<string, unknown> = {},
) {
  const config = simConfig(url, {
    api: { type: "chat" },
    data: randomData({ min: 30, max: 60, mean: 45, std_dev: 8 }, { min: 12, max: 24, mean: 18, std_dev: 3 }),
    load: { num_workers: 2, base_seed: 11, ...load },
    report: { request_lifecycle: { per_request: true, ...report } },
  });
  return writeConfigFile(dir, config, name);
}

interface Attempt {
  ttftError: number;
  itlError: number;
}

/**
 * One 2-second run at 10 req/s against a simulator with a 15 ms TTFT and 6 ms ITL; checks what must
 * hold on any machine (counts, causality) and returns how far the medians are from the truth.
 */
async function measureOnce(attempt: number): Promise<Attempt> {
  const truth: TruthRecord[] = [];
  return withSim(
    {
      prefillMs: 15,
      prefillMsPerToken: 0,
      itlMs: 6,
      onTruth: (r) => truth.push(r),
    },
    async (sim) => {
      const out = join(dir, `accuracy-${attempt}`);
      const config = writeConfig(`accuracy-${attempt}`, sim.url, {
        type: "constant",
        stages: [{ rate: 10, duration: 2 }],
      });
      expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", out])).toBe(0);
      const stage = read(out, "stage_0_lifecycle_metrics.json");
      expect(stage.successes.count).toBe(20);
      expect(truth).toHaveLength(20);

      // Token counts: the report's totals are the server's usage, which is what the simulator generated.
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      expect(stage.successes.output_tokens.total).toBe(sum(truth.map((t) => t.completionTokens)));
      expect(stage.successes.prompt_tokens.total).toBe(sum(truth.map((t) => t.promptTokens)));
      expect(stage.token_source).toEqual({ prompt: "server", output: "server" });

      // Per request: one token event per token written, each stamped after the simulator wrote it (one
      // clock for every thread). Each client request is paired with the unpaired server record of the same
      // length whose first token was written last before the client saw its own. The send stamp is not
      // compared: a busy machine can preempt the client between write() and reading the clock.
      type Entry = { info: { output_token_times: number[] } };
      const slack = 0.01; // ms: float rounding of epoch seconds in the JSON
      const unpaired = new Set(truth);
      const clientTimes = (read(out, "per_request_lifecycle_metrics.json") as Entry[])
        .map((entry) => entry.info.output_token_times.map((s) => s * 1000))
        .sort((x, y) => x[0]! - y[0]!);
      expect(clientTimes).toHaveLength(20);
      for (const times of clientTimes) {
        let pair: TruthRecord | undefined;
        for (const t of unpaired) {
          if (t.tokenMs.length !== times.length || t.tokenMs[0]! > times[0]! + slack) continue;
          if (pair === undefined || t.tokenMs[0]! > pair.tokenMs[0]!) pair = t;
        }
        expect(pair).toBeDefined();
        unpaired.delete(pair!);
        times.forEach((ms, k) => {
          expect(ms).toBeGreaterThanOrEqual(pair!.tokenMs[k]! - slack);
        });
      }

      // Server side: TTFT from receiving the request to writing the first token; ITL between token writes.
      const truthTtft = median(truth.map((t) => (t.firstTokenMs - t.receivedMs) / 1000));
      const truthItl = median(
        truth.flatMap((t) => t.tokenMs.slice(1).map((ms, k) => (ms - t.tokenMs[k]!) / 1000)),
      );
      return {
        ttftError: Math.abs(stage.successes.latency.time_to_first_token.median - truthTtft),
        itlError: Math.abs(stage.successes.latency.inter_token_latency.median - truthItl),
      };
    },
  );
}

test("measured TTFT and ITL medians agree with the simulator's truth within 1 ms; token counts equal usage", async () => {
  // ITL is measured between two reads on the same connection, so loopback latency cancels out: it
  // stays within microseconds of the truth even on a loaded machine. TTFT is not a difference of two
  // client reads: it also holds the request's and the first token's trips over loopback and both event
  // loops' wake-ups, which this 2-core box shared by several test runs stretches to 1-3 ms (0.2-0.3 ms
  // when quiet). So: up to three runs, the best must be within 1 ms, or within 5 ms while the load
  // average exceeds 1.5 per core. A wrong timestamp (taken at the headers, after parsing, at the end of
  // the stream, on the wrong event) is off by the 15 ms prefill or more in every run.
  const busy = loadavg()[0]! > 1.5 * availableParallelism();
  const ttftTolerance = busy ? 0.005 : 0.001;
  const attempts: Attempt[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await measureOnce(attempt);
    attempts.push(result);
    if (result.ttftError < 0.001 && result.itlError < 0.001) break;
  }
  const best = attempts.reduce((a, b) => (b.ttftError < a.ttftError ? b : a));
  expect(best.ttftError).toBeLessThan(ttftTolerance);
  for (const attempt of attempts) expect(attempt.itlError).toBeLessThan(0.001);
}, 60_000);

test("a finished stage is on disk while the next runs; an interrupted run still writes every file", async () => {
  await withSim({ prefillMs: 2, itlMs: 2 }, async (sim) => {
    const out = join(dir, "interrupted");
    const config = writeConfig("interrupted", sim.url, {
      type: "constant",
      stages: [
        { rate: 20, duration: 1 },
        { rate: 20, duration: 60 },
      ],
    });
    const running = runCli(["run", "-c", config, "--quiet", "--output-dir", out]);
    // Wait (at most 20 s) for stage 0's file, written as the stage ends, then interrupt stage 1.
    const stage0 = join(out, "stage_0_lifecycle_metrics.json");
    for (let i = 0; i < 400 && !existsSync(stage0); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const writtenBeforeEnd = existsSync(stage0);
    // Stage 0 is 20 requests; let a few of stage 1 complete too.
    for (let i = 0; i < 400 && sim.stats().completed < 26; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    process.emit("SIGINT");
    const code = await running;
    expect(writtenBeforeEnd).toBe(true);
    expect(code).toBe(130);
    const summary = read(out, "summary_lifecycle_metrics.json");
    expect(summary.interrupted).toBe(true);
    expect(read(out, "stage_0_lifecycle_metrics.json").stage.status).toBe("completed");
    expect(read(out, "stage_1_lifecycle_metrics.json").stage.status).toBe("interrupted");
    expect(existsSync(join(out, "per_request_records.jsonl"))).toBe(true);
    const perRequest = read(out, "per_request_lifecycle_metrics.json");
    expect(perRequest.length).toBe(summary.load_summary.count);
    expect(existsSync(join(out, "config.yaml"))).toBe(true);
  });
}, 30_000);
