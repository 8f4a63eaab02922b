// End to end with `metrics.type: scrape` (inferload scrapes the engine's /metrics itself) against the
// built-in simulator, and the failure modes of server metrics in general: the source down at the
// start (exit 1 before any load, or a warning when optional), and a Prometheus that answers garbage
// after the start (a warning; the client-side reports are whole).
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { isUserError } from "../cli/errors.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import { type RunningSim, startSim, startSimOnFreePort } from "../sim/start.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { randomData, readReport as read, runBenchmarkFrom, simConfig } from "./benchmark.testing.ts";

const root = tempDirForTests("inferload-scrape-e2e-");
let n = 0;
const newDir = () => join(root, `run${n++}`);

const stopping: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stopping.splice(0)) await stop();
});

function config(sim: RunningSim, dir: string, extra: Record<string, unknown>) {
  return simConfig(sim.url, {
    // No model name: the run asks the server for it.
    server: { type: "vllm", model_name: undefined },
    data: randomData(30, 8),
    load: {
      base_seed: 3,
      interval: 2,
      stages: [
        { rate: 10, duration: 2 },
        { rate: 30, duration: 2 },
      ],
    },
    report: { prometheus: { summary: true, per_stage: true } },
    storage: { local_storage: { path: dir } },
    ...extra,
  });
}

describe("metrics.type scrape", () => {
  test("counts exactly what the client saw, per stage and for the run; TTFT within the client's", async () => {
    const sim = await startSimOnFreePort({ prefillMs: 15, itlMs: 4 });
    stopping.push(() => sim.stop());
    const dir = newDir();
    await runBenchmarkFrom(config(sim, dir, { metrics: { type: "scrape", scrape: { interval: 0.5 } } }));
    for (const name of ["stage_0", "stage_1", "summary"]) {
      const client = read(dir, `${name}_lifecycle_metrics.json`).successes;
      const server = read(dir, `${name}_prometheus_metrics.json`).successes;
      // Boundaries are scraped at the stage's edges, so the counts are exact, not just close.
      expect(server.count).toBe(client.count);
      expect(server.prompt_len.mean).toBeGreaterThan(0);
      // The server's TTFT lies inside the client's (it starts when the request is read, ends when the
      // first token is written) and cannot beat the simulated prefill (15 ms + 0.05 ms × 30 tokens).
      expect(server.time_to_first_token.mean).toBeGreaterThanOrEqual(0.0165);
      expect(server.time_to_first_token.mean).toBeLessThanOrEqual(
        client.latency.time_to_first_token.mean + 0.002,
      );
    }
    expect(read(dir, "stage_0_prometheus_metrics.json").successes.count).toBe(20);
  }, 60_000);

  test("a simulator restarted between stages (its counters back to zero) still adds up", async () => {
    let sim = await startSimOnFreePort({ prefillMs: 10, itlMs: 2 });
    const port = sim.port;
    stopping.push(() => sim.stop());
    const dir = newDir();
    // Restart once stage 0's 20 requests are done and its closing scrape has been taken.
    const restarted = (async () => {
      const deadline = Date.now() + 30_000;
      while (sim.stats().completed < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 400));
      await sim.stop();
      sim = await startSim({ host: "127.0.0.1", port, prefillMs: 10, itlMs: 2 });
    })();
    await runBenchmarkFrom(config(sim, dir, { metrics: { type: "scrape", scrape: { interval: 0.25 } } }));
    await restarted;
    expect(sim.stats().completed).toBe(60); // the new simulator served stage 1
    expect(read(dir, "stage_0_prometheus_metrics.json").successes.count).toBe(20);
    expect(read(dir, "stage_1_prometheus_metrics.json").successes.count).toBe(60);
    // The run's window spans the restart: 20 + 60, not 60 − 20 or a negative increase.
    expect(read(dir, "summary_prometheus_metrics.json").successes.count).toBe(80);
  }, 60_000);
});

describe("a server-metrics source that is down or broken", () => {
  /** A port nothing listens on. */
  async function deadUrl(): Promise<string> {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    return `http://127.0.0.1:${port}`;
  }

  test("unreachable at the start: exit 1 before any request is sent", async () => {
    const sim = await startSimOnFreePort();
    stopping.push(() => sim.stop());
    const url = await deadUrl();
    const error = await runBenchmarkFrom(
      config(sim, newDir(), { metrics: { type: "prometheus", prometheus: { url, scrape_interval: 1 } } }),
    ).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as { exitCode: number }).exitCode).toBe(ExitCode.failed);
    expect((error as Error).message).toContain(`Prometheus at ${url}`);
    expect(sim.stats().completed).toBe(0);
  }, 30_000); // start-up and the check of the source: about 3 s, more on a busy machine

  test("unreachable at the start but optional: the run goes on without server metrics", async () => {
    const sim = await startSimOnFreePort();
    stopping.push(() => sim.stop());
    const dir = newDir();
    const result = await runBenchmarkFrom(
      config(sim, dir, { metrics: { type: "scrape", scrape: { url: `${await deadUrl()}/metrics` } } }),
      { serverMetricsOptional: true },
    );
    expect(result.serverMetrics).toBeNull();
    expect(read(dir, "summary_lifecycle_metrics.json").successes.count).toBe(80);
    expect(existsSync(join(dir, "summary_prometheus_metrics.json"))).toBe(false);
  }, 60_000);

  test("a Prometheus that answers garbage after the start: a warning, and the client reports whole", async () => {
    const sim = await startSimOnFreePort();
    stopping.push(() => sim.stop());
    let queries = 0;
    const garbage: Server = createServer((req, res) => {
      queries++;
      if (new URL(req.url ?? "/", "http://x").searchParams.get("query") === "vector(1)") {
        res.end(
          JSON.stringify({
            status: "success",
            data: { resultType: "vector", result: [{ value: [0, "1"] }] },
          }),
        );
      } else res.end("<html>502 Bad Gateway</html>");
    });
    await new Promise<void>((r) => garbage.listen(0, "127.0.0.1", r));
    stopping.push(() => new Promise<void>((r) => garbage.close(() => r())));
    const url = `http://127.0.0.1:${(garbage.address() as { port: number }).port}`;
    const dir = newDir();
    const result = await runBenchmarkFrom(
      config(sim, dir, { metrics: { type: "prometheus", prometheus: { url, scrape_interval: 1 } } }),
    );
    expect(queries).toBeGreaterThan(1);
    expect(result.serverMetrics).toBeNull();
    expect(read(dir, "summary_lifecycle_metrics.json").successes.count).toBe(80);
    expect(read(dir, "stage_1_lifecycle_metrics.json").successes.count).toBe(60);
    expect(existsSync(join(dir, "summary_prometheus_metrics.json"))).toBe(false);
  }, 60_000);
});
