// End-to-end: load.request_retries in the real `inferload run` against the simulator's drop fault
// (the connection closed before any response byte). Every drop the simulator made must show up as a
// retry or a failure in the reports, a retried request's latency counts its failed attempts, and a
// run without retries reports the drops as failures and no retries block.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readReport as read, withSim } from "../lib/run/benchmark.testing.ts";
import { DROP_HOLD_MS } from "../lib/sim/faults.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";
import { writeSimRunConfig } from "./run-config.testing.ts";

const dir = tempDirForTests("inferload-retries-");

/** A 20-request run against a simulator that drops `dropRate` of the requests: its report folder, exit code and the drops. */
async function runAgainstDrops(name: string, dropRate: number, load: Record<string, unknown>) {
  return withSim({ prefillMs: 1, itlMs: 1, seed: 9, faults: { dropRate } }, async (sim) => {
    const out = join(dir, name);
    const config = writeSimRunConfig(dir, sim.url, name, {
      load: { base_seed: 3, stages: [{ rate: 20, duration: 1 }], ...load },
      report: { request_lifecycle: { per_request: true } },
    });
    const code = await runCli(["run", "-c", config, "--output-dir", out, "--quiet"]);
    const stats = sim.stats();
    return { out, code, drops: stats.faults.drop ?? 0, received: stats.requestsByModel["sim-model"] ?? 0 };
  });
}

describe("load.request_retries", () => {
  test("requests dropped before any response are sent again; every drop is a retry or a failure", async () => {
    const { out, code, drops } = await runAgainstDrops("retried", 0.3, {
      request_retries: 3,
      request_retry_backoff_sec: 0.01,
    });
    expect(code).toBe(0);
    const summary = read(out, "summary_lifecycle_metrics.json");
    const stage = read(out, "stage_0_lifecycle_metrics.json");
    const retries = summary.retries;
    expect(retries).toBeDefined();
    expect(stage.retries).toEqual(retries);
    expect(drops).toBeGreaterThan(0);
    // Each drop was one failed attempt: either retried (an extra attempt) or the last one of a failure.
    const failedDrops = summary.failures.by_kind.dropped ?? 0;
    expect(retries.attempts + failedDrops).toBe(drops);
    expect(retries.recovered + retries.failed_after_retry).toBe(retries.requests_retried);
    expect(retries.failed_after_retry).toBe(failedDrops);
    expect(summary.load_summary.count).toBe(20);
    // A recovered request is a success, and its latency runs from its first send: it includes each
    // dropped attempt, held DROP_HOLD_MS by the simulator, and the backoffs.
    const entries = read(out, "per_request_lifecycle_metrics.json") as {
      info: { retries_attempted: number; retries_recovered: boolean; retry_wasted_sec: number | null };
      computed_metrics?: { request_latency: number };
    }[];
    const recovered = entries.filter((e) => e.info.retries_recovered);
    expect(recovered.length).toBe(retries.recovered);
    for (const e of recovered) {
      const held = (e.info.retries_attempted * DROP_HOLD_MS) / 1000;
      expect(e.info.retry_wasted_sec as number).toBeGreaterThanOrEqual(held - 0.002);
      expect(e.computed_metrics?.request_latency as number).toBeGreaterThan(
        e.info.retry_wasted_sec as number,
      );
    }
    expect(entries.filter((e) => e.info.retries_attempted > 0).length).toBe(retries.requests_retried);
  }, 60_000);

  test("without retries the same drops are failures, counted by kind, and no retries block is written", async () => {
    const { out, code, drops, received } = await runAgainstDrops("plain", 0.3, {});
    expect(code).toBe(0);
    const summary = read(out, "summary_lifecycle_metrics.json");
    expect(summary.retries).toBeUndefined();
    expect(drops).toBeGreaterThan(0);
    expect(summary.failures.by_kind.dropped).toBe(drops);
    // Sent once each: the simulator saw exactly the stage's requests.
    expect(received).toBe(20);
  }, 60_000);

  test("a server that drops everything: each request is tried 1 + request_retries times, then fails", async () => {
    const { out, drops } = await runAgainstDrops("exhausted", 1, {
      request_retries: 2,
      request_retry_backoff_sec: 0,
    });
    const summary = read(out, "summary_lifecycle_metrics.json");
    expect(summary.failures.count).toBe(20);
    expect(summary.retries).toMatchObject({
      requests_retried: 20,
      attempts: 40,
      recovered: 0,
      failed_after_retry: 20,
    });
    expect(drops).toBe(60);
  }, 60_000);
});
